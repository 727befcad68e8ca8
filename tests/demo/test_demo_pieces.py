"""Fast tests of the demo's pieces: plots, recovery table, report, sample class."""

from types import SimpleNamespace

import matplotlib
import nbformat
import numpy as np
import pytest
import xarray as xr

from teachkit import checks, simulate
from teachkit.demo import fit as demo_fit
from teachkit.demo import plots
from teachkit.demo.grade import project_root
from teachkit.demo.report import Section, write_report
from teachkit.grading.roster import declared_student_id, read_roster
from teachkit.sample_submissions import (
    Edit,
    demo_class,
    demo_hw02_class,
    filled_notebook,
    student_notebook,
)

matplotlib.use("Agg")


def _fake_fit(sim, shift=0.0, seed=0):
    rng = np.random.default_rng(seed)
    g = sim.coords["group"]
    a = np.array([sim.truth["alpha"][k] for k in g]) + shift
    b = np.array([sim.truth["beta"][k] for k in g])
    post = xr.Dataset(
        {
            "alpha": (("chain", "draw", "group"), a + 0.05 * rng.normal(size=(2, 100, len(g)))),
            "beta": (("chain", "draw", "group"), b + 0.05 * rng.normal(size=(2, 100, len(g)))),
            "rho": (("chain", "draw"), np.tanh(rng.normal(-0.5, 0.2, size=(2, 100)))),
        },
        coords={"group": g},
    )
    stats = xr.Dataset({"diverging": (("chain", "draw"), rng.random((2, 100)) < 0.05)})
    return SimpleNamespace(posterior=post, sample_stats=stats)


def test_draws_of_names_missing_variable():
    fit = _fake_fit(simulate.funnel(seed=1))
    with pytest.raises(ValueError, match="no variable 'mu_a'"):
        plots.draws_of(fit, "mu_a")
    assert plots.draws_of(fit, "alpha").shape == (2, 100, 20)


def test_shrinkage_plot_puts_pooled_points_at_posterior_means():
    sim = simulate.funnel(seed=3)
    fig = plots.shrinkage_plot(sim, _fake_fit(sim, shift=0.25))
    ax = fig.axes[0]
    pooled = ax.collections[2].get_offsets()
    truth = np.array([sim.truth["alpha"][k] for k in sim.coords["group"]])
    np.testing.assert_allclose(pooled[:, 0], truth + 0.25, atol=0.02)


def test_trace_plot_marks_divergences():
    sim = simulate.funnel(seed=1)
    fig = plots.trace_plot(_fake_fit(sim), ["rho"])
    marks = [ln for ln in fig.axes[1].lines if ln.get_marker() == "|"]
    assert marks and sum(len(m.get_xdata()) for m in marks) > 0


def test_recovery_table_summarises_groups():
    rec = checks.CheckResult(
        False,
        "x",
        {
            "parameters": [
                {
                    "name": "rho",
                    "group": None,
                    "truth": -0.5,
                    "mean": 0.1,
                    "low": -0.2,
                    "high": 0.4,
                    "inside": False,
                    "prob": 0.998,
                },
                *[
                    {
                        "name": "alpha",
                        "group": f"g{i}",
                        "truth": 0.0,
                        "mean": 0.0,
                        "low": -1,
                        "high": 1,
                        "inside": i != 0,
                        "prob": 0.998,
                    }
                    for i in range(5)
                ],
            ],
            "groups": {"alpha": {"allowed": 1}},
        },
    )
    table = demo_fit.recovery_table(rec)
    assert table["pass"].tolist() == ["NO", "4/5 inside (may miss 1)"]


def test_report_escapes_and_links(tmp_path):
    sec = Section("S").text("a < b", "fail").links({"x & y": "f.md"}).image("p.png", "plot")
    page = write_report(tmp_path / "r.html", "T", [sec]).read_text()
    assert "a &lt; b" in page and 'href="f.md"' in page and "x &amp; y" in page
    assert 'src="p.png"' in page and "http" not in page


def test_demo_class_has_good_flawed_broken_and_tampering():
    root = project_root()
    subs = demo_class(root)
    good = nbformat.reads(subs["good.ipynb"].decode(), as_version=4)
    blank = student_notebook("hw01-mvnormal-cholesky", root)
    assert len(good.cells) == len(blank.cells)
    assert good.cells != blank.cells
    assert "teachkit.checks" in subs["tampering.ipynb"].decode()
    with pytest.raises(ValueError):
        nbformat.reads(subs["not-a-notebook.ipynb"].decode(), as_version=4)
    flawed = subs["flawed-variances-as-sds.ipynb"].decode()
    assert "sds = variances" in flawed


def test_demo_hw02_class_is_a_per_student_class_with_a_roster(tmp_path):
    subs = demo_hw02_class(project_root())
    (tmp_path / "roster.csv").write_bytes(subs["roster.csv"])
    roster = read_roster(tmp_path / "roster.csv")
    assert [s.id for s in roster.students] == [f"s100{i}" for i in range(1, 7)]
    declared = {
        f: declared_student_id(data).value for f, data in subs.items() if f.endswith(".ipynb")
    }
    # Cy (s1003) hands in Ana's notebook, her ID and all; Ed keeps the placeholder; Fa: nothing
    assert declared == {
        "s1001.ipynb": "s1001",
        "s1002.ipynb": "s1002",
        "s1003.ipynb": "s1001",
        "s1004.ipynb": "s1004",
        "s1005.ipynb": "your-student-id",
    }
    assert subs["s1003.ipynb"] == subs["s1001.ipynb"]
    assert "DATA_SEED = 410" in subs["s1004.ipynb"].decode()
    assert 'q4_path = \\"direct\\"' in subs["s1002.ipynb"].decode()


def test_edit_must_match_exactly_once():
    nb = filled_notebook("hw01-mvnormal-cholesky", project_root())
    with pytest.raises(AssertionError, match="matched 0 times"):
        Edit("this text is nowhere", "x").apply(nb)


def test_every_demo_class_is_written_by_its_maker_into_its_own_folders():
    from teachkit import sample_submissions
    from teachkit.demo.grade import DEMO_CLASSES

    folders = [f for d in DEMO_CLASSES.values() for f in (d.class_folder, d.grading_folder)]
    assert len(set(folders)) == len(folders), folders
    for name, demo in DEMO_CLASSES.items():
        files = getattr(sample_submissions, demo.maker)(project_root())
        assert files and all(isinstance(v, bytes) for v in files.values()), name
        assert list(files) == sorted(files), name
