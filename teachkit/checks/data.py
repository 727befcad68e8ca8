"""Whether a fit used the simulation's data: :func:`data_match`."""

from __future__ import annotations

from typing import Any

import numpy as np

from teachkit.checks._common import (
    _describe_type,
    _get_group,
    _not_arviz,
)
from teachkit.checks.result import CheckResult

__all__ = ["data_match"]


# --------------------------------------------------------------------------------------------
# data_match
# --------------------------------------------------------------------------------------------
def data_match(idata: Any, sim: Any, *, rtol: float = 1e-9) -> CheckResult:
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
