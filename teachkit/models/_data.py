"""What the builders read from a Simulation or a DataFrame with roles (NumPy and pandas only)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from teachkit.simulate.presets import UNIT_SCALE_MU_B_SD, preset_for

__all__: list[str] = []  # private to teachkit.models

_LIKELIHOODS = ("rows", "sufficient")


# --------------------------------------------------------------------------------------------
# data extraction
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Gaussian:
    group_dim: str
    labels: list[str]
    codes: np.ndarray  # int, one per row
    x: np.ndarray
    y: np.ndarray
    kind: str | None
    roles: dict


def _slope_sd(data: _Gaussian, mu_b_sd: float | None) -> float:
    """Prior sd of ``mu_b``: the data design's (:attr:`teachkit.simulate.Preset.priors`), else 1.

    The lecture chose ``Normal(0, 0.1)`` for a slope per degree Celsius of log ozone; the other
    presets (``varying_effects``, ``funnel``) put x and y on unit scale with true mean slopes of
    0.5 to 1, where that prior would pull the slope toward 0, so they default to ``Normal(0, 1)``.
    """
    if mu_b_sd is not None:
        return mu_b_sd
    preset = preset_for(data.kind, data.roles)
    return (
        UNIT_SCALE_MU_B_SD if preset is None else preset.priors.get("mu_b_sd", UNIT_SCALE_MU_B_SD)
    )


def _frame_and_roles(sim: Any, roles: dict | None, needed: tuple[str, ...]) -> tuple:
    if isinstance(sim, pd.DataFrame):
        if roles is None:
            raise ValueError(
                "a DataFrame needs its roles, e.g. roles={'group': 'station', 'x': 'temp', "
                "'y': 'log_ozone'}; pass roles=... or pass the Simulation itself"
            )
        data = sim
    elif hasattr(sim, "data") and hasattr(sim, "roles"):
        data = sim.data
        roles = dict(sim.roles) if roles is None else roles
    else:
        raise ValueError(
            f"expected a teachkit Simulation or a pandas DataFrame with roles; got "
            f"{type(sim).__name__}"
        )
    missing_roles = [r for r in needed if r not in roles]
    if missing_roles:
        raise ValueError(
            f"roles must name a column for each of {list(needed)}; missing {missing_roles} "
            f"in {roles}"
        )
    missing_cols = [roles[r] for r in needed if roles[r] not in data.columns]
    if missing_cols:
        raise ValueError(
            f"the data has no column(s) {missing_cols} named by roles {roles}; its columns are "
            f"{list(data.columns)}"
        )
    if len(data) == 0:
        raise ValueError("the data has no rows; simulate at least one observation per group")
    return data, roles


def _categories(column: pd.Series) -> tuple[list[str], np.ndarray]:
    """Labels in order (a Categorical's categories, else sorted uniques) and integer codes."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cat = column
    else:
        cat = column.astype("category")
    if cat.isna().any():
        raise ValueError(f"column {column.name!r} has missing values; drop or fill them first")
    return [str(c) for c in cat.cat.categories], cat.cat.codes.to_numpy().astype(np.int64)


def _gaussian_data(sim: Any, roles: dict | None) -> _Gaussian:
    data, roles = _frame_and_roles(sim, roles, ("group", "x", "y"))
    labels, codes = _categories(data[roles["group"]])
    x = data[roles["x"]].to_numpy(dtype=float)
    y = data[roles["y"]].to_numpy(dtype=float)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError(
            f"columns {roles['x']!r} and {roles['y']!r} must be finite numbers; drop the rows "
            "with missing values first"
        )
    kind = getattr(sim, "kind", None)
    return _Gaussian(roles["group"], labels, codes, x, y, kind, dict(roles))


def _check_likelihood(likelihood: str) -> None:
    if likelihood not in _LIKELIHOODS:
        raise ValueError(
            f"likelihood must be 'rows' (one Normal term per row) or 'sufficient' (the same "
            f"likelihood on per-group sufficient statistics); got {likelihood!r}"
        )


def _check_positive(**scales: float) -> None:
    for name, value in scales.items():
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise ValueError(
                f"{name} must be a positive finite number (a prior scale); got {value!r}"
            )


# --------------------------------------------------------------------------------------------
# sufficient statistics
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grants:
    group_dim: str
    treatment_dim: str
    disciplines: list[str]
    genders: list[str]
    d_codes: np.ndarray
    g_codes: np.ndarray
    trials: np.ndarray
    successes: np.ndarray


def _grants_data(sim: Any, roles: dict | None) -> _Grants:
    data, roles = _frame_and_roles(sim, roles, ("group", "treatment", "trials", "successes"))
    disciplines, d_codes = _categories(data[roles["group"]])
    genders, g_codes = _categories(data[roles["treatment"]])
    trials = data[roles["trials"]].to_numpy()
    successes = data[roles["successes"]].to_numpy()
    if np.any(trials < 0) or np.any(successes < 0) or np.any(successes > trials):
        raise ValueError(
            f"{roles['successes']!r} must be counts between 0 and {roles['trials']!r} in every "
            "row; check the data"
        )
    return _Grants(
        roles["group"],
        roles["treatment"],
        disciplines,
        genders,
        d_codes,
        g_codes,
        trials.astype(np.int64),
        successes.astype(np.int64),
    )
