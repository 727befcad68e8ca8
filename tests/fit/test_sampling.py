"""Tests of teachkit.fit.sampling: the compile-cache configuration, argument errors (fast) and real
fits of every reference model (slow).

The slow tier compiles one graph per model (about 65-100 s cold for the first, much less for the
next ones, which reuse the cached Numba ops): every Gaussian model is fitted on the same
homework-sized ozone data, and the reproducibility check refits an already compiled graph.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

from teachkit import fit, models, simulate


def test_cache_dir_respects_teachkit_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TEACHKIT_CACHE_DIR", str(tmp_path))
    assert fit.cache_dir() == tmp_path / "pytensor"


def _flags_in_fresh_process(
    env,
    code="import teachkit, os; teachkit.configure_pytensor(); "
    "print(os.environ.get('PYTENSOR_FLAGS', ''))",
):
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_pytensor_flags_default_and_user_settings_kept(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTENSOR_FLAGS"}
    env["TEACHKIT_CACHE_DIR"] = str(tmp_path)
    env["HOME"] = str(tmp_path)  # no ~/.pytensorrc there
    flags = _flags_in_fresh_process(env)
    assert f"base_compiledir={tmp_path / 'pytensor'}" in flags
    assert "blas__ldflags=" in flags
    env["PYTENSOR_FLAGS"] = "base_compiledir=/somewhere/else,floatX=float64"
    flags = _flags_in_fresh_process(env)
    assert flags.startswith("base_compiledir=/somewhere/else,floatX=float64")
    assert flags.count("base_compiledir") == 1


def test_importing_teachkit_configures_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTENSOR_FLAGS"}
    env["HOME"] = str(tmp_path)
    code = (
        "import os, sys, teachkit, teachkit.fit, teachkit.models, teachkit.fit.sampling, "
        "teachkit.fit.reference_warmup, teachkit.checks, teachkit.simulate\n"
        "assert 'pytensor' not in sys.modules and 'pymc' not in sys.modules\n"
        "print(os.environ.get('PYTENSOR_FLAGS', ''))"
    )
    assert _flags_in_fresh_process(env, code) == ""


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"seed": None}, "seed must be an int"),
        ({"seed": 1.5}, "seed must be an int"),
        ({"seed": 1, "sampler": "hmc"}, "sampler must be one of"),
        ({"seed": 1, "draws": 0}, "draws must be an integer"),
        ({"seed": 1, "target_accept": 1.2}, "target_accept must lie"),
    ],
)
def test_sample_argument_errors(kwargs, match):
    sim = simulate.funnel(seed=0)
    with pytest.raises(ValueError, match=match):
        fit.sample(models.pooled(sim), **kwargs)


# ------------------------------------------------------------------------------------- slow
FIT = {"draws": 400, "tune": 400, "chains": 2}


@pytest.fixture(scope="module")
def ozone():
    return simulate.ozone(seed=410, size="homework")


def _z(idata, name, truth):
    post = idata["posterior"][name]
    return abs(float(post.mean()) - truth) / float(post.std())


def _group_z(idata, name, truth_by_group, dim):
    post = idata["posterior"][name]
    labels = [str(v) for v in post[dim].values]
    true = np.array([truth_by_group[k] for k in labels])
    return np.abs(post.mean(("chain", "draw")).values - true) / post.std(("chain", "draw")).values


def _check_fit(idata, n_rows):
    assert {"posterior", "sample_stats", "log_likelihood"} <= set(idata.children)
    ll = idata["log_likelihood"]["y"]
    assert ll.shape == (FIT["chains"], FIT["draws"], n_rows)
    assert np.all(np.isfinite(ll.values))


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, build",
    [
        ("varying_intercepts", models.varying_intercepts),
        ("varying_slopes", models.varying_slopes),
        ("correlated_centered", lambda s: models.correlated(s, centered=True)),
        ("correlated_noncentered", lambda s: models.correlated(s, centered=False)),
    ],
)
def test_hierarchical_fit_recovers_truth(name, build, ozone):
    idata = fit.sample(build(ozone), seed=11, **FIT)
    _check_fit(idata, len(ozone.data))
    for var in ("mu_a", "mu_b", "sigma"):
        assert _z(idata, var, ozone.truth[var]) < 4, var
    z_alpha = _group_z(idata, "alpha", ozone.truth["alpha"], "station")
    assert np.mean(z_alpha < 3.5) >= 0.9, z_alpha
    if name != "varying_intercepts":
        z_beta = _group_z(idata, "beta", ozone.truth["beta"], "station")
        assert np.mean(z_beta < 3.5) >= 0.9, z_beta
    if name.startswith("correlated"):
        # rho is recovered like the rest (truth -0.9 within 4 posterior sds), but its sign is not
        # asserted: the homework-size data (12 stations, sds 0.12 and 0.004) barely identify it,
        # and LKJ(2) pulls toward 0 (a cold-cache centred fit at seed 11 gave a mean of +0.12,
        # sd 0.4). Homework 4 simulates a bigger design for that lesson (per_student_designs.md).
        assert "rho" in idata["posterior"]
        assert _z(idata, "rho", ozone.truth["rho"]) < 4, "rho"


@pytest.mark.slow
def test_pooled_fit_and_reproducibility(ozone):
    m = models.pooled(ozone)
    a = fit.sample(m, seed=5, **FIT)
    b = fit.sample(models.pooled(ozone), seed=5, **FIT)
    c = fit.sample(m, seed=6, **FIT)
    _check_fit(a, len(ozone.data))
    for var in ("mu_a", "mu_b", "sigma"):
        np.testing.assert_array_equal(a["posterior"][var].values, b["posterior"][var].values)
    assert not np.array_equal(a["posterior"]["mu_a"].values, c["posterior"]["mu_a"].values)
    # one line for stations that differ: residual sd above the true within-station noise
    assert float(a["posterior"]["sigma"].mean()) > ozone.truth["sigma"]


@pytest.mark.slow
def test_sufficient_statistics_fit_matches_rows(ozone):
    rows = fit.sample(models.correlated(ozone, centered=False), seed=3, **FIT)
    suff = fit.sample(
        models.correlated(ozone, centered=False, likelihood="sufficient"), seed=3, **FIT
    )
    _check_fit(suff, len(ozone.data))
    np.testing.assert_allclose(
        suff["log_likelihood"]["y"].sum("obs").mean().item(),
        rows["log_likelihood"]["y"].sum("obs").mean().item(),
        rtol=1e-3,
    )
    for var in ("mu_a", "mu_b", "sigma_a", "sigma_b", "rho", "sigma"):
        p, q = rows["posterior"][var], suff["posterior"][var]
        # two independent fits: means within 5 combined Monte Carlo standard errors (ESS >= 100)
        se = np.hypot(float(p.std()), float(q.std())) / np.sqrt(100)
        assert abs(float(p.mean()) - float(q.mean())) < 5 * se, var


@pytest.mark.slow
@pytest.mark.parametrize("builder", ["grants_total", "grants_direct", "grants_multilevel"])
def test_grants_fit_recovers_effects(builder):
    sim = simulate.grants(seed=7)
    idata = fit.sample(getattr(models, builder)(sim), seed=2, **FIT)
    assert idata["log_likelihood"]["awards"].shape[-1] == len(sim.data)
    if builder == "grants_total":
        assert _z(idata, "total_effect", sim.truth["observed_total_effect"]) < 4
    else:
        # (alpha and beta share a constant shift that only the prior pins down, so the
        # identified contrast is what is checked)
        assert _z(idata, "direct_effect", sim.truth["direct_effect"]) < 4
