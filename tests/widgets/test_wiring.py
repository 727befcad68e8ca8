"""Widget wiring on the Agg backend: move a slider, check the artists and read-outs.

Without a kernel, setting ``slider.value`` runs the observers synchronously, so each test drives
a demo the way a lecturer would and compares what it shows with numbers computed here with
NumPy/SciPy (not with the widget's own code path).
"""

import re

import numpy as np
import pytest
from scipy import stats

from teachkit import covariance, simulate
from teachkit.widgets import (
    cholesky_explorer,
    correlation_explorer,
    lkj_explorer,
    mvnormal_explorer,
    shrinkage_explorer,
)
from teachkit.widgets._figure import LiveFigure, choose_backend

NUM = r"[-+−]?\d+\.\d+"


def numbers(html: str) -> list[float]:
    return [float(t.replace("−", "-")) for t in re.findall(NUM, html)]


# One demo of each kind per module (building one costs ~0.3 s); every test sets the sliders
# it relies on.
@pytest.fixture(scope="module")
def corr_demo():
    return correlation_explorer(backend="agg")


@pytest.fixture(scope="module")
def mv_demo():
    return mvnormal_explorer(backend="agg", seed=5)


@pytest.fixture(scope="module")
def chol_demo():
    return cholesky_explorer(backend="agg")


@pytest.fixture(scope="module")
def lkj_demo():
    return lkj_explorer(backend="agg")


@pytest.fixture(scope="module")
def shrink_demo():
    return shrinkage_explorer(backend="agg", seed=7)


# -- correlation --------------------------------------------------------------------------
def test_correlation_lecture_example_is_reported_invalid(corr_demo):
    demo = corr_demo
    for key, value in (("r12", 0.9), ("r13", 0.8), ("r23", -0.9)):
        demo.sliders[key].value = value
    R = np.array([[1, 0.9, 0.8], [0.9, 1, -0.9], [0.8, -0.9, 1]])
    det = np.linalg.det(R)
    eig = np.linalg.eigvalsh(R)
    status = demo.readouts["status"].value
    assert "NOT valid" in status and "data-valid='false'" in status
    assert numbers(status)[:4] == pytest.approx([det, *eig], abs=1e-3)
    bars = demo.artists["bars"]
    assert [b.get_height() for b in bars] == pytest.approx([det, *eig])
    red = (0xC6 / 255, 0x28 / 255, 0x28 / 255, 1.0)
    assert bars[0].get_facecolor() == pytest.approx(red)  # negative determinant in red
    assert bars[1].get_facecolor() == pytest.approx(red)  # negative eigenvalue in red
    assert bars[3].get_facecolor() != pytest.approx(red)
    assert "no Cholesky factor" in demo.readouts["cholesky"].value
    assert demo.artists["point"].get_marker() == "X"


def test_correlation_interval_and_factor_match_independent_numbers(corr_demo):
    demo = corr_demo
    for key, value in (("r12", 0.9), ("r13", 0.8), ("r23", 0.7)):
        demo.sliders[key].value = value
    low, high = covariance.r23_interval(0.9, 0.8)
    # independent: r23 bounds from the quadratic det = 0 in r23
    disc = np.sqrt((1 - 0.81) * (1 - 0.64))
    assert (low, high) == pytest.approx((0.72 - disc, 0.72 + disc))
    assert numbers(demo.readouts["interval"].value) == pytest.approx([low, high], abs=6e-4)
    assert "R is valid" in demo.readouts["status"].value
    R = np.array([[1, 0.9, 0.8], [0.9, 1, 0.7], [0.8, 0.7, 1]])
    L = np.linalg.cholesky(R)
    shown = numbers(demo.readouts["cholesky"].value)
    assert shown == pytest.approx(L[np.tril_indices(3)], abs=6e-4)
    seg_x, seg_y = demo.artists["interval"].get_data()
    assert list(seg_x) == pytest.approx([0.8, 0.8]) and list(seg_y) == pytest.approx([low, high])
    assert demo.artists["point"].get_marker() == "o"


def test_correlation_slice_follows_r12(corr_demo):
    demo = corr_demo
    demo.sliders["r12"].value = 0.0
    xy = demo.artists["slice"].get_xy()
    assert np.allclose(np.hypot(xy[:, 0], xy[:, 1]), 1.0)  # r12 = 0: the unit circle
    demo.sliders["r12"].value = 0.9
    xy = demo.artists["slice"].get_xy()
    assert not np.allclose(np.hypot(xy[:, 0], xy[:, 1]), 1.0)


# -- mvnormal -----------------------------------------------------------------------------
def test_mvnormal_points_are_the_fixed_draws_mapped_through_L(mv_demo):
    demo = mv_demo
    demo.sliders["sd2"].value = 1.0
    demo.sliders["sd1"].value = 1.5
    demo.sliders["rho"].value = 0.5
    demo.sliders["n"].value = 500
    cov = np.array([[2.25, 0.75], [0.75, 1.0]])
    z = np.random.default_rng(5).standard_normal((2000, 2))[:500]
    expected = z @ np.linalg.cholesky(cov).T
    assert np.allclose(demo.artists["corr_points"].get_offsets(), expected)
    assert np.allclose(demo.artists["indep_points"].get_offsets(), z * [1.5, 1.0])
    assert numbers(demo.readouts["sigma"].value) == pytest.approx(cov.ravel())
    # the density curve of x₁'s marginal peaks at 1 / (σ₁ √(2π))
    _, pdf = demo.artists["marg0_pdf"].get_data()
    assert pdf.max() == pytest.approx(stats.norm(0, 1.5).pdf(0), rel=1e-3)
    # the ellipse follows Σ: its x-extent is r·σ₁ for the 90% contour
    ex, _ = demo.artists["corr_ellipse90"].get_data()
    assert ex.max() == pytest.approx(1.5 * np.sqrt(stats.chi2.ppf(0.9, 2)), rel=1e-3)


def test_mvnormal_marginals_agree_while_the_clouds_differ(mv_demo):
    demo = mv_demo
    demo.sliders["rho"].value = -0.9
    demo.sliders["n"].value = 2000
    c = demo.artists["corr_points"].get_offsets()
    i = demo.artists["indep_points"].get_offsets()
    assert np.corrcoef(c.T)[0, 1] < -0.85 and abs(np.corrcoef(i.T)[0, 1]) < 0.1
    assert stats.ks_2samp(c[:, 1], i[:, 1]).pvalue > 0.01


def test_updates_change_artists_in_place_and_the_png(mv_demo):
    demo = mv_demo
    demo.sliders["rho"].value = 0.0
    fig, artists = demo.figure, dict(demo.artists)
    n_axes, png = len(fig.axes), demo.live.widget.value
    demo.sliders["rho"].value = 0.3
    assert demo.figure is fig and len(fig.axes) == n_axes
    assert all(demo.artists[k] is v for k, v in artists.items())
    assert demo.live.widget.value != png


# -- cholesky -----------------------------------------------------------------------------
def test_cholesky_2x2_images_are_columns_of_L(chol_demo):
    demo = chol_demo
    demo.sliders["d"].value = 2
    demo.sliders["sd1"].value = 2.0
    demo.sliders["sd2"].value = 0.5
    demo.sliders["r12"].value = -0.6
    cov = np.array([[4.0, -0.6], [-0.6, 0.25]])
    L = np.linalg.cholesky(cov)
    for name, col in (("A", 0), ("B", 1)):
        x, y = demo.artists[f"dot1{name}"].get_data()
        assert [x[0], y[0]] == pytest.approx(L[:, col])
    assert numbers(demo.readouts["L"].value) == pytest.approx(L[np.tril_indices(2)], abs=6e-4)
    assert numbers(demo.readouts["LLt"].value) == pytest.approx(cov.ravel(), abs=6e-3)
    # 2×2: the right panel is the image of the z grid, e.g. the line z₁ = 1 goes to L (1, t)
    segments = demo.artists["grid2"].get_segments()
    assert any(np.allclose(seg, np.array([[1, -3], [1, 3]]) @ L.T) for seg in segments)
    assert demo.artists["grid2"].get_visible() and not demo.artists["cloud2"].get_visible()


def test_cholesky_3x3_and_impossible_matrix(chol_demo):
    demo = chol_demo
    demo.sliders["d"].value = 3
    for key, value in (("r12", -0.6), ("r13", 0.3), ("r23", 0.2)):
        demo.sliders[key].value = value
    assert not demo.sliders["r23"].disabled and not demo.artists["grid2"].get_visible()
    sd = np.array([demo.sliders[k].value for k in ("sd1", "sd2", "sd3")])
    R = np.array([[1, -0.6, 0.3], [-0.6, 1, 0.2], [0.3, 0.2, 1]])
    L = np.linalg.cholesky(np.outer(sd, sd) * R)
    x, y = demo.artists["dot2C"].get_data()  # projection (x₁, x₃) of L e₃
    assert [x[0], y[0]] == pytest.approx([L[0, 2], L[2, 2]])
    for key, value in (("r12", 0.9), ("r13", 0.8), ("r23", -0.9)):
        demo.sliders[key].value = value
    assert "not positive definite" in demo.readouts["L"].value
    assert not demo.artists["dot1A"].get_visible()
    demo.sliders["r23"].value = 0.7
    assert demo.artists["dot1A"].get_visible()


# -- LKJ ----------------------------------------------------------------------------------
@pytest.mark.parametrize("eta,d", [(0.5, 2), (1.0, 4), (4.0, 3)])
def test_lkj_curve_histogram_and_sd(lkj_demo, eta, d):
    demo = lkj_demo
    demo.sliders["d"].value = d
    demo.sliders["eta"].value = eta
    eta = demo.sliders["eta"].value  # the log slider rounds to its step
    r, pdf = demo.artists["exact"].get_data()
    b = eta - 1 + d / 2
    assert np.allclose(pdf, stats.beta(b, b).pdf((r + 1) / 2) / 2, rtol=1e-8)
    heights = demo.artists["hist"].get_data().values
    edges = demo.artists["hist"].get_data().edges
    assert np.sum(heights * np.diff(edges)) == pytest.approx(1.0)
    assert demo.artists["kernel"].get_visible() == (d == 2)
    if d == 2:  # the lecture's curve ∝ (1 − ρ²)^(η−1), normalised, is the same density
        _, kern = demo.artists["kernel"].get_data()
        assert np.allclose(kern, pdf, rtol=1e-8)
    shown = numbers(demo.readouts["summary"].value)
    assert shown[-2] == pytest.approx(1 / np.sqrt(2 * eta + d - 1), abs=6e-4)
    assert shown[-1] == pytest.approx(shown[-2], abs=0.03)  # draws agree with the exact sd
    regime = demo.readouts["regime"].value
    assert ("η < 1" in regime) == (eta < 1) and ("η > 1" in regime) == (eta > 1)


# -- shrinkage ----------------------------------------------------------------------------
def _conjugate(sim, rho_used):
    t = sim.truth
    cov = np.array(
        [
            [t["sigma_a"] ** 2, rho_used * t["sigma_a"] * t["sigma_b"]],
            [rho_used * t["sigma_a"] * t["sigma_b"], t["sigma_b"] ** 2],
        ]
    )
    prec = np.linalg.inv(cov)
    out = []
    for label in sim.coords["group"]:
        rows = sim.data[sim.data["group"] == label]
        X = np.column_stack([np.ones(len(rows)), rows["x"]])
        post = np.linalg.inv(prec + X.T @ X / t["sigma"] ** 2)
        out.append(post @ (prec @ [t["mu_a"], t["mu_b"]] + X.T @ rows["y"] / t["sigma"] ** 2))
    return np.array(out)


def test_shrinkage_points_match_the_conjugate_posterior(shrink_demo):
    demo = shrink_demo
    demo.sliders["use_rho"].value = True
    demo.sliders["n"].value = 4
    demo.sliders["rho"].value = -0.6
    sim = simulate.varying_effects(
        n_groups=12,
        n_per_group=4,
        intercept=0.0,
        slope=1.0,
        sd_intercept=1.0,
        sd_slope=0.5,
        rho=-0.6,
        sigma=1.5,
        seed=7,
    )
    assert np.allclose(demo.artists["pooled"].get_offsets(), _conjugate(sim, -0.6))
    demo.sliders["use_rho"].value = False
    assert np.allclose(demo.artists["pooled"].get_offsets(), _conjugate(sim, 0.0))
    truth = np.column_stack([list(sim.truth["alpha"].values()), list(sim.truth["beta"].values())])
    assert np.allclose(demo.artists["truth"].get_offsets(), truth)


def test_shrinkage_arrows_shorten_with_more_data(shrink_demo):
    demo = shrink_demo
    demo.sliders["n"].value = 3
    short_data = np.hypot(demo.artists["arrows"].U, demo.artists["arrows"].V).mean()
    demo.sliders["n"].value = 60
    long_data = np.hypot(demo.artists["arrows"].U, demo.artists["arrows"].V).mean()
    assert long_data < short_data / 3
    assert "60 observations" in demo.readouts["design"].value


def test_shrinkage_accepts_posterior_means_of_a_fit():
    sim = simulate.varying_effects(n_groups=6, n_per_group=5, seed=3)
    labels = sim.coords["group"]
    fake = {
        "alpha": {k: 0.1 * i for i, k in enumerate(labels)},
        "beta": {k: -0.1 * i for i, k in enumerate(labels)},
    }
    demo = shrinkage_explorer(backend="agg", simulation=sim, posterior=fake)
    expected = np.column_stack([[0.1 * i for i in range(6)], [-0.1 * i for i in range(6)]])
    assert np.allclose(demo.artists["pooled"].get_offsets(), expected)
    assert demo.sliders["n"].disabled and demo.sliders["rho"].disabled
    assert "posterior" in demo.readouts["error"].value


def test_shrinkage_rejects_posterior_without_data_and_wrong_shapes():
    with pytest.raises(ValueError, match="simulation"):
        shrinkage_explorer(backend="agg", posterior=np.zeros((12, 2)))
    sim = simulate.varying_effects(n_groups=6, n_per_group=5, seed=3)
    with pytest.raises(ValueError, match=r"shape \(6, 2\)"):
        shrinkage_explorer(backend="agg", simulation=sim, posterior=np.zeros((5, 2)))


# -- backends -----------------------------------------------------------------------------
def test_backend_choice_and_errors():
    assert choose_backend("auto") == "agg"  # no kernel in pytest
    with pytest.raises(ValueError, match="backend must be"):
        choose_backend("qt")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_ipympl_backend_updates_without_a_browser():
    pytest.importorskip("ipympl")
    demo = correlation_explorer(backend="ipympl")
    sent = []
    demo.live.widget.send = lambda content, buffers=None: sent.append(buffers)
    demo.live.widget._handle_message(None, {"type": "initialized"}, None)
    demo.sliders["r23"].value = -0.9
    assert "NOT valid" in demo.readouts["status"].value
    assert any(b for b in sent)  # a binary frame went to the (fake) browser


def test_live_figure_blit_redraws_only_animated_artists():
    live = LiveFigure(300, 200, backend="agg")
    ax = live.figure.add_subplot()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    (line,) = ax.plot([0, 1], [0, 1])
    live.animate(line)
    live.finish_layout()
    before = np.asarray(live.figure.canvas.buffer_rgba()).copy()
    line.set_ydata([1, 0])
    live.refresh()
    after = np.asarray(live.figure.canvas.buffer_rgba())
    assert (before != after).any()
    line.set_ydata([0, 1])
    live.refresh()  # back to the first state: the same pixels as the full draw
    assert np.array_equal(np.asarray(live.figure.canvas.buffer_rgba()), before)
