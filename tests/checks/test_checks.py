"""Fast tests of teachkit.checks on hand-made ArviZ data and small hand-built PyMC models.

No sampling here: posteriors are drawn with NumPy so that the right answer is known.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr

from teachkit import checks
from teachkit.checks import CheckResult
from teachkit.checks.recovery import _binom_allowance

STATIONS = ["Aotizhongxin", "Changping", "Dingling", "Wanliu"]


def _idata(post: dict, *, diverging=None, dims=None, coords=None):
    groups = {"posterior": post}
    if diverging is not None:
        groups["sample_stats"] = {"diverging": diverging}
    return az.from_dict(groups, dims=dims or {}, coords=coords or {})


# ---------------------------------------------------------------- CheckResult


def test_checkresult_bool_assert_and_frozen():
    ok, bad = CheckResult(True, "fine"), CheckResult(False, "broken by 3", {"n": 3})
    assert bool(ok) is True and bool(bad) is False
    assert ok.assert_() is ok
    with pytest.raises(AssertionError, match="broken by 3"):
        bad.assert_()
    with pytest.raises(AttributeError):
        ok.passed = False  # frozen
    assert str(bad).startswith("FAIL:")


def test_combine_passes_only_if_all_pass():
    r = checks.combine(CheckResult(True, "a."), CheckResult(False, "b."), CheckResult(False, "c."))
    assert not r and r.message == "b. c."
    assert checks.combine(CheckResult(True, "a."))
    with pytest.raises(ValueError, match="at least one"):
        checks.combine()


# ---------------------------------------------------------------- divergences


def _div(n_div, chains=4, draws=1000):
    d = np.zeros(chains * draws, dtype=bool)
    d[np.random.default_rng(0).choice(d.size, n_div, replace=False)] = True
    return d.reshape(chains, draws)


@pytest.mark.parametrize("n_div, passes", [(0, True), (10, True), (11, False), (400, False)])
def test_divergences_threshold(n_div, passes):
    idata = _idata({"mu": np.zeros((4, 1000))}, diverging=_div(n_div))
    r = checks.divergences(idata)
    assert r.passed is passes
    assert r.details["n_divergent"] == n_div and r.details["n_draws"] == 4000
    assert sum(r.details["per_chain"]) == n_div
    assert f"{n_div} of 4000" in r.message
    if not passes:
        assert "non-centred" in r.message and "10 allowed" in r.message


def test_divergences_min_draws_and_bad_arguments():
    idata = _idata({"mu": np.zeros((2, 50))}, diverging=_div(0, 2, 50))
    assert not checks.divergences(idata, min_draws=1000)
    assert "Only 100 draws" in checks.divergences(idata, min_draws=1000).message
    with pytest.raises(ValueError, match="max_divergences"):
        checks.divergences(idata, max_divergences=-1)


def test_divergences_missing_stats_and_nonsense_input():
    r = checks.divergences(_idata({"mu": np.zeros((4, 100))}))
    assert not r and "sample_stats" in r.message
    r = checks.divergences(42)
    assert not r and "int" in r.message and "pm.sample" in r.message
    r = checks.divergences(None)
    assert not r


def test_divergences_accepts_legacy_inferencedata_like_object():
    post = xr.Dataset({"mu": (("chain", "draw"), np.zeros((2, 100)))})
    stats = xr.Dataset({"diverging": (("chain", "draw"), _div(12, 2, 100))})
    legacy = SimpleNamespace(posterior=post, sample_stats=stats)
    r = checks.divergences(legacy)
    assert not r and r.details["n_divergent"] == 12


# ---------------------------------------------------------------- convergence


def test_convergence_passes_on_iid_draws_and_fails_on_stuck_chain():
    rng = np.random.default_rng(2)
    good = _idata({"mu": rng.normal(size=(4, 1000)), "corr": np.ones((4, 1000))})
    r = checks.convergence(good)  # the constant "corr" is skipped, not a NaN failure
    assert r, r.message
    stuck = rng.normal(size=(4, 1000))
    stuck[3] += 2.0
    r = checks.convergence(_idata({"mu_b": stuck}))
    assert not r
    assert r.message.startswith("R-hat of mu_b is") and "at most 1.020" in r.message
    assert r.details["worst"]["mu_b"]["max_rhat"] > 1.1


def test_convergence_low_ess_names_the_element():
    rng = np.random.default_rng(3)
    # an AR(1) chain with strong autocorrelation in one group only: low ESS there
    ar = np.zeros((4, 1000))
    for t in range(1, 1000):
        ar[:, t] = 0.995 * ar[:, t - 1] + rng.normal(size=4) * 0.1
    beta = np.stack([rng.normal(size=(4, 1000)), ar], axis=-1)
    idata = _idata(
        {"beta": beta}, dims={"beta": ["station"]}, coords={"station": ["Wanliu", "Dingling"]}
    )
    r = checks.convergence(idata, var_names=["beta"])
    assert not r
    assert "beta[Dingling]" in r.message and "need at least 400" in r.message


def test_convergence_missing_variable_and_bad_thresholds():
    idata = _idata({"mu": np.random.default_rng(0).normal(size=(4, 200))})
    r = checks.convergence(idata, var_names=["rho"])
    assert not r and "no variable 'rho'" in r.message and "mu" in r.message
    with pytest.raises(ValueError, match="max_rhat"):
        checks.convergence(idata, max_rhat=0.5)


# ---------------------------------------------------------------- recovery


def _posterior(rng, truth, sd=0.01, shift=None, n=(4, 1000)):
    """Draws centred on the truth (the posterior of a correct model, idealised)."""
    shift = shift or {}
    post = {}
    for k, v in truth.items():
        if isinstance(v, dict):
            centre = np.array([v[g] + shift.get((k, g), 0.0) for g in v])
            post[k] = rng.normal(centre, sd, size=(*n, len(v)))
        else:
            post[k] = rng.normal(v + shift.get(k, 0.0), sd, size=n)
    return post


TRUTH = {
    "mu_a": 3.45,
    "mu_b": 0.054,
    "sigma": 0.61,
    "rho": -0.9,
    "alpha": dict(zip(STATIONS, [3.3, 3.5, 3.4, 3.6])),
    "beta": dict(zip(STATIONS, [0.05, 0.055, 0.06, 0.071])),
}


def _rec_idata(post, stations=STATIONS):
    return _idata(
        post, dims={"alpha": ["station"], "beta": ["station"]}, coords={"station": stations}
    )


def test_recovery_passes_when_posterior_centred_on_truth():
    rng = np.random.default_rng(4)
    r = checks.recovery(_rec_idata(_posterior(rng, TRUTH)), TRUTH)
    assert r, r.message
    assert {p["name"] for p in r.details["parameters"]} == set(TRUTH)
    assert r.details["groups"]["beta"]["n_groups"] == 4


def test_recovery_hyperparameter_miss_reports_truth_interval_and_z():
    rng = np.random.default_rng(5)
    post = _posterior(rng, TRUTH, shift={"mu_b": -0.05})  # 5 sd below
    r = checks.recovery(_rec_idata(post), TRUTH)
    assert not r
    assert "mu_b (truth 0.054 vs interval [" in r.message
    assert "sd above the mean" in r.message
    z = next(p["z"] for p in r.details["parameters"] if p["name"] == "mu_b")
    assert z == pytest.approx(5.0, abs=0.3)


def test_recovery_refuses_a_single_value_even_at_the_truth():
    rng = np.random.default_rng(5)
    post = _posterior(rng, TRUTH)
    post["mu_b"] = np.full_like(post["mu_b"], TRUTH["mu_b"])  # every draw "is" the truth
    r = checks.recovery(_rec_idata(post), TRUTH)
    assert not r
    assert "mu_b (every draw is 0.054: a single value, not a posterior)" in r.message


def test_recovery_group_misses_counted_against_allowance():
    rng = np.random.default_rng(6)
    shift = {("beta", "Wanliu"): -0.05, ("beta", "Dingling"): 0.04}
    post = _posterior(rng, TRUTH, shift=shift)
    r = checks.recovery(_rec_idata(post), TRUTH, max_group_misses=1)
    assert not r
    assert "2 of 4 station values of beta lie outside their 99.8% interval" in r.message
    assert "more than the 1 allowed" in r.message
    assert "worst: Wanliu, truth 0.071" in r.message
    assert checks.recovery(_rec_idata(post), TRUTH, max_group_misses=2)


def test_binomial_allowance_matches_independent_computation():
    from scipy import stats

    # independent: P(X >= k+1) for X ~ Binomial(40, 0.002)
    k = _binom_allowance(40, 0.002, 0.005)
    assert 1 - stats.binom.cdf(k, 40, 0.002) <= 0.005 < 1 - stats.binom.cdf(k - 1, 40, 0.002)
    assert _binom_allowance(12, 0.002, 0.005) == 1  # P(X>=1)=2.4% > 0.5%


def test_recovery_matches_groups_by_label_not_position():
    rng = np.random.default_rng(7)
    post = _posterior(rng, TRUTH)
    # same draws, stations stored in reverse order with matching labels
    rev = {k: (v[..., ::-1] if k in ("alpha", "beta") else v) for k, v in post.items()}
    assert checks.recovery(_rec_idata(rev, STATIONS[::-1]), TRUTH)
    # reversed draws but labels in the original order: now the groups do not match
    assert not checks.recovery(_rec_idata(rev, STATIONS), TRUTH)


def test_recovery_label_mismatch_and_positional_fallback():
    rng = np.random.default_rng(8)
    post = _posterior(rng, TRUTH)
    r = checks.recovery(_rec_idata(post, ["s1", "s2", "s3", "s4"]), TRUTH)
    assert not r and "coords={'station'" in r.message
    assert "data>}.." not in r.message and "data>}.;" not in r.message, r.message  # one full stop
    no_coords = _idata(post, dims={"alpha": ["station"], "beta": ["station"]})
    r = checks.recovery(no_coords, TRUTH)
    assert r and any("by position" in n for n in r.details["notes"])


def test_recovery_pooled_scalar_broadcast_against_group_truth():
    rng = np.random.default_rng(9)
    post = _posterior(rng, {k: v for k, v in TRUTH.items() if k != "beta"})
    post["beta"] = rng.normal(0.054, 0.001, size=(4, 1000))  # one slope for all
    idata = _idata(post, dims={"alpha": ["station"]}, coords={"station": STATIONS})
    r = checks.recovery(idata, TRUTH, max_group_misses=0)
    assert not r and "one beta" in r.message and "varying slopes" in r.message


def test_recovery_missing_variable_named_and_var_names_default():
    rng = np.random.default_rng(10)
    post = _posterior(rng, {k: v for k, v in TRUTH.items() if k != "rho"})
    r = checks.recovery(_rec_idata(post), TRUTH, var_names=["mu_a", "rho"])
    assert not r and "no variable 'rho'" in r.message and "name your" in r.message
    r = checks.recovery(_rec_idata(post), TRUTH)  # default: every true parameter is required
    assert not r and r.details["skipped"] == ["rho"]
    assert "has no rho" in r.message and "LKJ prior" in r.message and "var_names" in r.message
    names = [k for k in TRUTH if k != "rho"]
    assert checks.recovery(_rec_idata(post), TRUTH, var_names=names)  # a subset, on request
    r = checks.recovery(_idata({"foo": np.zeros((4, 10))}), TRUTH)
    assert not r and "None of the true parameters" in r.message


def test_recovery_default_fails_a_model_without_varying_slopes():
    """A pooled-slope model that fits well still lacks sigma_b and beta: not recovered."""
    rng = np.random.default_rng(12)
    post = _posterior(rng, {k: v for k, v in TRUTH.items() if k not in ("beta", "sigma_b", "rho")})
    r = checks.recovery(_rec_idata(post), TRUTH)
    assert not r
    assert "has no sigma_b, rho, beta" in r.message or "has no " in r.message
    assert "varying slopes" in r.message


def test_recovery_scalar_truth_vs_vector_posterior_is_explained():
    rng = np.random.default_rng(11)
    post = {"rho": rng.normal(size=(4, 100, 2, 2))}
    r = checks.recovery(_idata(post), {"rho": -0.5})
    assert not r and "should be a single number" in r.message


def test_recovery_bad_arguments_raise_valueerror():
    idata = _idata({"mu_a": np.zeros((2, 10))})
    with pytest.raises(ValueError, match="truth must be"):
        checks.recovery(idata, [1, 2])
    with pytest.raises(ValueError, match="prob"):
        checks.recovery(idata, {"mu_a": 0.0}, prob=1.5)
    with pytest.raises(ValueError, match="sd_band"):
        checks.recovery(idata, {"mu_a": 0.0}, sd_band=(2, 3))
    assert not checks.recovery("a string", {"mu_a": 0.0})


def test_recovery_sd_band_catches_overconfident_posterior():
    rng = np.random.default_rng(12)
    truth = {"mu_b": 0.5}
    wide = _idata({"mu_b": rng.normal(0.5, 0.2, size=(4, 1000))})
    narrow = _idata({"mu_b": rng.normal(0.5, 0.03, size=(4, 1000))})
    assert checks.recovery(wide, truth, sd_reference={"mu_b": 0.2})
    r = checks.recovery(narrow, truth, sd_reference={"mu_b": 0.2})
    assert not r  # truth covered, but 6.7x too confident
    ratio = r.details["sd_ratios"]["mu_b"]["ratio"]
    assert ratio == pytest.approx(0.15, rel=0.05)
    assert f"{1 / ratio:.3g} times smaller" in r.message and "over-confident" in r.message
    r = checks.recovery(wide, truth, sd_reference=narrow)  # a reference fit as ArviZ data
    assert not r and "times larger" in r.message


def _toy_sim(sd_b=0.5, n_groups=20, n_per=50, sigma=0.1):
    x = np.tile(np.linspace(-1, 1, n_per), n_groups)
    g = pd.Categorical(np.repeat([f"g{i:02d}" for i in range(n_groups)], n_per))
    data = pd.DataFrame({"group": g, "x": x, "y": 0.0})
    truth = {"mu_a": 0.0, "mu_b": 1.0, "sigma_a": 1.0, "sigma_b": sd_b, "rho": 0.0, "sigma": sigma}
    return SimpleNamespace(
        kind="varying_effects", data=data, truth=truth, roles={"group": "group", "x": "x", "y": "y"}
    )


def test_reference_sd_agrees_with_monte_carlo_of_gls_estimator():
    # independent computation: the sd of the precision-weighted mean of per-group OLS estimates
    sim = _toy_sim(sd_b=0.3, n_groups=8, n_per=6, sigma=0.5)
    ref = checks.reference_sd(sim)
    rng = np.random.default_rng(0)
    x = np.linspace(-1, 1, 6)
    X = np.column_stack([np.ones(6), x])
    vj = 0.25 * np.linalg.inv(X.T @ X)
    S = np.diag([1.0, 0.09])
    w = np.linalg.inv(S + vj)  # equal for all groups here
    reps = 20000
    coef = rng.multivariate_normal([0, 1], S, size=(reps, 8))  # (reps, group, 2)
    y = coef @ X.T + rng.normal(0, 0.5, size=(reps, 8, 6))
    bhat = y @ X @ np.linalg.inv(X.T @ X)  # per-group OLS, (reps, group, 2)
    est = np.linalg.solve(8 * w, (w @ bhat.sum(axis=1).T)).T  # GLS mean, (reps, 2)
    mc = est.std(axis=0)
    assert ref["mu_a"] == pytest.approx(mc[0], rel=0.05)
    assert ref["mu_b"] == pytest.approx(mc[1], rel=0.05)


def test_recovery_auto_reference_from_simulation():
    sim = _toy_sim()
    ref = checks.reference_sd(sim)
    rng = np.random.default_rng(13)
    ok = _idata({"mu_b": rng.normal(1.0, ref["mu_b"], size=(4, 1000))})
    pooled = _idata({"mu_b": rng.normal(1.0, ref["mu_b"] / 6, size=(4, 1000))})
    assert checks.recovery(ok, sim, var_names=["mu_b"])
    r = checks.recovery(pooled, sim, var_names=["mu_b"])
    assert not r and "mu_b" in r.message and "over-confident" in r.message
    assert checks.recovery(pooled, sim, var_names=["mu_b"], sd_reference=None)  # no width test
    with pytest.raises(ValueError, match="Gaussian simulation"):
        checks.reference_sd(SimpleNamespace(kind="grants", data=None, truth={"a": 1}, roles={}))


# ---------------------------------------------------------------- describe_model / structure


def _models():
    coords = {"station": STATIONS, "coef": ["intercept", "slope"]}
    g = np.array([0, 1, 2, 3, 0, 1])
    x = np.linspace(-1, 1, 6)
    y = np.zeros(6)
    out = {}
    with pm.Model(coords=coords) as out["pooled"]:
        mu_a, mu_b = pm.Normal("mu_a", 0, 2), pm.Normal("mu_b", 0, 0.1)
        pm.Normal("y", mu_a + mu_b * x, pm.HalfCauchy("sigma", 1), observed=y)
    with pm.Model(coords=coords) as out["centered"]:
        mu = pm.Normal("mu", 0, 1, dims="coef")
        chol, _, _ = pm.LKJCholeskyCov(
            "chol_cov", n=2, eta=2.0, sd_dist=pm.HalfCauchy.dist(1.0, shape=2), compute_corr=True
        )
        coeffs = pm.MvNormal("coeffs", mu=mu, chol=chol, dims=("station", "coef"))
        alpha = pm.Deterministic("alpha", coeffs[:, 0], dims="station")
        beta = pm.Deterministic("beta", coeffs[:, 1], dims="station")
        pm.Normal("y", alpha[g] + beta[g] * x, 1.0, observed=y)
    with pm.Model(coords=coords) as out["noncentered"]:
        mu = pm.Normal("mu", 0, 1, dims="coef")
        chol, _corr, _ = pm.LKJCholeskyCov(
            "chol_cov", n=2, eta=2.0, sd_dist=pm.HalfCauchy.dist(1.0, shape=2), compute_corr=True
        )
        z = pm.Normal("z", 0, 1, dims=("station", "coef"))
        coeffs = pm.Deterministic("coeffs", mu + z @ chol.T, dims=("station", "coef"))
        alpha = pm.Deterministic("alpha", coeffs[:, 0], dims="station")
        beta = pm.Deterministic("beta", coeffs[:, 1], dims="station")
        pm.Potential("y_sufficient", -((y - alpha[g] - beta[g] * x) ** 2).sum())
    return out


@pytest.fixture(scope="module")
def models():
    return _models()


def test_describe_model_is_json_and_finds_structure(models):
    d = checks.describe_model(models["noncentered"])
    assert json.loads(json.dumps(d)) == d
    free = {v["name"]: v for v in d["free_rvs"]}
    assert free["chol_cov"]["distribution"] == "LKJCholeskyCov"
    assert free["z"]["dims"] == ["station", "coef"] and free["z"]["shape"] == [4, 2]
    assert d["lkj"] is True and d["lkj_eta"] == 2.0
    assert d["noncentered"] is True and d["noncentered_offsets"] == ["z"] and d["centered"] == []
    assert [p["name"] for p in d["potentials"]] == ["y_sufficient"] and d["observed"] == []
    assert d["coords"]["station"] == STATIONS
    c = checks.describe_model(models["centered"])
    assert c["noncentered"] is False and c["centered"] == ["coeffs"]
    assert {v["name"]: v["distribution"] for v in c["free_rvs"]}["coeffs"] == "MvNormal"
    assert c["observed"][0]["distribution"] == "Normal"
    with pytest.raises(ValueError, match="pymc.Model"):
        checks.describe_model({"not": "a model"})


def test_structure_on_model_and_on_its_description_agree(models):
    req = {"varying_intercepts": True, "varying_slopes": True, "lkj": True, "noncentered": True}
    for name, expected in (("noncentered", True), ("centered", False), ("pooled", False)):
        live = checks.structure(models[name], **req)
        exported = checks.structure(
            json.loads(json.dumps(checks.describe_model(models[name]))), **req
        )
        assert live.passed is exported.passed is expected, live.message
        assert live.message == exported.message


def test_structure_messages_say_what_is_missing(models):
    r = checks.structure(models["pooled"], varying_slopes=True, lkj=True, group_dim="station")
    assert not r
    assert "no variable 'beta'" in r.message and "LKJ" in r.message
    r = checks.structure(models["centered"], noncentered=True)
    assert not r and "'coeffs'" in r.message and "mu + L z" in r.message
    assert checks.structure(models["centered"], noncentered=False, likelihood="normal")
    r = checks.structure(models["noncentered"], likelihood="rows")
    assert not r and "observed" in r.message
    assert checks.structure(models["noncentered"], likelihood="sufficient")
    r = checks.structure(models["noncentered"], variables=["rho"])
    assert not r and "'rho'" in r.message


def test_structure_varying_slopes_false_and_nonsense(models):
    r = checks.structure(models["centered"], varying_slopes=False)
    assert not r and "single slope" in r.message
    r = checks.structure(None, lkj=True)
    assert not r and "NoneType" in r.message
    assert not checks.structure({"a": 1}, lkj=True)
    with pytest.raises(ValueError, match="likelihood"):
        checks.structure(models["pooled"], likelihood=3)


def test_structure_of_the_reference_models():
    models = pytest.importorskip("teachkit.models")
    simulate = pytest.importorskip("teachkit.simulate")
    sim = simulate.funnel(seed=1)
    req = {
        "varying_intercepts": True,
        "varying_slopes": True,
        "lkj": True,
        "noncentered": True,
        "group_dim": "group",
    }
    assert checks.structure(models.correlated(sim, centered=False), **req)
    assert checks.structure(
        models.correlated(sim, centered=False, likelihood="sufficient"),
        likelihood="sufficient",
        **req,
    )
    r = checks.structure(models.correlated(sim, centered=True), **req)
    assert not r and "centred" in r.message
    r = checks.structure(models.varying_slopes(sim, centered=False), **req)
    assert not r and "LKJ" in r.message
    assert checks.structure(models.varying_slopes(sim, centered=False), noncentered=True)
    r = checks.structure(models.varying_intercepts(sim), **req)
    assert not r and "no variable 'beta'" in r.message
    r = checks.structure(models.pooled(sim), **req)
    assert not r and "no variable 'alpha'" in r.message


def test_sd_band_per_parameter():
    rng = np.random.default_rng(14)
    idata = _idata(
        {"mu_a": rng.normal(0, 0.65, size=(4, 1000)), "mu_b": rng.normal(1, 0.65, size=(4, 1000))}
    )
    ref = {"mu_a": 1.0, "mu_b": 1.0}
    r = checks.recovery(idata, {"mu_a": 0.0, "mu_b": 1.0}, sd_reference=ref)  # default bands
    assert not r and "mu_b" in r.message and "of mu_a" not in r.message
    assert r.details["sd_ratios"]["mu_a"]["band"] == [0.5, 2.0]
    assert checks.recovery(idata, {"mu_a": 0.0, "mu_b": 1.0}, sd_reference=ref, sd_band=(0.5, 2))
    with pytest.raises(ValueError, match=r"sd_band\['mu_b'\]"):
        checks.recovery(idata, {"mu_b": 1.0}, sd_reference=ref, sd_band={"mu_b": (1.2, 2)})


# ---------------------------------------------------------------- data_match
def test_data_match_finds_the_outcome_in_any_order_and_shape():
    from teachkit import simulate

    sim = simulate.ozone(seed=410, size="homework")
    y = sim.data["log_ozone"].to_numpy()
    post = {"mu_a": np.zeros((2, 10))}
    import arviz as az

    shuffled = az.from_dict(
        {
            "posterior": post,
            "observed_data": {
                "temp": sim.data["temp"].to_numpy(),
                "log_ozone": y[::-1].reshape(12, 100),
            },
        }
    )
    r = checks.data_match(shuffled, sim)
    assert r and r.details["matched"] == "log_ozone" and "seed 410" in r.message


def test_data_match_fails_on_another_seed_or_no_observed_data():
    import arviz as az

    from teachkit import simulate

    sim = simulate.ozone(seed=410, size="homework")
    other = simulate.ozone(seed=411, size="homework").data["log_ozone"].to_numpy()
    post = {"mu_a": np.zeros((2, 10))}
    r = checks.data_match(az.from_dict({"posterior": post, "observed_data": {"y": other}}), sim)
    assert not r and "not this assignment's" in r.message and "DATA_SEED" in r.message
    r = checks.data_match(
        az.from_dict({"posterior": post, "observed_data": {"y": other[:10]}}), sim
    )
    assert not r and "10 values instead of 1200" in r.message
    r = checks.data_match(az.from_dict({"posterior": post}), sim)
    assert not r and "observed=" in r.message
    assert not checks.data_match(None, sim)
    with pytest.raises(ValueError, match="Simulation"):
        checks.data_match(az.from_dict({"posterior": post}), {"y": 1})


def test_data_match_on_grants_uses_the_award_counts():
    import arviz as az

    from teachkit import simulate

    sim = simulate.grants(seed=3)
    awards = sim.data["awards"].to_numpy()
    idata = az.from_dict(
        {"posterior": {"tau": np.ones((2, 5))}, "observed_data": {"awards": awards}}
    )
    assert checks.data_match(idata, sim)


# --- stated priors ---------------------------------------------------------------------------


def _prior_model(mu_b=lambda: pm.Normal("mu_b", 0, 0.1), eta=2):  # eta an int, as students write it
    with pm.Model(coords={"station": ["a", "b", "c"]}) as m:
        mu_a = pm.Normal("mu_a", 0, 2)
        mu_b = mu_b()
        sd_dist = pm.HalfCauchy.dist(1, shape=2)
        chol, corr, stds = pm.LKJCholeskyCov(
            "chol_cov", n=2, eta=eta, sd_dist=sd_dist, compute_corr=True
        )
        pm.Deterministic("sigma_a", stds[0])
        sigma = pm.HalfCauchy("sigma", 1)
        lam = pm.Exponential("lam", 2)
        hn = pm.HalfNormal("hn", 0.5)
        pm.Normal("y", mu_a + mu_b + 0 * lam + 0 * hn, sigma, observed=[1.0, 2.0])
    return m


STATED = {
    "mu_a": ("Normal", 0, 2),
    "mu_b": ("Normal", 0, 0.1),
    "sigma": ("HalfCauchy", 1),
    "sigma_a": ("HalfCauchy", 1),
    "lam": ("Exponential", 2),
    "hn": ("HalfNormal", 0.5),
}


def test_structure_accepts_the_stated_priors_in_any_spelling():
    r = checks.structure(_prior_model(), priors=STATED, lkj_eta=2)
    assert r, r.message
    tau = checks.structure(
        _prior_model(mu_b=lambda: pm.Normal("mu_b", mu=0, tau=100)), priors=STATED
    )
    assert tau, tau.message  # Normal(0, tau=100) is Normal(0, 0.1)


def test_structure_names_a_prior_that_differs_from_the_question():
    r = checks.structure(_prior_model(mu_b=lambda: pm.Normal("mu_b", 0, 1)), priors=STATED)
    assert not r
    assert (
        "The prior of mu_b is Normal(0, 1), but the question asks for Normal(0, 0.1)" in r.message
    )
    r = checks.structure(_prior_model(mu_b=lambda: pm.HalfNormal("mu_b", 0.1)), priors=STATED)
    assert "mu_b is HalfNormal(0.1)" in r.message


def test_structure_checks_the_lkj_shape_and_missing_prior_variables():
    r = checks.structure(_prior_model(eta=200), lkj_eta=2)
    assert not r and "eta = 200, but the question asks for LKJ(2)" in r.message
    r = checks.structure(_prior_model(), priors={"tau": ("HalfCauchy", 5)})
    assert not r and "no variable 'tau'" in r.message
    with pytest.raises(ValueError, match="must be a tuple"):
        checks.structure(_prior_model(), priors={"mu_a": "Normal(0, 2)"})


def test_describe_model_records_constant_prior_parameters():
    desc = checks.describe_model(_prior_model())
    params = {e["name"]: e["params"] for e in desc["free_rvs"]}
    assert params["mu_a"] == [0.0, 2.0] and params["sigma"] == [1.0] and params["lam"] == [2.0]
    assert params["hn"] == [0.5]


# --- answers read off a posterior ------------------------------------------------------------


def _ranked(means, sd=0.05, seed=0):
    rng = np.random.default_rng(seed)
    post = {"alpha": rng.normal(means, sd, size=(4, 500, len(means)))}
    return az.from_dict(
        {"posterior": post},
        dims={"alpha": ["station"]},
        coords={"station": [f"s{i}" for i in range(len(means))]},
    )


def test_extreme_group_accepts_either_of_two_tied_groups_and_the_clear_one():
    idata = _ranked([3.4, 3.6, 3.6005, 3.5])
    assert checks.extreme_group(idata, "alpha", "s1", dim="station")
    assert checks.extreme_group(idata, "alpha", "s2", dim="station")
    assert checks.extreme_group(idata, "alpha", "s0", dim="station", end="lowest")


def test_extreme_group_refuses_the_wrong_end_and_non_labels():
    idata = _ranked([3.4, 3.6, 3.5])
    r = checks.extreme_group(idata, "alpha", "s0", dim="station", end="highest", what="baseline")
    assert not r and "is not the station with the highest baseline" in r.message
    assert (
        "not one of the stations" in checks.extreme_group(idata, "alpha", 3, dim="station").message
    )
    assert not checks.extreme_group(None, "alpha", "s0", dim="station")
    with pytest.raises(ValueError, match="highest"):
        checks.extreme_group(idata, "alpha", "s0", dim="station", end="top")


@pytest.mark.parametrize("eta", [200, 200.0])
def test_structure_reads_the_lkjcorr_shape_written_as_int_or_float(eta):
    with pm.Model() as m:
        pm.LKJCorr("chol_corr", n=2, eta=eta)
    assert checks.describe_model(m)["lkj_eta"] == 200.0
    assert "eta = 200, but the question asks for LKJ(2)" in checks.structure(m, lkj_eta=2).message
