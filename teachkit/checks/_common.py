"""What the checks share: number formatting for messages and access to ArviZ data groups."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

from teachkit.checks.result import CheckResult

__all__: list[str] = []  # private helpers of teachkit.checks

_SAMPLE_DIMS = ("chain", "draw")

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
