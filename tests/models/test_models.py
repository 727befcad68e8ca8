"""Tests of teachkit.models: structure, priors, the sufficient-statistics likelihood, errors.

Fast tier only compiles with PyTensor's FAST_COMPILE (Python) mode: no Numba, a few seconds.
The slow tier (real fits) is in tests/fit/test_sampling.py.
"""

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from pytensor.graph import ancestors
from scipy import special, stats

from teachkit import models, simulate

GAUSSIAN = {
    name: models.GAUSSIAN_MODELS[name]
    for name in (
        "pooled",
        "varying_intercepts",
        "varying_slopes",
        "correlated_centered",
        "correlated_noncentered",
    )
}

FREE = {
    "pooled": ["mu_a", "mu_b", "sigma"],
    "varying_intercepts": ["mu_a", "sigma_a", "alpha", "mu_b", "sigma"],
    "varying_slopes": ["mu_a", "mu_b", "sigma_a", "sigma_b", "alpha", "beta", "sigma"],
    "correlated_centered": ["mu_a", "mu_b", "chol_cov", "coeffs", "sigma"],
    "correlated_noncentered": ["mu_a", "mu_b", "sigma_a", "sigma_b", "chol_corr", "z", "sigma"],
}


@pytest.fixture(scope="module")
def ozone():
    return simulate.ozone(seed=410, size="homework")


@pytest.fixture(scope="module")
def small():
    # unequal group sizes, x far from 0 (as the ozone temperatures are)
    return simulate.varying_effects(seed=3, n_groups=5, n_per_group=[2, 7, 4, 9, 3], x_loc=15.0)


@pytest.fixture(scope="module")
def grants():
    return simulate.grants(seed=2)


def _op_name(var):
    return type(var.owner.op).__name__


def _params(var):
    """Numeric distribution parameters of a random variable (after rng and size)."""
    return [float(np.asarray(p.eval()).ravel()[0]) for p in var.owner.inputs[2:]]


@pytest.mark.parametrize("name", list(GAUSSIAN))
def test_gaussian_free_variables_and_dims(name, ozone):
    m = GAUSSIAN[name](ozone)
    assert [v.name for v in m.free_RVs] == FREE[name]
    assert m.coords["station"] == tuple(ozone.coords["station"])
    for var in ("alpha", "beta"):
        if var in m.named_vars and name != "pooled":
            assert m.named_vars_to_dims[var] == ("station",)
    assert m.named_vars_to_dims["y"] == ("obs",)
    assert len(m.coords["obs"]) == len(ozone.data)


def test_truth_names_are_model_variables(ozone):
    m = models.correlated(ozone, centered=False)
    for key in ozone.truth:
        assert key in m.named_vars, key
    for key in ("rho", "alpha", "beta"):
        assert m[key] in m.deterministics
    # separate scales (see models.correlated): the sds are free variables, not read off a factor
    assert m["sigma_a"] in m.free_RVs and m["sigma_b"] in m.free_RVs
    assert "LKJCorr" in _op_name(m["chol_corr"])
    centred = models.correlated(ozone, centered=True)
    for key in ("sigma_a", "sigma_b", "rho"):
        assert centred[key] in centred.deterministics


def test_noncentred_and_centred_priors_agree(ozone):
    """Both parameterisations carry the same prior: sds HalfCauchy(1), R ~ LKJ(2)."""
    import pymc as pm

    draws = {}
    for centered in (True, False):
        m = models.correlated(ozone, centered=centered)
        prior = pm.draw([m["sigma_b"], m["rho"]], draws=4000, random_seed=7)
        draws[centered] = prior
    for i in range(2):
        a, b = (np.asarray(draws[c][i]) for c in (True, False))
        assert abs(np.median(a) - np.median(b)) < 0.12, (i, np.median(a), np.median(b))
    # LKJ(2) for 2x2: (r + 1) / 2 ~ Beta(2, 2), so Var(r) = 1/5
    assert abs(np.var(np.asarray(draws[False][1])) - 0.2) < 0.02


def test_lecture_priors(ozone):
    m = models.correlated(ozone, centered=True)
    assert _op_name(m["mu_a"]) == "NormalRV" and _params(m["mu_a"]) == [0.0, 2.0]
    assert _op_name(m["mu_b"]) == "NormalRV" and _params(m["mu_b"]) == [0.0, 0.1]
    assert _op_name(m["sigma"]) == "HalfCauchyRV" and _params(m["sigma"]) == [1.0]
    assert "LKJCholeskyCov" in _op_name(m["chol_cov"])
    assert _op_name(m["coeffs"]) == "MvNormalRV"
    # eta = 2 sits among the LKJCholeskyCov inputs
    etas = [
        float(i.eval())
        for i in m["chol_cov"].owner.inputs
        if getattr(i, "ndim", 1) == 0 and i.dtype.startswith("float")
    ]
    assert 2.0 in etas


def test_prior_scales_are_keywords(ozone, small):
    m = models.varying_slopes(ozone, mu_a_sd=5.0, mu_b_sd=0.3, sigma_b_scale=0.2)
    assert _params(m["mu_a"]) == [0.0, 5.0]
    assert _params(m["mu_b"]) == [0.0, 0.3]
    assert _params(m["sigma_b"]) == [0.2]
    # the lecture's 0.1-per-degree slope prior is for ozone; unit-scale presets get 1
    assert _params(models.pooled(small)["mu_b"]) == [0.0, models.UNIT_SCALE_MU_B_SD]


def test_noncentered_variants(ozone):
    m = models.varying_slopes(ozone, centered=False)
    assert {"z_a", "z_b"} <= {v.name for v in m.free_RVs}
    assert m["alpha"] in m.deterministics and m["beta"] in m.deterministics


def test_dataframe_with_roles(ozone):
    m = models.pooled(ozone.data, roles=ozone.roles)
    assert [v.name for v in m.free_RVs] == ["mu_a", "mu_b", "sigma"]
    assert "station" in m.coords


@pytest.mark.parametrize("name", ["pooled", "varying_intercepts", "correlated_noncentered"])
def test_sufficient_logp_equals_rowwise(name, small):
    """Whole-model log density of the two likelihoods at random parameter values."""
    rows = GAUSSIAN[name](small, likelihood="rows")
    suff = GAUSSIAN[name](small, likelihood="sufficient")
    assert "y" in rows.named_vars and "y" not in suff.named_vars
    f_rows = rows.compile_logp(mode="FAST_COMPILE")
    f_suff = suff.compile_logp(mode="FAST_COMPILE")
    rng = np.random.default_rng(0)
    start = rows.initial_point()
    for _ in range(6):
        point = {k: v + rng.normal(0, 0.7, size=np.shape(v)) for k, v in start.items()}
        a, b = float(f_rows(point)), float(f_suff(point))
        assert np.isfinite(a)
        assert b == pytest.approx(a, rel=1e-8, abs=1e-8)


def test_sufficient_statistics_against_direct_sums():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 4, size=50)
    x, y = rng.normal(20, 5, 50), rng.normal(3, 1, 50)
    s = models.sufficient_statistics(codes, x, y, 5)  # group 4 is empty
    a, b = 1.3, -0.2
    for j in range(4):
        sel = codes == j
        rss_direct = np.sum((y[sel] - a - b * x[sel]) ** 2)
        rss = (
            s["syy"][j]
            - 2 * b * s["sxy"][j]
            + b**2 * s["sxx"][j]
            + s["n"][j] * (s["ybar"][j] - a - b * s["xbar"][j]) ** 2
        )
        assert rss == pytest.approx(rss_direct, rel=1e-12)
    assert s["n"][4] == 0 and s["sxx"][4] == 0


def _posterior(**values):
    """A one-chain, two-draw posterior from per-draw values."""
    data = {}
    for k, v in values.items():
        v = np.asarray(v, dtype=float)
        dims = ("chain", "draw") + (("g",) if v.ndim == 2 else ())
        data[k] = (dims, v[None])
    return xr.Dataset(data, coords={"chain": [0], "draw": [0, 1]})


@pytest.mark.parametrize("likelihood", ["rows", "sufficient"])
def test_pointwise_log_likelihood_gaussian(likelihood, small):
    m = models.varying_slopes(small, likelihood=likelihood)
    k = len(small.coords["group"])
    rng = np.random.default_rng(5)
    alpha, beta, sigma = rng.normal(size=(2, k)), rng.normal(size=(2, k)), np.array([0.7, 1.3])
    ll = models.pointwise_log_likelihood(m, _posterior(alpha=alpha, beta=beta, sigma=sigma))
    assert ll.dims == ("chain", "draw", "obs") and ll.shape == (1, 2, len(small.data))
    codes = small.data["group"].cat.codes.to_numpy()
    x, y = small.data["x"].to_numpy(), small.data["y"].to_numpy()
    for d in range(2):
        expected = stats.norm.logpdf(y, alpha[d, codes] + beta[d, codes] * x, sigma[d])
        np.testing.assert_allclose(ll.values[0, d], expected, rtol=1e-12)


def test_pointwise_log_likelihood_grants(grants):
    m = models.grants_direct(grants)
    genders = grants.coords.get("gender", None)
    n_g = len(m.coords["gender"])
    n_d = len(m.coords["discipline"])
    rng = np.random.default_rng(2)
    alpha, beta = rng.normal(-1.5, 0.3, (2, n_g)), rng.normal(0, 0.5, (2, n_d))
    post = xr.Dataset(
        {
            "alpha": (("chain", "draw", "gender"), alpha[None]),
            "beta": (("chain", "draw", "discipline"), beta[None]),
        },
        coords={"chain": [0], "draw": [0, 1]},
    )
    ll = models.pointwise_log_likelihood(m, post)
    df = grants.data
    gi = df["gender"].cat.codes.to_numpy()
    di = df["discipline"].cat.codes.to_numpy()
    p = special.expit(alpha[1, gi] + beta[1, di])
    expected = stats.binom.logpmf(df["awards"], df["applications"], p)
    np.testing.assert_allclose(ll.values[0, 1], expected, rtol=1e-10)
    assert genders is None or list(m.coords["gender"]) == list(genders)


def test_grants_models(grants):
    total = models.grants_total(grants)
    direct = models.grants_direct(grants)
    multi = models.grants_multilevel(grants)
    assert [v.name for v in total.free_RVs] == ["alpha"]
    assert [v.name for v in direct.free_RVs] == ["alpha", "beta"]
    assert [v.name for v in multi.free_RVs] == ["alpha", "tau", "beta"]
    assert direct.named_vars_to_dims["beta"] == ("discipline",)
    assert total.named_vars_to_dims["alpha"] == ("gender",)
    assert _params(total["alpha"]) == [0.0, 2.0]
    assert _params(direct["beta"]) == [0.0, 1.0]
    assert _op_name(multi["tau"]) == "HalfCauchyRV" and _params(multi["tau"]) == [5.0]
    # beta ~ Normal(0, tau): its sd is the tau variable itself
    assert multi["tau"] in set(ancestors([multi["beta"].owner.inputs[3]]))
    # the contrasts are female minus male on the log-odds scale
    genders = list(total.coords["gender"])
    values = np.array([0.3 if g == "female" else -0.1 for g in genders])
    assert float(total["total_effect"].eval({total["alpha"]: values})) == pytest.approx(0.4)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda s: models.pooled(s, likelihood="exact"), "likelihood must be 'rows'"),
        (lambda s: models.correlated(s, eta=0), "eta must be a positive"),
        (lambda s: models.varying_slopes(s, sigma_b_scale=-1.0), "sigma_b_scale must be"),
        (lambda s: models.pooled(s.data), "a DataFrame needs its roles"),
        (lambda s: models.pooled(s.data, roles={"group": "station", "x": "temp"}), "missing"),
        (lambda s: models.pooled(s.data, roles={"group": "g", "x": "temp", "y": "y"}), "no column"),
        (lambda s: models.pooled([1, 2, 3]), "expected a teachkit Simulation"),
        (lambda s: models.pooled(s.data.iloc[:0], roles=s.roles), "no rows"),
    ],
)
def test_argument_errors(call, match, ozone):
    with pytest.raises(ValueError, match=match):
        call(ozone)


def test_missing_values_rejected(ozone):
    df = ozone.data.copy()
    df.loc[df.index[0], "temp"] = math.nan
    with pytest.raises(ValueError, match="finite"):
        models.pooled(df, roles=ozone.roles)


def test_bad_counts_rejected(grants):
    df = grants.data.copy()
    df.loc[df.index[0], "awards"] = df["applications"].iloc[0] + 1
    with pytest.raises(ValueError, match="counts between 0"):
        models.grants_total(df, roles=grants.roles)


def test_dataframe_group_column_not_categorical():
    df = pd.DataFrame({"g": ["b", "a", "b"], "x": [0.0, 1.0, 2.0], "y": [1.0, 2.0, 3.0]})
    m = models.varying_intercepts(df, roles={"group": "g", "x": "x", "y": "y"})
    assert m.coords["g"] == ("a", "b")
