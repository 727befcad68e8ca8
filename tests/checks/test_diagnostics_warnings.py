"""Tests of teachkit.checks.diagnostics_warnings: R-hat's 0/0 warning on constant entries, and only it."""

import warnings

import arviz as az
import numpy as np

from teachkit.checks.diagnostics_warnings import constant_entries_ignored


def _lkj_like():
    draws = np.random.default_rng(1).normal(size=(4, 300, 3))
    draws[..., 0] = 1.0  # chol[0, 0]
    draws[..., 1] = 0.0  # chol[0, 1]
    return az.from_dict({"posterior": {"chol": draws}})["posterior"]["chol"]


def _rhat(da):
    from arviz_stats import rhat

    return np.asarray(rhat(da, sample_dims=["chain", "draw"]).values)


def test_rhat_of_constant_entries_warns_without_the_helper():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        _rhat(_lkj_like())
    assert any("invalid value encountered" in str(w.message) for w in seen)


def test_helper_silences_it_and_keeps_the_values():
    da = _lkj_like()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with constant_entries_ignored():
            r = _rhat(da)
    assert np.isnan(r[:2]).all() and abs(r[2] - 1) < 0.05


def test_other_warnings_pass_and_filters_are_restored():
    before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with constant_entries_ignored():
            # the same text from another module, and another category, both still show
            warnings.warn(
                "invalid value encountered in scalar divide", RuntimeWarning, stacklevel=1
            )
            warnings.warn("something else", UserWarning, stacklevel=1)
    assert [w.category for w in seen] == [RuntimeWarning, UserWarning]
    assert warnings.filters == before


def test_demo_convergence_of_an_lkj_fit_is_quiet():
    """checks.convergence inside the helper (as the demo calls it) emits no warning."""
    from teachkit import checks

    rng = np.random.default_rng(2)
    chol = rng.normal(size=(4, 500, 2, 2))
    chol[..., 0, 0], chol[..., 0, 1] = 1.0, 0.0
    idata = az.from_dict({"posterior": {"chol": chol, "mu": rng.normal(size=(4, 500))}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with constant_entries_ignored():
            result = checks.convergence(idata)
    assert result.passed, result.message
    assert result.details["n_elements"] == 3
