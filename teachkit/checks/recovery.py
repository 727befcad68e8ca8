"""Recovery of the truth: :func:`recovery` and :func:`extreme_group`."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from teachkit.checks._common import (
    _SAMPLE_DIMS,
    _describe_type,
    _fmt,
    _get_group,
    _group_or_result,
    _is_group_truth,
    _is_scalar_truth,
    _pct,
    _plural,
    _select_vars,
    _truth_from,
    _validate_prob,
)
from teachkit.checks.reference import reference_sd
from teachkit.checks.result import CheckResult
from teachkit.simulate.presets import gaussian_kinds

__all__ = ["GROUP_ALPHA", "GROUP_PROB", "PROB", "SD_BAND", "extreme_group", "recovery"]

PROB = 0.998
GROUP_PROB = 0.998
GROUP_ALPHA = 0.005
#: allowed posterior sd / reference sd; a missing varying slope shows as a too narrow mu_b
#: (calibrated: right models 0.75-1.63 for mu_b, 0.66-1.55 for mu_a; intercepts-only on data
#: with varying slopes 0.55-0.68 for mu_b)
SD_BAND = {"mu_a": (0.5, 2.0), "mu_b": (0.7, 2.0)}
_DEFAULT_BAND = (0.5, 2.0)

# --------------------------------------------------------------------------------------------
# recovery
# --------------------------------------------------------------------------------------------


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
    idata: Any,
    truth: Any,
    *,
    var_names: Sequence[str] | None = None,
    prob: float = PROB,
    group_prob: float = GROUP_PROB,
    group_alpha: float = GROUP_ALPHA,
    max_group_misses: int | None = None,
    sd_reference: Any = "auto",
    sd_band: Mapping[str, tuple[float, float]] | None = SD_BAND,
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
    prob, group_prob, group_alpha = _validate_recovery_arguments(
        prob, group_prob, group_alpha, max_group_misses
    )
    bands = _bands(sd_band)
    t, sim = _truth_from(truth)

    ds, failed = _group_or_result(idata, "posterior", "recovery")
    if failed is not None:
        return failed

    names, skipped, failed = _names_to_check(ds, t, var_names)
    if failed is not None:
        return failed

    found = _Findings()
    if skipped:
        found.shape_fail.append(_missing_sentence(skipped))
    for name in names:
        da = ds[name]
        tv = t[name]
        extra = [d for d in da.dims if d not in _SAMPLE_DIMS]
        draws = _draws(da)
        if _is_scalar_truth(tv):
            _check_hyperparameter(found, name, tv, draws, extra, prob)
        else:
            _check_group_variable(
                found, name, da, tv, draws, extra, group_prob, group_alpha, max_group_misses
            )

    ref = _reference_sds(sd_reference, sim, t)
    sd_ratios, width_fail = _width_test(ds, ref, bands)

    details = {
        "parameters": found.parameters,
        "groups": found.group_summary,
        "sd_ratios": sd_ratios,
        "skipped": skipped,
        "notes": found.notes,
        "prob": prob,
        "group_prob": group_prob,
        "sd_band": {str(k): list(v) for k, v in bands.items()},
    }
    sentences = _failure_sentences(found, width_fail, prob, group_prob)
    if sentences:
        text = "; ".join(sentence.rstrip(".") for sentence in sentences)  # one full stop at the end
        return CheckResult(False, text[0].upper() + text[1:] + ".", details)
    return CheckResult(
        True, _success_message(found.parameters, found.group_summary, sd_ratios, prob), details
    )


@dataclass
class _Findings:
    """What :func:`recovery` found, variable by variable."""

    parameters: list = field(default_factory=list)  # one dict per checked element
    hyper_fail: list = field(default_factory=list)
    group_fail: list = field(default_factory=list)
    shape_fail: list = field(default_factory=list)
    group_summary: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def _validate_recovery_arguments(prob, group_prob, group_alpha, max_group_misses):
    """The validated ``(prob, group_prob, group_alpha)``; raises ``ValueError`` on a bad one."""
    prob = _validate_prob(prob, "prob")
    group_prob = _validate_prob(group_prob, "group_prob")
    group_alpha = _validate_prob(group_alpha, "group_alpha")
    if max_group_misses is not None and (
        not isinstance(max_group_misses, numbers.Integral) or max_group_misses < 0
    ):
        raise ValueError(f"max_group_misses must be a whole number >= 0; got {max_group_misses!r}.")
    return prob, group_prob, group_alpha


def _names_to_check(ds, t: Mapping, var_names):
    """``(names, skipped, failed)``: the variables to check, the true ones the posterior lacks,
    and a failed :class:`CheckResult` (or ``None``)."""
    checkable = [k for k, v in t.items() if _is_scalar_truth(v) or _is_group_truth(v)]
    if var_names is None:
        names = [k for k in checkable if k in ds.data_vars]
        skipped = [k for k in checkable if k not in ds.data_vars]
        if not names:
            return (
                names,
                skipped,
                CheckResult(
                    False,
                    "None of the true parameters "
                    f"({', '.join(checkable)}) is a variable of the posterior (it has: "
                    f"{', '.join(sorted(map(str, ds.data_vars))) or 'none'}); name your variables "
                    "as in the truth.",
                    {"error": "no_variables", "truth_keys": checkable},
                ),
            )
        return names, skipped, None
    names, failed = _select_vars(ds, var_names, "recovery")
    if failed is not None:
        return names, [], failed
    not_truth = [n for n in names if n not in checkable]
    if not_truth:
        raise ValueError(
            f"var_names {not_truth} have no true value to compare with; the truth has: "
            f"{', '.join(checkable)}."
        )
    return names, [], None


def _check_hyperparameter(found: _Findings, name: str, tv, draws, extra, prob: float) -> None:
    """A scalar truth against its central ``prob`` interval."""
    if extra:
        found.shape_fail.append(
            f"'{name}' should be a single number but the posterior's '{name}' has "
            f"dimensions {tuple(map(str, extra))}; store the scalar itself (e.g. "
            f"pm.Deterministic('{name}', corr[0, 1]))"
        )
        return
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
    found.parameters.append(rec)
    if not ok:
        found.hyper_fail.append(rec)


def _check_group_variable(
    found: _Findings,
    name: str,
    da,
    tv: Mapping,
    draws,
    extra,
    group_prob: float,
    group_alpha: float,
    max_group_misses: int | None,
) -> None:
    """Group truths against their central ``group_prob`` intervals, with an allowance of misses."""
    groups = list(tv)
    if len(extra) > 1:
        found.shape_fail.append(
            f"'{name}' should have one value per group but the posterior's '{name}' has "
            f"dimensions {tuple(map(str, extra))}"
        )
        return
    if not extra:
        idx = np.zeros(len(groups), dtype=int)
        draws2 = draws.reshape(-1, 1)
        dim = "group"
        found.notes.append(
            f"'{name}' has no group dimension, so one value stands for all {len(groups)} groups"
        )
    else:
        dim = str(extra[0])
        try:
            idx, _, note = _match_groups(da, tv, name)
        except _Mismatch as err:
            found.shape_fail.append(str(err))
            return
        if note:
            found.notes.append(note)
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
        found.parameters.append(rec)
        if not ok:
            misses.append(rec)
    n = len(groups)
    allowed = (
        int(max_group_misses)
        if max_group_misses is not None
        else _binom_allowance(n, 1 - group_prob, group_alpha)
    )
    found.group_summary[name] = {
        "n_groups": n,
        "misses": len(misses),
        "allowed": allowed,
        "dim": dim,
    }
    if len(misses) > allowed:
        worst = max(misses, key=lambda r: abs(r["z"]))
        found.group_fail.append((name, dim, n, misses, allowed, worst, not extra))


def _reference_sds(sd_reference, sim, t: Mapping):
    """The reference posterior sds ``{name: sd}`` of the width test (``None`` or empty: no test)."""
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
    return ref


def _width_test(ds, ref, bands: dict) -> tuple[dict, list]:
    """``(sd_ratios, width_fail)``: posterior sd over reference sd, and the ratios out of band."""
    sd_ratios = {}
    width_fail = []
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
    return sd_ratios, width_fail


def _failure_sentences(
    found: _Findings, width_fail: list, prob: float, group_prob: float
) -> list[str]:
    """One sentence per failed test, in the order: shapes, hyperparameters, groups, widths."""
    sentences = list(found.shape_fail)
    hyper_fail = found.hyper_fail
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
    for name, dim, n, misses, allowed, worst, pooled in found.group_fail:
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
    return sentences


def _success_message(parameters: list, group_summary: dict, sd_ratios: dict, prob: float) -> str:
    """The message of a passed :func:`recovery`: what was checked, and by how much it passed."""
    n_hyper = sum(1 for p in parameters if p["group"] is None)
    n_group = len(parameters) - n_hyper
    return (
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


def extreme_group(
    idata: Any,
    var_name: str,
    answer: str,
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
    details = {
        "means": dict(zip(labels, means.tolist())),
        "extreme": labels[best],
        "gap_sd": gap / max(sds[best], 1e-300),
    }
    if gap <= tie_sd * sds[best]:
        tie = "" if got == best else f" (tied with {labels[best]})"
        return CheckResult(
            True, f"{answer} has the {end} posterior mean of {var_name}{tie}.", details
        )
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
