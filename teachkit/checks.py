r"""What a grader asks of a fit: divergences, convergence, recovery of the truth, structure.

Each check takes what a student produced (ArviZ data from ``pm.sample``, or a ``pm.Model``) and
returns a :class:`CheckResult`: ``bool(result)`` says whether it passed, ``result.message`` is a
sentence a student can act on (what failed, by how much, what to try), ``result.details`` holds
the numbers behind it, and ``result.assert_()`` raises ``AssertionError(message)`` for use in
Otter tests.

- :func:`divergences` -- at most ``max_divergences`` divergent transitions.  A correct
  non-centred fit is not always at zero (1-17 stray divergences in 4000 draws happen), a centred
  fit of funnel data shows hundreds; the default separates the two (see ``benchmarks/``).
- :func:`convergence` -- rank-normalised split R-hat and bulk/tail effective sample sizes.
- :func:`recovery` -- the true values (from :mod:`teachkit.simulate`) against central posterior
  intervals, hyperparameters and per-group coefficients alike, with an allowance for the number
  of groups; plus a two-sided band on the posterior sd of the population means, which catches
  wrong models that still cover the truth with over-confident (too narrow) posteriors.
- :func:`structure` -- what the model *is*: varying intercepts/slopes, an LKJ prior, a
  non-centred parameterisation, the likelihood.  It accepts a live ``pm.Model`` or the
  JSON-serialisable dict from :func:`describe_model` (the grader runs in a clean process on
  exported data).

The data-facing checks accept an xarray ``DataTree`` (ArviZ 1), a legacy ``InferenceData`` (or
anything with a ``posterior`` attribute holding an ``xarray.Dataset``), or a mapping of group
name to ``Dataset``.  Input that is not ArviZ data yields a failed :class:`CheckResult` that says
so; invalid *arguments* of a check (thresholds, truth) raise :class:`ValueError`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from teachkit.diagnostics_warnings import constant_entries_ignored
from teachkit.simulate.presets import gaussian_kinds

__all__ = [
    "CheckResult",
    "combine",
    "convergence",
    "data_match",
    "describe_model",
    "divergences",
    "extreme_group",
    "recovery",
    "reference_sd",
    "structure",
]

#: Calibrated defaults (see ``benchmarks/results/calibrate_checks.md``).
MAX_DIVERGENCES = 10
MAX_RHAT = 1.01
MIN_ESS_BULK = 400
MIN_ESS_TAIL = 400
PROB = 0.998
GROUP_PROB = 0.998
GROUP_ALPHA = 0.005
#: allowed posterior sd / reference sd; a missing varying slope shows as a too narrow mu_b
#: (calibrated: right models 0.75-1.63 for mu_b, 0.66-1.55 for mu_a; intercepts-only on data
#: with varying slopes 0.55-0.68 for mu_b)
SD_BAND = {"mu_a": (0.5, 2.0), "mu_b": (0.7, 2.0)}
_DEFAULT_BAND = (0.5, 2.0)

_SAMPLE_DIMS = ("chain", "draw")


# --------------------------------------------------------------------------------------------
# the result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check.

    Parameters
    ----------
    passed : bool
        Whether the check passed.
    message : str
        A sentence for the student: what was checked, what failed and by how much.
    details : dict
        The numbers behind the verdict (per-parameter values, thresholds).

    Examples
    --------
    >>> r = CheckResult(False, "2 of 4000 draws diverged.", {"n_divergent": 2})
    >>> bool(r)
    False
    >>> r.assert_()
    Traceback (most recent call last):
    ...
    AssertionError: 2 of 4000 draws diverged.
    >>> print(CheckResult(True, "all good"))
    PASS: all good
    """

    passed: bool
    message: str
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "passed", bool(self.passed))

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}: {self.message}"

    def assert_(self) -> CheckResult:
        """Raise ``AssertionError(message)`` unless the check passed; return ``self`` otherwise."""
        if not self.passed:
            raise AssertionError(self.message)
        return self


def combine(*results: CheckResult) -> CheckResult:
    """Join several checks into one that passes only if all of them pass.

    The message lists the failures' messages (or, when everything passed, all messages).

    Examples
    --------
    >>> r = combine(CheckResult(True, "a passed."), CheckResult(False, "b failed."))
    >>> r.passed, r.message
    (False, 'b failed.')
    """
    if not results:
        raise ValueError("combine() needs at least one CheckResult; got none.")
    for r in results:
        if not isinstance(r, CheckResult):
            raise ValueError(  # noqa: TRY004 - the project raises ValueError for bad arguments
                f"combine() takes CheckResult objects; got {type(r).__name__}."
            )
    failed = [r for r in results if not r.passed]
    shown = failed if failed else list(results)
    return CheckResult(
        not failed,
        " ".join(r.message for r in shown),
        {"results": [{"passed": r.passed, "message": r.message} for r in results]},
    )


# --------------------------------------------------------------------------------------------
# helpers: numbers, ArviZ data
# --------------------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    """A number for a message: 3 significant digits, never rounding a non-zero value to 0."""
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x != 0 and abs(x) < 1e-3:
        return f"{x:.2e}"
    return f"{x:.3g}"


def _pct(p: float) -> str:
    """``0.998`` -> ``'99.8%'``."""
    return f"{100 * p:.10g}%"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _describe_type(obj) -> str:
    return type(obj).__name__


def _get_group(idata, group: str):
    """The ``xarray.Dataset`` of ``group`` in ArviZ-like data, or ``None`` if it is missing.

    Raises ``TypeError`` if ``idata`` is not ArviZ-like at all.
    """
    import xarray as xr

    if isinstance(idata, xr.DataTree):
        if group in idata.children:
            return idata[group].to_dataset()
        return None
    if isinstance(idata, xr.Dataset):
        # a bare posterior Dataset: accept it as the posterior, nothing else
        return idata if group == "posterior" else None
    if isinstance(idata, Mapping):
        if not all(isinstance(k, str) for k in idata):
            raise TypeError("mapping keys are not group names")
        value = idata.get(group)
    elif hasattr(idata, "posterior") or hasattr(idata, "sample_stats") or hasattr(idata, "groups"):
        value = getattr(idata, group, None)
    else:
        raise TypeError("not ArviZ data")
    if value is None:
        return None
    if isinstance(value, xr.DataTree):
        return value.to_dataset()
    if isinstance(value, xr.Dataset):
        return value
    raise TypeError(f"group {group!r} is a {type(value).__name__}, not an xarray Dataset")


def _not_arviz(idata, what: str) -> CheckResult:
    return CheckResult(
        False,
        f"Expected ArviZ data (what pm.sample returns: a DataTree with a '{what}' group); "
        f"got {_describe_type(idata)}. Pass the result of pm.sample(...) to this check.",
        {"error": "not_arviz", "type": _describe_type(idata)},
    )


def _group_or_result(idata, group: str, purpose: str):
    """Return ``(dataset, None)`` or ``(None, failed CheckResult)``."""
    try:
        ds = _get_group(idata, group)
    except TypeError:
        return None, _not_arviz(idata, group)
    if ds is None:
        return None, CheckResult(
            False,
            f"The ArviZ data has no '{group}' group, so {purpose} cannot be checked; pass the "
            f"full result of pm.sample(...) (not a summary or a single variable).",
            {"error": "missing_group", "group": group},
        )
    missing = [d for d in _SAMPLE_DIMS if d not in ds.dims]
    if missing:
        return None, CheckResult(
            False,
            f"The '{group}' group has no {' or '.join(repr(d) for d in missing)} dimension; "
            f"expected draws from pm.sample with dimensions (chain, draw, ...).",
            {"error": "missing_sample_dims", "group": group, "dims": [str(d) for d in ds.dims]},
        )
    return ds, None


def _validate_prob(prob, name: str) -> float:
    if not isinstance(prob, numbers.Real) or not 0 < float(prob) < 1:
        raise ValueError(f"{name} must be a probability strictly between 0 and 1; got {prob!r}.")
    return float(prob)


# --------------------------------------------------------------------------------------------
# divergences
# --------------------------------------------------------------------------------------------


def divergences(
    idata, *, max_divergences: int = MAX_DIVERGENCES, min_draws: int = 0
) -> CheckResult:
    """Check that the sampler reported at most ``max_divergences`` divergent transitions.

    A divergence means NUTS met curvature it could not follow (typically the neck of a funnel
    in a centred hierarchical model), so part of the posterior may be unexplored.  A correct
    non-centred fit still shows an occasional stray divergence (here 0 in about 3 of 4 fits,
    up to ~17 of 4000 draws), while a centred fit of funnel-shaped data shows hundreds, so the
    rule is "at most a handful", not "zero".

    Parameters
    ----------
    idata : DataTree or InferenceData
        The result of ``pm.sample``; needs ``sample_stats.diverging``.
    max_divergences : int, default 10
        The most divergent transitions (over all chains) that still pass.
    min_draws : int, default 0
        Fail if fewer post-warmup draws (chains x draws) than this were taken, so that a
        tiny run cannot pass by luck.

    Returns
    -------
    CheckResult
        ``details`` has ``n_divergent``, ``n_draws``, ``per_chain`` and the thresholds.

    Examples
    --------
    >>> import numpy as np, arviz as az
    >>> div = np.zeros((4, 1000), dtype=bool); div[0, :3] = True
    >>> idata = az.from_dict({"posterior": {"mu": np.zeros((4, 1000))},
    ...                       "sample_stats": {"diverging": div}})
    >>> print(divergences(idata))
    PASS: 3 of 4000 draws diverged (at most 10 allowed).
    >>> print(divergences(idata, max_divergences=0).message.split(";")[0])
    3 of 4000 draws (0.075%) diverged, more than the 0 allowed
    """
    if not isinstance(max_divergences, numbers.Integral) or max_divergences < 0:
        raise ValueError(f"max_divergences must be a whole number >= 0; got {max_divergences!r}.")
    if not isinstance(min_draws, numbers.Integral) or min_draws < 0:
        raise ValueError(f"min_draws must be a whole number >= 0; got {min_draws!r}.")
    ds, failed = _group_or_result(idata, "sample_stats", "divergences")
    if failed is not None:
        return failed
    if "diverging" not in ds:
        return CheckResult(
            False,
            "sample_stats has no 'diverging' variable, so divergences cannot be counted; "
            "sample with NUTS (pm.sample) and pass its full result.",
            {"error": "missing_diverging"},
        )
    div = ds["diverging"]
    extra = [d for d in div.dims if d not in _SAMPLE_DIMS]
    values = np.asarray(div.values)
    if extra:
        values = values.any(axis=tuple(div.dims.index(d) for d in extra))
    values = values.astype(bool)
    n_div = int(values.sum())
    n_draws = int(values.size)
    per_chain = [int(v) for v in values.reshape(values.shape[0], -1).sum(axis=1)]
    details = {
        "n_divergent": n_div,
        "n_draws": n_draws,
        "per_chain": per_chain,
        "max_divergences": int(max_divergences),
        "min_draws": int(min_draws),
    }
    if n_draws < min_draws:
        return CheckResult(
            False,
            f"Only {n_draws} draws were taken (chains x draws); take at least {min_draws} "
            f"(e.g. 4 chains of {math.ceil(min_draws / 4)} draws) so divergences can be judged.",
            details,
        )
    if n_div <= max_divergences:
        return CheckResult(
            True,
            f"{n_div} of {n_draws} draws diverged (at most {max_divergences} allowed).",
            details,
        )
    frac = n_div / n_draws
    return CheckResult(
        False,
        f"{n_div} of {n_draws} draws ({_pct(round(frac, 5))}) diverged, more than the "
        f"{max_divergences} allowed; the sampler could not explore part of the posterior. "
        "Use the non-centred parameterisation (group effects = mu + L z with z ~ Normal(0, 1)) "
        "or a higher target_accept.",
        details,
    )


# --------------------------------------------------------------------------------------------
# convergence
# --------------------------------------------------------------------------------------------


def _select_vars(ds, var_names, what: str):
    """Variable names to use, or a failed CheckResult naming the missing ones."""
    if var_names is None:
        return [str(v) for v in ds.data_vars], None
    if isinstance(var_names, str):
        var_names = [var_names]
    try:
        var_names = [str(v) for v in var_names]
    except TypeError as err:
        raise ValueError(
            f"var_names must be a variable name or a list of names; got {var_names!r}."
        ) from err
    missing = [v for v in var_names if v not in ds.data_vars]
    if missing:
        have = ", ".join(sorted(str(v) for v in ds.data_vars)) or "none"
        names = ", ".join(repr(v) for v in missing)
        return None, CheckResult(
            False,
            f"The posterior has no variable {names}, so {what} cannot be checked; name your "
            f"model's variables {names} (the posterior has: {have}).",
            {
                "error": "missing_variables",
                "missing": missing,
                "available": sorted(map(str, ds.data_vars)),
            },
        )
    return var_names, None


def _element_labels(da) -> list[str]:
    """``name[label, ...]`` for each element of a variable (sample dims removed)."""
    dims = [d for d in da.dims if d not in _SAMPLE_DIMS]
    if not dims:
        return [str(da.name)]
    idx = [
        [str(v) for v in (da.coords[d].values if d in da.coords else range(da.sizes[d]))]
        for d in dims
    ]
    return [
        f"{da.name}[{', '.join(t)}]"
        for t in np.array(np.meshgrid(*idx, indexing="ij")).reshape(len(dims), -1).T
    ]


def convergence(
    idata,
    *,
    var_names=None,
    max_rhat: float = MAX_RHAT,
    min_ess_bulk: float = MIN_ESS_BULK,
    min_ess_tail: float = MIN_ESS_TAIL,
) -> CheckResult:
    """Check R-hat and effective sample sizes of the posterior.

    Uses ArviZ's rank-normalised split R-hat and bulk/tail ESS (Vehtari et al. 2021) on every
    element of the chosen variables.  Elements that are constant over all draws (the unit
    diagonal of a correlation matrix) are skipped.

    Parameters
    ----------
    idata : DataTree or InferenceData
        The result of ``pm.sample``.
    var_names : str or list of str, optional
        Variables to check; default every posterior variable.
    max_rhat : float, default 1.01
        Largest acceptable R-hat.
    min_ess_bulk, min_ess_tail : float, default 400
        Smallest acceptable bulk / tail effective sample size.

    Returns
    -------
    CheckResult
        ``details["worst"]`` has per variable the largest R-hat and smallest ESS values.

    Examples
    --------
    >>> import numpy as np, arviz as az
    >>> rng = np.random.default_rng(0)
    >>> good = az.from_dict({"posterior": {"mu": rng.normal(size=(4, 1000))}})
    >>> convergence(good).passed
    True
    >>> stuck = rng.normal(size=(4, 1000)) + np.array([[0], [0], [0], [3]])
    >>> r = convergence(az.from_dict({"posterior": {"mu": stuck}}))
    >>> r.passed, r.message.startswith("R-hat of mu is")
    (False, True)
    """
    for name, value, low in (
        ("max_rhat", max_rhat, 1.0),
        ("min_ess_bulk", min_ess_bulk, 0.0),
        ("min_ess_tail", min_ess_tail, 0.0),
    ):
        if not isinstance(value, numbers.Real) or not math.isfinite(value) or value < low:
            raise ValueError(f"{name} must be a finite number >= {low:g}; got {value!r}.")
    ds, failed = _group_or_result(idata, "posterior", "convergence")
    if failed is not None:
        return failed
    names, failed = _select_vars(ds, var_names, "convergence")
    if failed is not None:
        return failed
    if not names:
        return CheckResult(False, "The posterior has no variables to check.", {"error": "empty"})

    from arviz_stats import ess, rhat

    problems = []  # (severity, text)
    worst = {}
    n_elements = 0
    n_chains = int(ds.sizes["chain"])
    for name in names:
        da = ds[name]
        if not np.issubdtype(da.dtype, np.number) and da.dtype != bool:
            continue
        da = da.astype(float)
        labels = _element_labels(da)
        flat = np.moveaxis(
            da.transpose(*_SAMPLE_DIMS, ...).values.reshape(n_chains, int(ds.sizes["draw"]), -1),
            -1,
            0,
        )  # (element, chain, draw)
        varying = np.array(
            [np.ptp(e[np.isfinite(e)]) > 0 if np.isfinite(e).any() else True for e in flat]
        )
        if not varying.any():
            continue
        with constant_entries_ignored():  # R-hat of an entry fixed by construction is 0/0
            r = np.asarray(rhat(da, sample_dims=list(_SAMPLE_DIMS)).values, dtype=float).ravel()
        eb = np.asarray(
            ess(da, sample_dims=list(_SAMPLE_DIMS), method="bulk").values, dtype=float
        ).ravel()
        et = np.asarray(
            ess(da, sample_dims=list(_SAMPLE_DIMS), method="tail").values, dtype=float
        ).ravel()
        r, eb, et = r[varying], eb[varying], et[varying]
        labs = [lab for lab, v in zip(labels, varying) if v]
        n_elements += len(labs)
        r_bad = np.where(~np.isfinite(r), np.inf, r)
        eb_bad = np.where(~np.isfinite(eb), 0.0, eb)
        et_bad = np.where(~np.isfinite(et), 0.0, et)
        worst[name] = {
            "max_rhat": float(r_bad.max()),
            "min_ess_bulk": float(eb_bad.min()),
            "min_ess_tail": float(et_bad.min()),
        }
        i = int(np.argmax(r_bad))
        if r_bad[i] > max_rhat:
            n_bad = int((r_bad > max_rhat).sum())
            more = f" ({n_bad} of {len(labs)} elements above the limit)" if len(labs) > 1 else ""
            problems.append(
                (
                    r_bad[i] - max_rhat,
                    f"R-hat of {labs[i]} is {r_bad[i]:.3f} (must be at most {max_rhat:.3f}){more}",
                )
            )
        for kind, arr, limit in (("bulk", eb_bad, min_ess_bulk), ("tail", et_bad, min_ess_tail)):
            j = int(np.argmin(arr))
            if arr[j] < limit:
                problems.append(
                    (
                        1 - arr[j] / max(limit, 1e-12),
                        f"{kind} ESS of {labs[j]} is {arr[j]:.0f} (need at least {limit:g})",
                    )
                )
    details = {
        "worst": worst,
        "max_rhat": float(max_rhat),
        "min_ess_bulk": float(min_ess_bulk),
        "min_ess_tail": float(min_ess_tail),
        "n_elements": n_elements,
        "n_chains": n_chains,
        "n_draws": int(ds.sizes["draw"]),
    }
    if n_elements == 0:
        return CheckResult(
            False, "No posterior variable varies over the draws; nothing to check.", details
        )
    if not problems:
        mr = max(w["max_rhat"] for w in worst.values())
        mb = min(w["min_ess_bulk"] for w in worst.values())
        mt = min(w["min_ess_tail"] for w in worst.values())
        return CheckResult(
            True,
            f"Converged: largest R-hat {_fmt(mr)} (limit {_fmt(max_rhat)}), smallest bulk ESS "
            f"{mb:.0f} and tail ESS {mt:.0f} (need {min_ess_bulk:g} and {min_ess_tail:g}) over "
            f"{_plural(n_elements, 'parameter')}.",
            details,
        )
    # R-hat first (the chains disagree), then ESS, each from the worst down
    problems.sort(key=lambda p: (not p[1].startswith("R-hat"), -p[0]))
    shown = [t for _, t in problems[:3]]
    more = f" and {len(problems) - 3} more problem(s)" if len(problems) > 3 else ""
    text = "; ".join(shown)
    advice = (
        f"Run more draws or chains (you ran {n_chains} x {int(ds.sizes['draw'])}); if R-hat stays "
        "high or there are divergences, reparameterise (non-centred)."
    )
    return CheckResult(False, f"{text[0].upper()}{text[1:]}{more}. {advice}", details)


# --------------------------------------------------------------------------------------------
# recovery
# --------------------------------------------------------------------------------------------


def _truth_from(truth):
    """``(truth_dict, simulation_or_None)``; raises ValueError on nonsense."""
    if hasattr(truth, "truth") and hasattr(truth, "data") and hasattr(truth, "roles"):
        t = truth.truth
        sim = truth
    else:
        t, sim = truth, None
    if not isinstance(t, Mapping) or not t:
        raise ValueError(
            "truth must be a non-empty dict of true values (e.g. Simulation.truth) or a "
            f"Simulation; got {_describe_type(truth)}."
        )
    return t, sim


def _is_scalar_truth(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _is_group_truth(v) -> bool:
    return isinstance(v, Mapping) and len(v) > 0 and all(_is_scalar_truth(x) for x in v.values())


def _binom_allowance(n: int, p: float, alpha: float) -> int:
    """Smallest k with P(Binomial(n, p) > k) <= alpha."""
    from scipy import stats

    k = 0
    while k < n and stats.binom.sf(k, n, p) > alpha:
        k += 1
    return k


def _draws(da) -> np.ndarray:
    """Draws of a variable as ``(n_samples, *element_shape)``."""
    da = da.transpose(*_SAMPLE_DIMS, ...)
    v = np.asarray(da.values, dtype=float)
    return v.reshape(-1, *v.shape[2:])


def reference_sd(sim, *, prior_sd=None) -> dict[str, float]:
    r"""What a correct varying-slopes model's posterior sd of ``mu_a`` and ``mu_b`` should be.

    The population means of a linear varying-effects model with known covariance
    :math:`\Sigma` (from ``sigma_a``, ``sigma_b``, ``rho``) and residual sd :math:`\sigma`: each
    group's data carry information :math:`A_j = (\Sigma + \sigma^2 (X_j^\top X_j)^{-1})^{-1}`
    about :math:`\mu = (\mu_a, \mu_b)`, so :math:`\operatorname{Cov}(\mu \mid y) =
    (\sum_j A_j + P_0)^{-1}` with :math:`P_0` the prior precision (flat by default).  Computed
    with the true hyperparameters of the :class:`~teachkit.simulate.Simulation`; a real posterior
    also carries uncertainty about them, so compare within a band (see :func:`recovery`).

    Parameters
    ----------
    sim : Simulation
        A Gaussian simulation (``varying_effects``, ``ozone``, ``funnel``).
    prior_sd : dict, optional
        Prior sds of ``mu_a`` and ``mu_b`` (Normal priors); default flat.

    Returns
    -------
    dict
        ``{"mu_a": sd, "mu_b": sd}``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from types import SimpleNamespace
    >>> x = np.tile(np.linspace(-1, 1, 50), 20)
    >>> data = pd.DataFrame({"group": np.repeat(np.arange(20), 50), "x": x, "y": 0.0})
    >>> truth = {"sigma_a": 1.0, "sigma_b": 0.5, "rho": 0.0, "sigma": 0.1}
    >>> sim = SimpleNamespace(kind="varying_effects", data=data, truth=truth,
    ...                       roles={"group": "group", "x": "x", "y": "y"})
    >>> sd = reference_sd(sim)   # about sigma_a / sqrt(20) and sigma_b / sqrt(20)
    >>> round(sd["mu_a"], 3), round(sd["mu_b"], 3)
    (0.224, 0.112)
    """
    t, _ = _truth_from(sim)
    kind = getattr(sim, "kind", None)
    roles = getattr(sim, "roles", None)
    if kind not in gaussian_kinds() or not isinstance(roles, Mapping):
        raise ValueError(
            f"reference_sd needs a Gaussian simulation (kind one of {gaussian_kinds()}); got "
            f"kind {kind!r}."
        )
    for key in ("sigma_a", "sigma_b", "rho", "sigma"):
        if not _is_scalar_truth(t.get(key)):
            raise ValueError(f"reference_sd needs truth[{key!r}] as a number; got {t.get(key)!r}.")
    data = sim.data
    g = data[roles["group"]]
    x = np.asarray(data[roles["x"]], dtype=float)
    sa, sb, rho, s = (float(t[k]) for k in ("sigma_a", "sigma_b", "rho", "sigma"))
    cov = np.array([[sa * sa, rho * sa * sb], [rho * sa * sb, sb * sb]])
    cov = cov + 1e-12 * np.eye(2)
    cov_inv = np.linalg.inv(cov)
    info = np.zeros((2, 2))
    codes = np.asarray(g.cat.codes if hasattr(g, "cat") else np.unique(g, return_inverse=True)[1])
    for j in np.unique(codes):
        xj = x[codes == j]
        xtx = np.array([[xj.size, xj.sum()], [xj.sum(), xj @ xj]]) / (s * s)
        # Woodbury: (Sigma + V)^-1 = Sigma^-1 - Sigma^-1 (Sigma^-1 + X'X/s^2)^-1 Sigma^-1
        info += cov_inv - cov_inv @ np.linalg.inv(cov_inv + xtx) @ cov_inv
    if prior_sd:
        for i, key in enumerate(("mu_a", "mu_b")):
            if key in prior_sd:
                info[i, i] += 1.0 / float(prior_sd[key]) ** 2
    post = np.linalg.inv(info)
    return {"mu_a": float(math.sqrt(post[0, 0])), "mu_b": float(math.sqrt(post[1, 1]))}


def _band(pair, what) -> tuple[float, float]:
    try:
        lo, hi = (float(b) for b in pair)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"sd_band{what} must be a pair (low, high) of ratios; got {pair!r}."
        ) from err
    if not 0 < lo < 1 < hi:
        raise ValueError(f"sd_band{what} must satisfy 0 < low < 1 < high; got {pair!r}.")
    return lo, hi


def _bands(sd_band) -> dict:
    """``{name: (lo, hi)}`` with the fallback under key ``None``."""
    if isinstance(sd_band, Mapping):
        out = {str(k): _band(v, f"[{k!r}]") for k, v in sd_band.items()}
        out[None] = _DEFAULT_BAND
        return out
    return {None: _band(sd_band, "")}


def _match_groups(da, truth_dict: Mapping, name: str):
    """Align a 1-D posterior variable with a truth dict.

    Returns ``(index_array, labels, note)`` or raises ``_Mismatch`` with a message.
    """
    dim = next(d for d in da.dims if d not in _SAMPLE_DIMS)
    labels_truth = [str(k) for k in truth_dict]
    if dim in da.coords:
        coord = [str(v) for v in da.coords[dim].values]
    else:
        coord = [str(i) for i in range(da.sizes[dim])]
    pos = {c: i for i, c in enumerate(coord)}
    if all(lab in pos for lab in labels_truth):
        return np.array([pos[lab] for lab in labels_truth]), labels_truth, None
    default_coord = coord == [str(i) for i in range(len(coord))]
    if default_coord and len(coord) == len(labels_truth):
        note = (
            f"'{name}' has no group labels on dimension '{dim}', so groups were matched by "
            "position; give the model coords to be safe"
        )
        return np.arange(len(coord)), labels_truth, note
    missing = [lab for lab in labels_truth if lab not in pos]
    raise _Mismatch(
        f"'{name}' runs over {len(coord)} {dim} labels ({', '.join(coord[:4])}"
        f"{', ...' if len(coord) > 4 else ''}), but the truth has {len(labels_truth)} groups; "
        f"{_plural(len(missing), 'group')} ({', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''}) "
        f"have no match. Build the model with coords={{'{dim}': <the group labels of the data>}}."
    )


class _Mismatch(Exception):
    pass


def recovery(
    idata,
    truth,
    *,
    var_names=None,
    prob: float = PROB,
    group_prob: float = GROUP_PROB,
    group_alpha: float = GROUP_ALPHA,
    max_group_misses: int | None = None,
    sd_reference="auto",
    sd_band=SD_BAND,
) -> CheckResult:
    r"""Check that the posterior recovered the true parameter values.

    Three tests, all of which must pass:

    1. **Hyperparameters** (scalars: ``mu_a``, ``sigma_b``, ``rho``, ...): each true value lies
       inside its central ``prob`` posterior interval (default 99.8%, about
       :math:`|z| < 3.29` -- a Bonferroni-style level that keeps the false-fail rate of a correct
       model near 1% over half a dozen parameters).
    2. **Group coefficients** (dicts keyed by group label, e.g. ``alpha``, ``beta``): each is
       held against its central ``group_prob`` interval and the *count* of misses may not exceed
       an allowance: the largest count that ``Binomial(n_groups, 1 - group_prob)`` exceeds with
       probability at most ``group_alpha`` (or ``max_group_misses`` if given).  Group labels are
       matched to the coordinate values of the variable's dimension.  A variable without a group
       dimension (a pooled slope) is held against every group's truth.
    3. **Posterior width** (``sd_reference``): a wrong model can cover the truth with an
       over-confident posterior (a pooled slope mean with a 6x too small sd).  The posterior sd of
       each referenced parameter divided by its reference must lie inside ``sd_band``.

    Parameters
    ----------
    idata : DataTree or InferenceData
        The result of ``pm.sample``.
    truth : dict or Simulation
        True values, as in ``Simulation.truth``: numbers for hyperparameters, dicts
        ``{group label: value}`` for group coefficients; or the ``Simulation`` itself.
    var_names : list of str, optional
        Variables to check (each must be in the posterior and in the truth).  Default: every
        truth key whose value is a number or a dict of numbers; the check fails, naming them,
        if the posterior lacks any (a model without varying slopes has no ``beta`` per group
        and no ``sigma_b``, so it cannot have recovered them).  Pass ``var_names`` to check a
        subset, e.g. the pooled model's ``["mu_a", "mu_b", "sigma"]``.
    prob : float, default 0.998
        Central interval probability for hyperparameters.
    group_prob : float, default 0.998
        Central interval probability for each group coefficient.
    group_alpha : float, default 0.005
        False-fail budget per group variable used to set the allowance of misses.
    max_group_misses : int, optional
        A fixed allowance instead of the binomial one.
    sd_reference : "auto", dict, ArviZ data or None, default "auto"
        Reference posterior sds: a dict ``{name: sd}``, the ArviZ data of a reference fit
        (its posterior sds are taken), ``"auto"`` (when ``truth`` is a Gaussian ``Simulation``:
        :func:`reference_sd` for ``mu_a`` and ``mu_b``; otherwise no width test) or ``None``.
    sd_band : (float, float) or dict, default ``{"mu_a": (0.5, 2.0), "mu_b": (0.7, 2.0)}``
        Allowed range of posterior sd / reference sd: one pair for every parameter, or a dict
        of pairs by name (names not in it get (0.5, 2.0)).

    Returns
    -------
    CheckResult
        ``details["parameters"]`` has per checked element the truth, posterior mean and sd,
        interval and verdict; ``details["sd_ratios"]`` the width test.

    Examples
    --------
    >>> import numpy as np, arviz as az
    >>> rng = np.random.default_rng(1)
    >>> post = {"mu_b": rng.normal(0.05, 0.01, size=(4, 500)),
    ...         "beta": rng.normal([0.03, 0.05, 0.07], 0.01, size=(4, 500, 3))}
    >>> idata = az.from_dict({"posterior": post}, dims={"beta": ["station"]},
    ...                      coords={"station": ["Aotizhongxin", "Dingling", "Wanliu"]})
    >>> truth = {"mu_b": 0.05, "beta": {"Aotizhongxin": 0.03, "Dingling": 0.05, "Wanliu": 0.07}}
    >>> recovery(idata, truth).passed
    True
    >>> truth["beta"]["Wanliu"] = 0.12
    >>> r = recovery(idata, truth, max_group_misses=0)
    >>> r.passed
    False
    >>> print(r.message.split(";")[0])
    1 of 3 station values of beta lie outside their 99.8% interval, more than the 0 allowed (worst: Wanliu, truth 0.12 vs interval [0.0417, 0.102])
    """
    prob = _validate_prob(prob, "prob")
    group_prob = _validate_prob(group_prob, "group_prob")
    group_alpha = _validate_prob(group_alpha, "group_alpha")
    if max_group_misses is not None and (
        not isinstance(max_group_misses, numbers.Integral) or max_group_misses < 0
    ):
        raise ValueError(f"max_group_misses must be a whole number >= 0; got {max_group_misses!r}.")
    bands = _bands(sd_band)
    t, sim = _truth_from(truth)

    ds, failed = _group_or_result(idata, "posterior", "recovery")
    if failed is not None:
        return failed

    checkable = [k for k, v in t.items() if _is_scalar_truth(v) or _is_group_truth(v)]
    if var_names is None:
        names = [k for k in checkable if k in ds.data_vars]
        skipped = [k for k in checkable if k not in ds.data_vars]
        if not names:
            return CheckResult(
                False,
                "None of the true parameters "
                f"({', '.join(checkable)}) is a variable of the posterior (it has: "
                f"{', '.join(sorted(map(str, ds.data_vars))) or 'none'}); name your variables "
                "as in the truth.",
                {"error": "no_variables", "truth_keys": checkable},
            )
    else:
        names, failed = _select_vars(ds, var_names, "recovery")
        if failed is not None:
            return failed
        not_truth = [n for n in names if n not in checkable]
        if not_truth:
            raise ValueError(
                f"var_names {not_truth} have no true value to compare with; the truth has: "
                f"{', '.join(checkable)}."
            )
        skipped = []

    parameters = []  # one dict per checked element
    hyper_fail, group_fail, shape_fail = [], [], []
    if skipped:
        shape_fail.append(_missing_sentence(skipped))
    group_summary = {}
    notes = []
    for name in names:
        da = ds[name]
        tv = t[name]
        extra = [d for d in da.dims if d not in _SAMPLE_DIMS]
        draws = _draws(da)
        if _is_scalar_truth(tv):
            if extra:
                shape_fail.append(
                    f"'{name}' should be a single number but the posterior's '{name}' has "
                    f"dimensions {tuple(map(str, extra))}; store the scalar itself (e.g. "
                    f"pm.Deterministic('{name}', corr[0, 1]))"
                )
                continue
            q_lo, q_hi = np.quantile(draws, [(1 - prob) / 2, (1 + prob) / 2])
            mean, sd = float(draws.mean()), float(draws.std())
            ok = bool(q_lo <= tv <= q_hi) and q_hi > q_lo  # a single value is not a posterior
            rec = {
                "name": name,
                "group": None,
                "truth": float(tv),
                "mean": mean,
                "sd": sd,
                "low": float(q_lo),
                "high": float(q_hi),
                "prob": prob,
                "inside": ok,
                "z": (float(tv) - mean) / sd if sd > 0 else float("inf"),
            }
            parameters.append(rec)
            if not ok:
                hyper_fail.append(rec)
            continue
        # a group truth
        groups = list(tv)
        if len(extra) > 1:
            shape_fail.append(
                f"'{name}' should have one value per group but the posterior's '{name}' has "
                f"dimensions {tuple(map(str, extra))}"
            )
            continue
        if not extra:
            idx = np.zeros(len(groups), dtype=int)
            draws2 = draws.reshape(-1, 1)
            dim = "group"
            notes.append(
                f"'{name}' has no group dimension, so one value stands for all {len(groups)} groups"
            )
        else:
            dim = str(extra[0])
            try:
                idx, _, note = _match_groups(da, tv, name)
            except _Mismatch as err:
                shape_fail.append(str(err))
                continue
            if note:
                notes.append(note)
            draws2 = draws
        q = np.quantile(draws2, [(1 - group_prob) / 2, (1 + group_prob) / 2], axis=0)
        means, sds = draws2.mean(axis=0), draws2.std(axis=0)
        misses = []
        for k, g in enumerate(groups):
            i = idx[k]
            truth_g = float(tv[g])
            ok = bool(q[0, i] <= truth_g <= q[1, i]) and q[1, i] > q[0, i]
            z = (truth_g - means[i]) / sds[i] if sds[i] > 0 else float("inf")
            rec = {
                "name": name,
                "group": str(g),
                "truth": truth_g,
                "mean": float(means[i]),
                "sd": float(sds[i]),
                "low": float(q[0, i]),
                "high": float(q[1, i]),
                "prob": group_prob,
                "inside": ok,
                "z": float(z),
            }
            parameters.append(rec)
            if not ok:
                misses.append(rec)
        n = len(groups)
        allowed = (
            int(max_group_misses)
            if max_group_misses is not None
            else _binom_allowance(n, 1 - group_prob, group_alpha)
        )
        group_summary[name] = {"n_groups": n, "misses": len(misses), "allowed": allowed, "dim": dim}
        if len(misses) > allowed:
            worst = max(misses, key=lambda r: abs(r["z"]))
            group_fail.append((name, dim, n, misses, allowed, worst, not extra))

    # width test
    sd_ratios = {}
    width_fail = []
    ref = sd_reference
    if isinstance(ref, str):
        if ref != "auto":
            raise ValueError(
                f"sd_reference must be 'auto', a dict, ArviZ data or None; got {ref!r}."
            )
        ref = None
        if sim is not None and getattr(sim, "kind", None) in gaussian_kinds():
            ref = reference_sd(sim)
    elif (
        ref is not None
        and not isinstance(ref, Mapping)
        or (isinstance(ref, Mapping) and ref and not all(_is_scalar_truth(v) for v in ref.values()))
    ):
        try:
            ref_ds = _get_group(ref, "posterior")
        except TypeError:
            ref_ds = None
        if ref_ds is None:
            raise ValueError(
                "sd_reference must be a dict {name: sd}, the ArviZ data of a reference fit, "
                f"'auto' or None; got {_describe_type(sd_reference)}."
            )
        ref = {
            str(k): float(_draws(ref_ds[k]).std())
            for k in ref_ds.data_vars
            if ref_ds[k].ndim == 2 and k in t and _is_scalar_truth(t[k])
        }
    if ref:
        for key, ref_sd in ref.items():
            if key not in ds.data_vars:
                continue
            da = ds[key]
            if any(d not in _SAMPLE_DIMS for d in da.dims):
                continue
            sd = float(_draws(da).std())
            ratio = sd / float(ref_sd) if ref_sd > 0 else float("inf")
            sd_ratios[key] = {"sd": sd, "reference": float(ref_sd), "ratio": ratio}
            lo_band, hi_band = bands.get(key, bands[None])
            sd_ratios[key]["band"] = [lo_band, hi_band]
            if not lo_band <= ratio <= hi_band:
                width_fail.append((key, sd, float(ref_sd), ratio, lo_band))

    details = {
        "parameters": parameters,
        "groups": group_summary,
        "sd_ratios": sd_ratios,
        "skipped": skipped,
        "notes": notes,
        "prob": prob,
        "group_prob": group_prob,
        "sd_band": {str(k): list(v) for k, v in bands.items()},
    }
    sentences = list(shape_fail)
    if hyper_fail:
        parts = [
            f"{r['name']} (truth {_fmt(r['truth'])} vs interval [{_fmt(r['low'])}, {_fmt(r['high'])}], "
            f"{_fmt(abs(r['z']))} sd {'above' if r['z'] > 0 else 'below'} the mean)"
            if r["high"] > r["low"]
            else f"{r['name']} (every draw is {_fmt(r['mean'])}: a single value, not a posterior)"
            for r in hyper_fail
        ]
        sentences.append(
            f"{_plural(len(hyper_fail), 'true value')} outside {'its' if len(hyper_fail) == 1 else 'their'} "
            f"{_pct(prob)} interval: {', '.join(parts)}"
        )
    for name, dim, n, misses, allowed, worst, pooled in group_fail:
        hint = (
            f"the model gives all {dim}s one {name}; it may be missing varying "
            f"{'slopes' if name == 'beta' else 'intercepts' if name == 'alpha' else name}"
            if pooled
            else "the model may be missing varying slopes or a correlation between intercepts and slopes"
        )
        sentences.append(
            f"{len(misses)} of {n} {dim} values of {name} lie outside their {_pct(group_prob)} "
            f"interval, more than the {allowed} allowed (worst: {worst['group']}, truth "
            f"{_fmt(worst['truth'])} vs interval [{_fmt(worst['low'])}, {_fmt(worst['high'])}]); "
            f"{hint}"
        )
    for key, sd, ref_sd, ratio, lo_band in width_fail:
        if ratio < lo_band:
            sentences.append(
                f"the posterior sd of {key} is {_fmt(sd)}, {_fmt(1 / ratio)} times smaller than a "
                f"correct model gives ({_fmt(ref_sd)}): the model is over-confident, likely missing "
                "group-level variation (varying slopes/intercepts)"
            )
        else:
            sentences.append(
                f"the posterior sd of {key} is {_fmt(sd)}, {_fmt(ratio)} times larger than a correct "
                f"model gives ({_fmt(ref_sd)}): check the priors and the likelihood"
            )
    if sentences:
        text = "; ".join(sentences)
        return CheckResult(False, text[0].upper() + text[1:] + ".", details)
    n_hyper = sum(1 for p in parameters if p["group"] is None)
    n_group = len(parameters) - n_hyper
    msg = (
        f"Recovered the truth: {n_hyper} hyperparameter(s) inside their {_pct(prob)} interval"
        + (
            ", group coefficients within the allowed misses ("
            + ", ".join(f"{k}: {v['misses']} of {v['n_groups']}" for k, v in group_summary.items())
            + ")"
            if n_group
            else ""
        )
        + (
            ", posterior sd close to a correct model's ("
            + ", ".join(
                f"{k}: {_fmt(v['ratio'])}x, allowed {_fmt(v['band'][0])}-{_fmt(v['band'][1])}x"
                for k, v in sd_ratios.items()
            )
            + ")"
            if sd_ratios
            else ""
        )
        + "."
    )
    return CheckResult(True, msg, details)


def extreme_group(
    idata,
    var_name: str,
    answer,
    *,
    dim: str,
    end: str = "highest",
    what: str | None = None,
    tie_sd: float = 0.1,
) -> CheckResult:
    """Check an answer read off a posterior: the group with the highest (lowest) posterior mean.

    The answer is judged against the posterior it was read from, not against the truth: when two
    groups are practically tied, a correct fit may rank either first depending on its chains, so
    any group whose posterior mean lies within ``tie_sd`` posterior sds of the extreme one counts.

    Parameters
    ----------
    idata : DataTree or InferenceData
        The fit the answer was read from.
    var_name : str
        The group-level variable (e.g. ``"alpha"``).
    answer : str
        The group label given as the answer.
    dim : str
        The group dimension (e.g. ``"station"``).
    end : {"highest", "lowest"}
    what : str, optional
        What the variable means, for the message (default: the variable's name).
    tie_sd : float, default 0.1
        Closeness, in posterior sds of the extreme group, that counts as a tie.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import numpy as np, arviz as az
    >>> rng = np.random.default_rng(0)
    >>> post = {"alpha": rng.normal([3.4, 3.6, 3.6001], 0.05, size=(2, 500, 3))}
    >>> idata = az.from_dict({"posterior": post}, dims={"alpha": ["station"]},
    ...                      coords={"station": ["Wanliu", "Dingling", "Dongsi"]})
    >>> extreme_group(idata, "alpha", "Dongsi", dim="station").passed  # tied with Dingling
    True
    >>> print(extreme_group(idata, "alpha", "Wanliu", dim="station", what="baseline").message)
    'Wanliu' is not the station with the highest baseline in this posterior: the highest posterior mean of alpha is Dingling's (3.6), Wanliu's is 3.39; compare the posterior means of alpha across stations.
    """
    if end not in ("highest", "lowest"):
        raise ValueError(f"end must be 'highest' or 'lowest'; got {end!r}.")
    ds, failed = _group_or_result(idata, "posterior", f"the {end} {var_name}")
    if failed is not None:
        return failed
    if var_name not in ds.data_vars or dim not in ds[var_name].dims:
        return CheckResult(
            False,
            f"The posterior has no {var_name} with a '{dim}' dimension to read the {end} {dim} from.",
            {"error": "missing_variable"},
        )
    da = ds[var_name]
    labels = [str(v) for v in da[dim].values]
    if not isinstance(answer, str) or answer not in labels:
        return CheckResult(
            False,
            f"{answer!r} is not one of the {dim}s ({', '.join(labels)}); give the {dim}'s name as a string.",
            {"error": "not_a_label", "labels": labels},
        )
    means = da.mean(_SAMPLE_DIMS).values.astype(float)
    sds = da.std(_SAMPLE_DIMS).values.astype(float)
    best = int(np.argmax(means) if end == "highest" else np.argmin(means))
    got = labels.index(answer)
    gap = abs(means[got] - means[best])
    details = {"means": dict(zip(labels, means.tolist())), "extreme": labels[best], "gap_sd": gap / max(sds[best], 1e-300)}
    if gap <= tie_sd * sds[best]:
        tie = "" if got == best else f" (tied with {labels[best]})"
        return CheckResult(True, f"{answer} has the {end} posterior mean of {var_name}{tie}.", details)
    return CheckResult(
        False,
        f"{answer!r} is not the {dim} with the {end} {what or var_name} in this posterior: the {end} "
        f"posterior mean of {var_name} is {labels[best]}'s ({_fmt(means[best])}), {answer}'s is "
        f"{_fmt(means[got])}; compare the posterior means of {var_name} across {dim}s.",
        details,
    )


#: What a model needs in order to have each true parameter (for :func:`recovery`'s messages).
_NEEDS = {
    "alpha": "varying intercepts",
    "sigma_a": "varying intercepts",
    "beta": "varying slopes",
    "sigma_b": "varying slopes",
    "rho": "correlated intercepts and slopes (an LKJ prior)",
}


def _missing_sentence(missing: list[str]) -> str:
    """``recovery``'s sentence for true parameters the posterior does not have."""
    needs = list(dict.fromkeys(_NEEDS[k] for k in missing if k in _NEEDS))
    sentence = (
        f"the posterior has no {', '.join(missing)}, so the truth's "
        f"{'value' if len(missing) == 1 else 'values'} of {'it' if len(missing) == 1 else 'them'} "
        "cannot have been recovered"
    )
    if needs:
        sentence += f": the model lacks {' and '.join(needs)}"
    return sentence + (
        " (name the variables as in the truth, or pass var_names=[...] to check only some)"
    )


# --------------------------------------------------------------------------------------------
# data_match
# --------------------------------------------------------------------------------------------
def data_match(idata, sim, *, rtol: float = 1e-9) -> CheckResult:
    """Check that the fit used the simulation's data (and not, say, another seed's).

    Recovery alone cannot always tell: a model fitted on the data of another seed shares every
    hyperparameter's truth, and station intercepts at 0 °C are uncertain enough that another
    seed's often fall inside their intervals. The ``observed_data`` group that ``pm.sample``
    stores settles it: one of its variables must hold the simulation's outcome column
    (``roles["y"]``, or ``roles["successes"]`` for grants), in any order or shape.

    Parameters
    ----------
    idata : DataTree or InferenceData
        The result of ``pm.sample`` (with its ``observed_data`` group).
    sim : Simulation
        The data the fit should have used.
    rtol : float
        Relative tolerance of the comparison.

    Returns
    -------
    CheckResult
        ``details`` has the matching variable (``"matched"``) or, per observed variable, how
        many values differ.

    Examples
    --------
    >>> import numpy as np, arviz as az
    >>> from teachkit import simulate
    >>> sim = simulate.funnel(seed=1)
    >>> post = {"mu_a": np.zeros((2, 10))}
    >>> ok = az.from_dict({"posterior": post, "observed_data": {"y": sim.data["y"].to_numpy()}})
    >>> data_match(ok, sim).passed
    True
    >>> other = simulate.funnel(seed=2).data["y"].to_numpy()
    >>> bad = az.from_dict({"posterior": post, "observed_data": {"y": other}})
    >>> print(data_match(bad, sim).message)  # doctest: +ELLIPSIS
    The fit's observed data are not this assignment's: 'y' differs from the simulated y (seed 1) in 100 of 100 values...
    """
    if not (hasattr(sim, "data") and hasattr(sim, "roles")):
        raise ValueError(f"sim must be a teachkit Simulation; got {_describe_type(sim)}.")
    column = sim.roles.get("y") or sim.roles.get("successes")
    if column is None or column not in sim.data:
        raise ValueError(f"the simulation has no outcome column among its roles {sim.roles}.")
    target = np.sort(np.asarray(sim.data[column], dtype=float).ravel())
    seed = (getattr(sim, "params", None) or {}).get("seed")
    where = f"the simulated {column}" + (f" (seed {seed})" if seed is not None else "")
    try:
        ds = _get_group(idata, "observed_data")
    except TypeError:
        return _not_arviz(idata, "observed_data")
    if ds is None:
        return CheckResult(
            False,
            "The fit has no observed data to compare with the assignment's; write the likelihood "
            "with observed=... (e.g. pm.Normal(..., observed=log_ozone)) and pass the full "
            "result of pm.sample.",
            {"error": "missing_group", "group": "observed_data"},
        )
    differing = {}
    for name in ds.data_vars:
        values = np.asarray(ds[name].values, dtype=float).ravel()
        if values.size != target.size:
            differing[str(name)] = f"{values.size} values instead of {target.size}"
            continue
        diff = int(np.sum(~np.isclose(np.sort(values), target, rtol=rtol, atol=0.0)))
        if diff == 0:
            return CheckResult(
                True,
                f"The fit used the assignment's data ('{name}' holds the {target.size} values of "
                f"{where}).",
                {"matched": str(name)},
            )
        differing[str(name)] = f"{diff} of {target.size} values"
    listed = "; ".join(f"'{k}' differs from {where} in {v}" for k, v in differing.items())
    return CheckResult(
        False,
        f"The fit's observed data are not this assignment's: {listed or 'it has no variables'}. "
        "Fit the data the notebook loads and do not change DATA_SEED.",
        {"differing": differing},
    )


# --------------------------------------------------------------------------------------------
# structure
# --------------------------------------------------------------------------------------------

DESCRIPTION_SCHEMA = "teachkit.describe_model/1"


def _dist_name(rv) -> str:
    """``'Normal'``, ``'HalfCauchy'``, ``'LKJCholeskyCov'``, ``'MvNormal'`` ..."""
    op = rv.owner.op
    name = type(op).__name__
    name = name.lstrip("_")
    name = name.removesuffix("RV")
    return name


def _dist_params(rv):
    node = rv.owner
    op = node.op
    try:
        return list(op.dist_params(node))
    except Exception:  # noqa: BLE001 - fall back to all non-RNG inputs
        return [i for i in node.inputs[1:]]


def _is_product(node) -> bool:
    """Whether an Apply node multiplies its inputs (``*``, ``@``, ``dot``)."""
    op = node.op
    core = getattr(op, "core_op", None)  # Blockwise(matmul)
    scalar = getattr(op, "scalar_op", None)  # Elemwise(mul)
    names = {type(op).__name__, type(core).__name__, type(scalar).__name__}
    return bool(names & {"Mul", "Dot", "MatMul", "Dot22", "BatchedDot"}) or any(
        "Dot" in n or "MatMul" in n for n in names
    )


def _const_values(var):
    """The value of a graph with no random inputs, or None."""
    from pytensor.graph.basic import Constant
    from pytensor.graph.traversal import ancestors

    for a in ancestors([var]):
        if a.owner is None and not isinstance(a, Constant):
            return None
    if isinstance(var, Constant):
        return np.asarray(var.data)
    try:  # constant folding without compiling (Alloc/DimShuffle/casts of constants)
        import pytensor.tensor as pt

        return np.asarray(pt.get_underlying_scalar_constant_value(var))
    except Exception:  # noqa: BLE001, S110 - not a scalar constant: evaluate the small graph
        pass
    try:
        return np.asarray(var.eval())
    except Exception:  # noqa: BLE001 - not evaluable: treat as not constant
        return None


def _user_params(dist: str, params) -> list:
    """A prior's constant parameters as its author writes them (``Normal(0, 0.1)`` -> [0, 0.1]).

    PyMC stores some parameters differently from how they are written: the half distributions
    carry a location of 0 first, ``Exponential(lam)`` stores its scale ``1 / lam``, and
    ``Normal(mu, tau=t)`` stores ``sigma``. Entries that are not constants (a parameter that
    depends on other variables, as in a hierarchical prior) are ``None``; arrays are lists.
    """
    values = []
    for p in params:
        v = _const_values(p)
        if v is None or v.dtype.kind not in "biuf" or v.size > 16:
            values.append(None)
        else:
            values.append(float(v) if v.ndim == 0 else v.astype(float).tolist())
    if dist.startswith("Half") and len(values) > 1 and values[0] == 0.0:
        values = values[1:]
    if dist == "Exponential" and values and isinstance(values[0], float) and values[0] > 0:
        values = [1.0 / values[0]]
    return values


def _prior_text(dist: str, params) -> str:
    def one(v):
        return "?" if v is None else _fmt(v) if isinstance(v, float) else str(v)

    return f"{dist}({', '.join(one(v) for v in params)})"


def _shape_list(var, dims, coords):
    if dims:
        return [len(coords.get(d, ())) if d in coords else None for d in dims]
    shp = var.type.shape
    return [None if s is None else int(s) for s in shp]


def describe_model(model) -> dict:
    """A JSON-serialisable description of a PyMC model's structure.

    What :func:`structure` needs to judge a model, in a form that survives export to a clean
    grading process: the free random variables (name, distribution, dims, shape), the
    deterministics, the observed variables and potentials, the coords, whether an
    ``LKJCholeskyCov``/``LKJCorr`` prior is present (and its ``eta``), which group-level
    variables are *centred* (a random variable with group dims whose distribution has other
    random variables as parameters) and which are *non-centred offsets* (a standard-normal
    variable with group dims that a derived variable combines with other random variables).

    Parameters
    ----------
    model : pymc.Model

    Returns
    -------
    dict
        Keys ``schema``, ``free_rvs``, ``deterministics``, ``observed``, ``potentials``,
        ``coords``, ``lkj``, ``lkj_eta``, ``centered``, ``noncentered_offsets``, ``noncentered``.

    Examples
    --------
    >>> import json, pymc as pm
    >>> with pm.Model(coords={"group": ["a", "b", "c"]}) as m:
    ...     mu = pm.Normal("mu_a", 0, 2)
    ...     tau = pm.HalfCauchy("sigma_a", 1)
    ...     z = pm.Normal("z", 0, 1, dims="group")
    ...     alpha = pm.Deterministic("alpha", mu + tau * z, dims="group")
    ...     y = pm.Normal("y", alpha, 1, observed=[0.1, -0.2, 0.3])
    >>> d = describe_model(m)
    >>> [(v["name"], v["distribution"]) for v in d["free_rvs"]]
    [('mu_a', 'Normal'), ('sigma_a', 'HalfCauchy'), ('z', 'Normal')]
    >>> d["noncentered"], d["noncentered_offsets"], d["lkj"]
    (True, ['z'], False)
    >>> _ = json.dumps(d)   # serialisable
    """
    try:
        import pymc as pm
    except ImportError as err:  # pragma: no cover - pymc is a dependency
        raise ValueError("describe_model needs PyMC installed.") from err
    if not isinstance(model, pm.Model):
        raise ValueError(  # noqa: TRY004 - the project raises ValueError for bad arguments
            f"describe_model expects a pymc.Model (the object of `with pm.Model() as model:`); "
            f"got {_describe_type(model)}."
        )
    from pytensor.graph.traversal import ancestors

    coords = {
        str(k): [str(v) for v in (vals if vals is not None else [])]
        for k, vals in model.coords.items()
    }
    dims_of = {
        str(k): [str(d) for d in v] if v else [] for k, v in model.named_vars_to_dims.items()
    }
    free = list(model.free_RVs)
    free_set = set(free)
    free_rvs, centered, offsets = [], [], []
    lkj, lkj_eta = False, None
    for rv in free:
        dist = _dist_name(rv)
        dims = dims_of.get(rv.name, [])
        entry = {
            "name": rv.name,
            "distribution": dist,
            "dims": dims,
            "shape": _shape_list(rv, dims, coords),
            "params": _user_params(dist, _dist_params(rv)),
        }
        free_rvs.append(entry)
        if dist.startswith("LKJ"):
            lkj = True
            # LKJCorr and LKJCholeskyCov take (n, eta, ...): eta is the second parameter, whether
            # written as an int (eta=200) or a float
            params = _dist_params(rv)
            val = _const_values(params[1]) if len(params) > 1 else None
            if val is not None and val.ndim == 0 and val.dtype.kind in "fiu":
                lkj_eta = float(val)
        group_level = bool(dims) or (rv.type.ndim > 0 and not dist.startswith("LKJ"))
        if not group_level:
            continue
        params = _dist_params(rv)
        depends = any(a in free_set for a in ancestors(params))
        if depends:
            centered.append(rv.name)
        elif dist == "Normal":
            vals = [_const_values(p) for p in params]
            if (
                len(vals) >= 2
                and all(v is not None for v in vals[:2])
                and np.allclose(vals[0], 0)
                and np.allclose(vals[1], 1)
            ):
                offsets.append(rv.name)
    # an offset counts as non-centring only if it is *multiplied* (elementwise or by a matrix)
    # with something that depends on another random variable (a scale or Cholesky factor)
    named = list(model.deterministics) + list(model.observed_RVs) + list(model.potentials)
    products = [v.owner for v in ancestors(named) if v.owner is not None and _is_product(v.owner)]
    used_offsets = []
    for name in offsets:
        z = model[name]
        for node in products:
            with_z = [i for i in node.inputs if z in set(ancestors([i]))]
            others = [i for i in node.inputs if not any(i is w for w in with_z)]
            if with_z and any(a in free_set for a in ancestors(others) if a is not z):
                used_offsets.append(name)
                break
    observed = []
    for rv in model.observed_RVs:
        dims = dims_of.get(rv.name, [])
        observed.append(
            {
                "name": rv.name,
                "distribution": _dist_name(rv),
                "dims": dims,
                "shape": _shape_list(rv, dims, coords),
            }
        )
    dets = [
        {
            "name": d.name,
            "dims": dims_of.get(d.name, []),
            "shape": _shape_list(d, dims_of.get(d.name, []), coords),
        }
        for d in model.deterministics
    ]
    pots = [{"name": p.name} for p in model.potentials]
    if used_offsets and not centered:
        nc = True
    elif centered and not used_offsets:
        nc = False
    else:
        nc = None
    return {
        "schema": DESCRIPTION_SCHEMA,
        "free_rvs": free_rvs,
        "deterministics": dets,
        "observed": observed,
        "potentials": pots,
        "coords": coords,
        "lkj": lkj,
        "lkj_eta": lkj_eta,
        "centered": centered,
        "noncentered_offsets": used_offsets,
        "noncentered": nc,
    }


def _var_entry(desc: dict, name: str):
    for key in ("free_rvs", "deterministics"):
        for v in desc.get(key, []):
            if v.get("name") == name:
                return v
    return None


def _is_varying(entry, group_dim) -> bool:
    if entry is None:
        return False
    dims = entry.get("dims") or []
    if group_dim is not None:
        return group_dim in dims
    if dims:
        return True
    shape = [s for s in (entry.get("shape") or []) if s is not None]
    return bool(shape) and int(np.prod(shape)) > 1


def _prior_problems(desc: Mapping, priors: Mapping[str, tuple]) -> list[str]:
    problems = []
    free = {e["name"]: e for e in desc.get("free_rvs", [])}
    for name, spec in priors.items():
        if isinstance(spec, str) or not spec:
            raise ValueError(
                f"priors[{name!r}] must be a tuple (distribution, *parameters), e.g. ('Normal', 0, 2); "
                f"got {spec!r}."
            )
        dist, want = str(spec[0]), [float(v) for v in spec[1:]]
        entry = free.get(name)
        if entry is None:
            if _var_entry(desc, name) is None:
                problems.append(f"the model has no variable '{name}' with the prior {_prior_text(dist, want)}")
            continue  # derived (e.g. a group sd from LKJCholeskyCov): its prior lies elsewhere
        got_dist, got = entry.get("distribution"), entry.get("params")
        if got is None:  # a description from before parameters were recorded
            continue
        same = (
            str(got_dist).lower() == dist.lower()
            and len(got) == len(want)
            and all(isinstance(g, float) and np.isclose(g, w, rtol=1e-6, atol=0) for g, w in zip(got, want))
        )
        if not same:
            problems.append(
                f"the prior of {name} is {_prior_text(got_dist, got)}, but the question asks for "
                f"{_prior_text(dist, want)}: use that"
            )
    return problems


def structure(
    model,
    *,
    varying_intercepts: bool | None = None,
    varying_slopes: bool | None = None,
    lkj: bool | None = None,
    noncentered: bool | None = None,
    likelihood: str | None = None,
    variables: Sequence[str] | None = None,
    intercept: str = "alpha",
    slope: str = "beta",
    group_dim: str | None = None,
    priors: Mapping[str, tuple] | None = None,
    lkj_eta: float | None = None,
) -> CheckResult:
    """Check what a model is made of.

    Every requirement left at ``None`` is not checked.

    Parameters
    ----------
    model : pymc.Model or dict
        The model, or its :func:`describe_model` description.
    varying_intercepts, varying_slopes : bool, optional
        Whether the variable named ``intercept`` / ``slope`` must (``True``) or must not
        (``False``) vary by group (have a group dimension).
    lkj : bool, optional
        Whether an LKJ prior (``pm.LKJCholeskyCov`` / ``pm.LKJCorr``) must be present.
    noncentered : bool, optional
        ``True``: group effects are built as ``mu + scale * z`` (or ``mu + L z``) from a
        standard-normal ``z``, with no centred group-level random variable left; ``False``: the
        group effects are centred random variables.
    likelihood : str, optional
        ``"sufficient"``: the likelihood is a ``pm.Potential`` (sufficient statistics) and
        nothing is observed; ``"rows"``: an observed variable; any other string: the observed
        variable's distribution name (case-insensitive, e.g. ``"normal"``, ``"binomial"``).
    variables : list of str, optional
        Names that must exist (as random variables or deterministics).
    intercept, slope : str, default "alpha", "beta"
        Names of the group intercepts and slopes.
    group_dim : str, optional
        The group dimension (e.g. ``"station"``); default any dimension.
    priors : dict, optional
        Priors a question states, ``{name: (distribution, *parameters)}`` as the question
        writes them, e.g. ``{"mu_b": ("Normal", 0, 0.1), "sigma": ("HalfCauchy", 1)}``. Each
        named variable must be a free random variable with that distribution and those
        parameters (relative tolerance 1e-6); a name that is a Deterministic in this model (a
        group sd taken from ``LKJCholeskyCov``) is not checked, a missing one fails.
    lkj_eta : float, optional
        The shape ``eta`` the LKJ prior must have.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import pymc as pm
    >>> with pm.Model(coords={"group": ["a", "b"]}) as m:
    ...     mu_a = pm.Normal("mu_a", 0, 1)
    ...     sigma_a = pm.HalfNormal("sigma_a", 1)
    ...     alpha = pm.Normal("alpha", mu_a, sigma_a, dims="group")
    ...     beta = pm.Normal("beta", 0, 1)
    ...     y = pm.Normal("y", alpha[[0, 1, 1]] + beta, 1, observed=[1.0, 2.0, 3.0])
    >>> structure(m, varying_intercepts=True, noncentered=False).passed
    True
    >>> r = structure(m, varying_slopes=True)
    >>> print(r.message)
    The model has no varying slopes: 'beta' has no group dimension; give each group its own slope (e.g. dims='group') and check again.
    >>> print(structure(m, priors={"mu_a": ("Normal", 0, 2)}).message)
    The prior of mu_a is Normal(0, 1), but the question asks for Normal(0, 2): use that and check again.
    """
    if isinstance(model, Mapping):
        desc = model
        if "free_rvs" not in desc:
            return CheckResult(
                False,
                "Expected a PyMC model or the dict from teachkit.checks.describe_model(model); got "
                "a dict without 'free_rvs'.",
                {"error": "not_a_model"},
            )
    else:
        try:
            desc = describe_model(model)
        except ValueError:
            return CheckResult(
                False,
                f"Expected a PyMC model (the object of `with pm.Model() as model:`); got "
                f"{_describe_type(model)}.",
                {"error": "not_a_model", "type": _describe_type(model)},
            )
    if likelihood is not None and not isinstance(likelihood, str):
        raise ValueError(
            f"likelihood must be a string such as 'normal' or 'sufficient'; got {likelihood!r}."
        )
    problems, facts = [], {}
    group_word = group_dim or "group"
    for flag, name, kind in (
        (varying_intercepts, intercept, "intercept"),
        (varying_slopes, slope, "slope"),
    ):
        if flag is None:
            continue
        entry = _var_entry(desc, name)
        varying = _is_varying(entry, group_dim)
        facts[f"varying_{kind}s"] = varying
        if flag and entry is None:
            problems.append(
                f"the model has no variable '{name}' (its {kind}s); name the group {kind}s '{name}' "
                f"(a pm.Deterministic if they are built from other variables)"
            )
        elif flag and not varying:
            problems.append(
                f"the model has no varying {kind}s: '{name}' has no {group_word} dimension; give "
                f"each {group_word} its own {kind} (e.g. dims='{group_word}')"
            )
        elif not flag and varying:
            problems.append(
                f"'{name}' varies by {group_word} (dims {tuple(entry.get('dims') or ())}) but this "
                f"model should have a single {kind} shared by all {group_word}s"
            )
    if lkj is not None:
        facts["lkj"] = bool(desc.get("lkj"))
        if lkj and not desc.get("lkj"):
            problems.append(
                "the model has no LKJ prior on the correlation of the group effects; use "
                "pm.LKJCorr(\"chol_corr\", n=2, eta=2) with separate sds (or pm.LKJCholeskyCov)"
            )
        elif not lkj and desc.get("lkj"):
            problems.append(
                "the model has an LKJ prior but this model should not correlate the group effects"
            )
    if noncentered is not None:
        nc, cen, _off = (
            desc.get("noncentered"),
            desc.get("centered", []),
            desc.get("noncentered_offsets", []),
        )
        facts["noncentered"] = nc
        if noncentered and nc is not True:
            if cen:
                problems.append(
                    f"the model is centred: {', '.join(repr(c) for c in cen)} "
                    f"{'is a random variable' if len(cen) == 1 else 'are random variables'} whose "
                    "distribution depends on other parameters; write the group effects as "
                    "mu + L z (or mu + sigma * z) with z ~ Normal(0, 1)"
                )
            else:
                problems.append(
                    "the model has no non-centred group effects (a standard-normal z combined "
                    "with a scale or Cholesky factor, e.g. mu + L z)"
                )
        elif noncentered is False and nc is not False:
            problems.append(
                "the model is not centred: draw the group effects directly, e.g. "
                "pm.MvNormal('coeff', mu=..., chol=L, dims=...)"
            )
    if likelihood is not None:
        obs = desc.get("observed", [])
        pots = desc.get("potentials", [])
        lk = likelihood.lower()
        if lk == "sufficient":
            ok = bool(pots) and not obs
            if not ok:
                problems.append(
                    "the likelihood should be a pm.Potential on per-group sufficient statistics "
                    f"with nothing observed; the model has {_plural(len(obs), 'observed variable')} "
                    f"and {_plural(len(pots), 'potential')}"
                )
        elif lk == "rows":
            if not obs:
                problems.append(
                    "the model has no observed variable; pass observed=... to the likelihood"
                )
        else:
            names = [o.get("distribution", "").lower() for o in obs]
            if lk not in names:
                got = (
                    ", ".join(f"{o.get('name')} ~ {o.get('distribution')}" for o in obs)
                    or "no observed variable"
                )
                problems.append(f"the likelihood should be {likelihood}; the model has {got}")
    if priors:
        problems.extend(_prior_problems(desc, priors))
    if lkj_eta is not None and desc.get("lkj"):
        eta = desc.get("lkj_eta")
        facts["lkj_eta"] = eta
        if eta is None or not np.isclose(eta, lkj_eta, rtol=1e-6):
            problems.append(
                f"the LKJ prior has eta = {'an expression' if eta is None else _fmt(eta)}, but the question "
                f"asks for LKJ({_fmt(lkj_eta)}) (larger eta pulls correlations towards 0): use that"
            )
    if variables:
        missing = [v for v in variables if _var_entry(desc, v) is None]
        if missing:
            problems.append(
                f"the model has no variable {', '.join(repr(m) for m in missing)}; name your "
                "variables as asked (a pm.Deterministic can give a derived quantity a name)"
            )
    details = {"facts": facts, "description": dict(desc)}
    if problems:
        text = "; ".join(problems)
        return CheckResult(False, f"{text[0].upper()}{text[1:]} and check again.", details)
    checked = [
        k
        for k, v in (
            ("varying intercepts", varying_intercepts),
            ("varying slopes", varying_slopes),
            ("LKJ prior", lkj),
            ("parameterisation", noncentered),
            ("likelihood", likelihood),
            ("variable names", variables),
            ("priors", priors),
            ("LKJ eta", lkj_eta),
        )
        if v is not None
    ]
    return CheckResult(
        True,
        f"The model's structure is as required ({', '.join(checked) or 'nothing asked'}).",
        details,
    )
