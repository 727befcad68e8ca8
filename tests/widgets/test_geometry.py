"""Unit tests of the maths behind the widgets (teachkit.widgets._geometry).

Every expected value is computed independently: chi-square quantiles from SciPy, Monte Carlo
coverage, determinants with numpy.linalg, least squares with numpy.linalg.lstsq, and the
conjugate normal posterior written from the raw data rather than from the per-group estimates.
"""

import numpy as np
import pytest
from matplotlib.path import Path
from scipy import stats

from teachkit.widgets._geometry import (
    ellipse_points,
    elliptope_slice,
    group_ols,
    mass_radius,
    partial_pooling,
)


@pytest.mark.parametrize("mass", [0.1, 0.5, 0.9, 0.99])
def test_mass_radius_is_the_chi2_quantile(mass):
    assert mass_radius(mass) == pytest.approx(np.sqrt(stats.chi2.ppf(mass, df=2)), rel=1e-10)


@pytest.mark.parametrize("mass", [0.0, 1.0, -0.1, 1.5])
def test_mass_radius_rejects_non_probabilities(mass):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        mass_radius(mass)


@pytest.mark.parametrize("rho", [-0.9, 0.0, 0.6])
def test_ellipse_points_lie_on_the_mahalanobis_contour(rho):
    cov = np.array([[4.0, 2.0 * rho], [2.0 * rho, 1.0]])
    mean = np.array([1.0, -2.0])
    pts = ellipse_points(cov, mean=mean, mass=0.9)
    d = pts - mean
    m2 = np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d)
    assert np.allclose(m2, stats.chi2.ppf(0.9, 2))
    assert np.allclose(pts[0], pts[-1])  # closed curve


def test_ellipse_holds_its_probability_mass_by_monte_carlo():
    cov = np.array([[4.0, -1.6], [-1.6, 1.0]])  # the lecture's example
    x = np.random.default_rng(0).multivariate_normal([0, 0], cov, size=40_000)
    for mass in (0.5, 0.9):
        inside = Path(ellipse_points(cov, mass=mass, n=721)).contains_points(x).mean()
        assert inside == pytest.approx(mass, abs=0.01)


def test_ellipse_points_rejects_bad_covariances():
    with pytest.raises(ValueError, match="2×2"):
        ellipse_points(np.eye(3))
    with pytest.raises(ValueError):
        ellipse_points([[1.0, 2.0], [2.0, 1.0]])  # not positive definite


def _shoelace(poly):
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


@pytest.mark.parametrize("r12", [-0.8, 0.0, 0.5, 0.9])
def test_elliptope_slice_boundary_is_where_det_vanishes(r12):
    poly = elliptope_slice(r12)
    dets = [np.linalg.det(np.array([[1, r12, a], [r12, 1, b], [a, b, 1]])) for a, b in poly]
    assert np.max(np.abs(dets)) < 1e-8
    # the slice is the ellipse r13² + r23² − 2 r12 r13 r23 < 1 − r12², of area π √(1 − r12²)
    assert _shoelace(poly) == pytest.approx(np.pi * np.sqrt(1 - r12**2), rel=2e-3)


def test_elliptope_slice_contains_exactly_the_positive_definite_matrices():
    r12 = 0.7
    poly = Path(elliptope_slice(r12, n=801))
    pts = np.random.default_rng(1).uniform(-1, 1, size=(4000, 2))
    inside = poly.contains_points(pts)
    pd = np.array(
        [
            np.linalg.eigvalsh(np.array([[1, r12, a], [r12, 1, b], [a, b, 1]])).min() > 0
            for a, b in pts
        ]
    )
    assert np.mean(inside == pd) > 0.995  # disagreements only within a hair of the boundary


def test_elliptope_slice_rejects_invalid_r12():
    with pytest.raises(ValueError, match="r12"):
        elliptope_slice(1.0)


def test_group_ols_matches_lstsq_per_group():
    rng = np.random.default_rng(2)
    g = np.repeat(np.arange(4), [3, 5, 8, 2])
    x = rng.normal(size=g.size)
    y = 1.0 + 2.0 * x + rng.normal(size=g.size)
    coef, xtx, rss = group_ols(g, x, y, 4)
    for j in range(4):
        X = np.column_stack([np.ones((g == j).sum()), x[g == j]])
        b, *_ = np.linalg.lstsq(X, y[g == j], rcond=None)
        assert np.allclose(coef[j], b)
        assert np.allclose(xtx[j], X.T @ X)
        assert rss[j] == pytest.approx(np.sum((y[g == j] - X @ b) ** 2), abs=1e-10)


def test_group_ols_explains_groups_it_cannot_fit():
    with pytest.raises(ValueError, match="at least 2 observations"):
        group_ols([0, 0, 1], [0.0, 1.0, 2.0], [1.0, 2.0, 3.0], 2)
    with pytest.raises(ValueError, match="x values are all equal"):
        group_ols([0, 0, 1, 1], [1.0, 1.0, 0.0, 1.0], [1.0, 2.0, 3.0, 4.0], 2)


def test_partial_pooling_is_the_conjugate_posterior_mean_from_raw_data():
    rng = np.random.default_rng(3)
    mean = np.array([0.5, -1.0])
    cov = np.array([[1.0, -0.6], [-0.6, 0.5]])
    sigma = 1.3
    sizes = [2, 4, 10, 30]
    g = np.repeat(np.arange(4), sizes)
    x = rng.normal(size=g.size)
    y = rng.normal(size=g.size) * 2
    coef, xtx, _ = group_ols(g, x, y, 4)
    pooled = partial_pooling(coef, xtx, sigma, mean, cov)
    prior_prec = np.linalg.inv(cov)
    for j in range(4):
        X = np.column_stack([np.ones(sizes[j]), x[g == j]])
        post_cov = np.linalg.inv(prior_prec + X.T @ X / sigma**2)
        expected = post_cov @ (prior_prec @ mean + X.T @ y[g == j] / sigma**2)
        assert np.allclose(pooled[j], expected)


def test_partial_pooling_limits_and_correlation_effect():
    coef = np.array([[2.0, 0.0]])
    xtx = np.array([[[5.0, 0.0], [0.0, 5.0]]])
    mean, cov = np.zeros(2), np.array([[1.0, 0.8], [0.8, 1.0]])
    # almost no noise: the group's own estimate; enormous noise: the population mean
    assert np.allclose(partial_pooling(coef, xtx, 1e-4, mean, cov), coef, atol=1e-6)
    assert np.allclose(partial_pooling(coef, xtx, 1e4, mean, cov), mean, atol=1e-6)
    # with a positive correlation, a high intercept estimate also raises the slope estimate
    assert partial_pooling(coef, xtx, 1.0, mean, cov)[0, 1] > 0
    assert partial_pooling(coef, xtx, 1.0, mean, np.eye(2))[0, 1] == pytest.approx(0.0)


def test_partial_pooling_rejects_bad_arguments():
    coef, xtx = np.zeros((1, 2)), np.eye(2)[None]
    with pytest.raises(ValueError, match="sigma must be positive"):
        partial_pooling(coef, xtx, 0.0, [0, 0], np.eye(2))
    with pytest.raises(ValueError):
        partial_pooling(coef, xtx, 1.0, [0, 0], [[1.0, 2.0], [2.0, 1.0]])
