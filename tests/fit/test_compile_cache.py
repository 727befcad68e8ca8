"""teachkit.fit.compile_cache: which models share a compile, and that reuse changes no draw."""

import numpy as np
import pandas as pd
import pytest

from teachkit import models, simulate
from teachkit.fit import compile_cache
from teachkit.fit.compile_cache import _data_of, _fingerprint, _with_data_as_shared


def _key(model):
    return _fingerprint(_with_data_as_shared(model))


@pytest.fixture(scope="module")
def ozone_pair():
    return simulate.ozone(seed=1, size="homework"), simulate.ozone(seed=2, size="homework")


@pytest.mark.parametrize("likelihood", ["rows", "sufficient"])
def test_new_data_same_structure_shares_a_key(ozone_pair, likelihood):
    a, b = (models.correlated(s, centered=False, likelihood=likelihood) for s in ozone_pair)
    assert _key(a) is not None and _key(a) == _key(b)


def test_anything_but_data_changes_the_key(ozone_pair):
    sim = ozone_pair[0]
    base = _key(models.correlated(sim, centered=False))
    others = {
        "centred": models.correlated(sim, centered=True),
        "sufficient": models.correlated(sim, centered=False, likelihood="sufficient"),
        "prior scale": models.correlated(sim, centered=False, sigma_b_scale=0.5),
        "eta": models.correlated(sim, centered=False, eta=1.0),
        "other model": models.varying_slopes(sim),
    }
    keys = {name: _key(m) for name, m in others.items()}
    assert all(k != base for k in keys.values()), keys
    assert len(set(keys.values())) == len(keys)


def test_group_labels_and_sizes_are_part_of_the_key():
    df = pd.DataFrame(
        {"g": ["a", "a", "b", "b"], "x": [0.0, 1.0, 0.0, 1.0], "y": [0.1, 1.0, 0.3, 0.8]}
    )
    roles = {"group": "g", "x": "x", "y": "y"}
    renamed = df.assign(g=df["g"].map({"a": "c", "b": "d"}))
    longer = pd.concat([df, df.iloc[:1]], ignore_index=True)
    k = _key(models.varying_intercepts(df, roles=roles))
    assert k != _key(models.varying_intercepts(renamed, roles=roles))
    assert k != _key(models.varying_intercepts(longer, roles=roles))
    assert k == _key(models.varying_intercepts(df.assign(y=df["y"] + 1), roles=roles))


def test_every_data_array_is_swappable(ozone_pair):
    sim = ozone_pair[1]
    data = _data_of(_with_data_as_shared(models.correlated(sim, centered=False)))
    np.testing.assert_array_equal(data["y_observed"], sim.data["log_ozone"].to_numpy())
    np.testing.assert_array_equal(data["x"], sim.data["temp"].to_numpy())
    suff = _data_of(_with_data_as_shared(models.correlated(sim, likelihood="sufficient")))
    assert any(name.startswith("_teachkit_data_") for name in suff)


@pytest.mark.slow
def test_reused_compile_gives_the_draws_of_a_fresh_one(ozone_pair):
    """Same seed and data: a reused compile and a fresh one give identical draws.

    The reused one was compiled on *other* data, so this also proves the data were swapped.
    """
    from teachkit.fit import sample

    first, second = ozone_pair
    compile_cache.clear()
    kw = dict(draws=200, tune=200, chains=2, log_likelihood=False)
    sample(models.correlated(first, centered=False, likelihood="sufficient"), seed=3, **kw)
    reused = sample(
        models.correlated(second, centered=False, likelihood="sufficient"), seed=5, **kw
    )
    assert compile_cache.stats() == {"hits": 1, "misses": 1, "entries": 1}
    compile_cache.clear()
    fresh = sample(models.correlated(second, centered=False, likelihood="sufficient"), seed=5, **kw)
    assert compile_cache.stats()["misses"] == 1
    for name in ("mu_b", "sigma_b", "alpha"):
        np.testing.assert_array_equal(reused.posterior[name].values, fresh.posterior[name].values)
    assert "observed_data" not in reused or "y" not in reused["observed_data"]  # a Potential
    # the reused fit is about the second data set, not the first
    assert abs(float(reused.posterior["mu_a"].mean()) - second.truth["mu_a"]) < 0.3


def test_models_whose_data_cannot_be_named_are_not_cached():
    import pymc as pm
    import pytensor

    with pm.Model() as m:
        x = pytensor.shared(np.arange(3.0))  # unnamed: no way to swap it by name
        mu = pm.Normal("mu")
        pm.Normal("y", mu + x, 1.0, observed=np.zeros(3))
    assert _key(m) is None
