"""Tests of teachkit.regression: the one place for per-group least squares."""

import numpy as np

from teachkit import simulate
from teachkit.regression import group_ols, no_pooling, sufficient_statistics


def test_no_pooling_matches_polyfit_and_group_ols():
    sim = simulate.varying_effects(n_groups=6, n_per_group=[2, 5, 9, 3, 4, 7], seed=3)
    codes = sim.data["group"].cat.codes.to_numpy()
    x, y = sim.data["x"].to_numpy(), sim.data["y"].to_numpy()
    est = no_pooling(codes, x, y, 6)
    coef, _, _ = group_ols(codes, x, y, 6)
    np.testing.assert_allclose(est, coef, rtol=1e-10, atol=1e-12)
    for j in range(6):
        slope, intercept = np.polyfit(x[codes == j], y[codes == j], 1)
        np.testing.assert_allclose(est[j], [intercept, slope], rtol=1e-9, atol=1e-12)


def test_no_pooling_leaves_undefined_groups_nan():
    est = no_pooling([0, 0, 1, 1, 2], [0.0, 1.0, 3.0, 3.0, 1.0], [0.0, 1.0, 2.0, 5.0, 1.0], 4)
    assert est[0].tolist() == [0.0, 1.0]
    assert np.isnan(est[1:]).all()  # one x value, one observation, no observation


def test_sufficient_statistics_give_the_rss_of_any_line():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 3, 50)
    x, y = rng.normal(size=50), rng.normal(size=50)
    s = sufficient_statistics(codes, x, y, 3)
    a, b = 0.3, -0.7
    rss = (
        s["syy"]
        - 2 * b * s["sxy"]
        + b**2 * s["sxx"]
        + s["n"] * (s["ybar"] - a - b * s["xbar"]) ** 2
    )
    direct = np.bincount(codes, (y - a - b * x) ** 2, 3)
    np.testing.assert_allclose(rss, direct, rtol=1e-12)
