"""Binomial reference models of the NWO grants example: total, direct and multilevel effects."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from teachkit.simulate.result import Simulation

if TYPE_CHECKING:  # pragma: no cover
    import pymc as pm

import numpy as np

from teachkit.models._data import _check_positive, _Grants, _grants_data
from teachkit.models.loglik import Pointwise, register

__all__ = ["GRANTS_MODELS", "GRANTS_PRIORS", "grants_direct", "grants_multilevel", "grants_total"]

#: The lecture's prior scales for the grants models.
GRANTS_PRIORS: dict[str, float] = {
    "alpha_sd": 2.0,  # alpha[gender] ~ Normal(0, 2)
    "beta_sd": 1.0,  # beta[discipline] ~ Normal(0, 1)   (grants_direct)
    "tau_scale": 5.0,  # tau ~ HalfCauchy(5)              (grants_multilevel)
}


def _gender_contrast(model, data: _Grants, alpha, name: str) -> None:
    """``name = alpha[female] - alpha[male]`` (log-odds) when those two levels exist."""
    import pymc as pm

    lower = [s.lower() for s in data.genders]
    if "female" in lower and "male" in lower:
        f, m = lower.index("female"), lower.index("male")
        pm.Deterministic(name, alpha[f] - alpha[m])


def _grants_terms(model, data: _Grants, logit_p) -> None:
    import pymc as pm

    pm.Binomial(
        "awards",
        n=data.trials,
        p=pm.math.invlogit(logit_p),
        observed=data.successes,
        dims="cell",
    )
    register(
        model,
        Pointwise(
            kind="binomial",
            name="awards",
            dim="cell",
            arrays={
                "g_codes": data.g_codes,
                "d_codes": data.d_codes,
                "trials": data.trials,
                "successes": data.successes,
            },
            labels=list(range(len(data.trials))),
        ),
    )


def _grants_coords(data: _Grants) -> dict:
    return {
        data.treatment_dim: data.genders,
        data.group_dim: data.disciplines,
        "cell": np.arange(len(data.trials)),
    }


def grants_total(
    sim: Simulation | pd.DataFrame,
    *,
    roles: dict | None = None,
    alpha_sd: float = GRANTS_PRIORS["alpha_sd"],
) -> pm.Model:
    """Award rate by gender only: the *total* effect of gender (lecture: "a simple model").

    .. math:: A_i \\sim \\mathrm{Binomial}(N_i, p_i),\\;
              \\mathrm{logit}(p_i) = \\alpha_{\\mathrm{gender}(i)},\\; \\alpha \\sim N(0, 2)

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The ``grants`` data (one row per discipline × gender).
    roles : dict, optional
        Required with a DataFrame: ``group``, ``treatment``, ``trials``, ``successes`` columns.
    alpha_sd : float
        Prior sd of each gender's log-odds (lecture: 2).

    Returns
    -------
    pymc.Model
        ``alpha`` over the gender dim, observed ``awards`` over ``cell``, and the Deterministic
        ``total_effect = alpha[female] - alpha[male]`` when the levels are named so.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"d": ["x", "x"], "gender": ["female", "male"],
    ...                    "n": [10, 12], "k": [3, 5]})
    >>> roles = {"group": "d", "treatment": "gender", "trials": "n", "successes": "k"}
    >>> m = grants_total(df, roles=roles)
    >>> m.named_vars_to_dims["alpha"], "total_effect" in m.named_vars
    (('gender',), True)
    """
    import pymc as pm

    _check_positive(alpha_sd=alpha_sd)
    data = _grants_data(sim, roles)
    with pm.Model(coords=_grants_coords(data)) as model:
        alpha = pm.Normal("alpha", 0.0, alpha_sd, dims=data.treatment_dim)
        _gender_contrast(model, data, alpha, "total_effect")
        _grants_terms(model, data, alpha[data.g_codes])
    return model


def grants_direct(
    sim: Simulation | pd.DataFrame,
    *,
    roles: dict | None = None,
    alpha_sd: float = GRANTS_PRIORS["alpha_sd"],
    beta_sd: float = GRANTS_PRIORS["beta_sd"],
) -> pm.Model:
    """Gender and discipline: the *direct* effect of gender, disciplines held fixed.

    .. math:: \\mathrm{logit}(p_i) = \\alpha_{\\mathrm{gender}(i)} +
              \\beta_{\\mathrm{discipline}(i)},\\; \\alpha \\sim N(0, 2),\\; \\beta \\sim N(0, 1)

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The ``grants`` data.
    roles : dict, optional
        Required with a DataFrame.
    alpha_sd, beta_sd : float
        Prior sds (lecture: 2 and 1).

    Returns
    -------
    pymc.Model
        ``alpha`` (gender), ``beta`` (discipline), Deterministic ``direct_effect``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"d": ["x", "x", "y", "y"], "gender": ["female", "male"] * 2,
    ...                    "n": [10, 12, 30, 20], "k": [3, 5, 4, 4]})
    >>> roles = {"group": "d", "treatment": "gender", "trials": "n", "successes": "k"}
    >>> grants_direct(df, roles=roles).named_vars_to_dims["beta"]
    ('d',)
    """
    import pymc as pm

    _check_positive(alpha_sd=alpha_sd, beta_sd=beta_sd)
    data = _grants_data(sim, roles)
    with pm.Model(coords=_grants_coords(data)) as model:
        alpha = pm.Normal("alpha", 0.0, alpha_sd, dims=data.treatment_dim)
        beta = pm.Normal("beta", 0.0, beta_sd, dims=data.group_dim)
        _gender_contrast(model, data, alpha, "direct_effect")
        _grants_terms(model, data, alpha[data.g_codes] + beta[data.d_codes])
    return model


def grants_multilevel(
    sim: Simulation | pd.DataFrame,
    *,
    roles: dict | None = None,
    alpha_sd: float = GRANTS_PRIORS["alpha_sd"],
    tau_scale: float = GRANTS_PRIORS["tau_scale"],
) -> pm.Model:
    """Partial pooling of discipline effects: ``beta ~ Normal(0, tau)``, ``tau ~ HalfCauchy(5)``.

    .. math:: \\mathrm{logit}(p_i) = \\alpha_{\\mathrm{gender}(i)} +
              \\beta_{\\mathrm{discipline}(i)},\\; \\alpha \\sim N(0, 2),\\;
              \\beta_j \\sim N(0, \\tau),\\; \\tau \\sim \\mathrm{HalfCauchy}(5)

    Written as in the lecture (centered); with few disciplines and well-measured rates this
    samples cleanly.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The ``grants`` data.
    roles : dict, optional
        Required with a DataFrame.
    alpha_sd, tau_scale : float
        Prior scales (lecture: 2 and 5).

    Returns
    -------
    pymc.Model
        ``alpha`` (gender), ``beta`` (discipline), ``tau``, Deterministic ``direct_effect``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"d": ["x", "x", "y", "y"], "gender": ["female", "male"] * 2,
    ...                    "n": [10, 12, 30, 20], "k": [3, 5, 4, 4]})
    >>> roles = {"group": "d", "treatment": "gender", "trials": "n", "successes": "k"}
    >>> [v.name for v in grants_multilevel(df, roles=roles).free_RVs]
    ['alpha', 'tau', 'beta']
    """
    import pymc as pm

    _check_positive(alpha_sd=alpha_sd, tau_scale=tau_scale)
    data = _grants_data(sim, roles)
    with pm.Model(coords=_grants_coords(data)) as model:
        alpha = pm.Normal("alpha", 0.0, alpha_sd, dims=data.treatment_dim)
        tau = pm.HalfCauchy("tau", tau_scale)
        beta = pm.Normal("beta", 0.0, tau, dims=data.group_dim)
        _gender_contrast(model, data, alpha, "direct_effect")
        _grants_terms(model, data, alpha[data.g_codes] + beta[data.d_codes])
    return model


#: The grants reference models by name, each ``builder(sim, **keywords) -> pm.Model``.
GRANTS_MODELS = {
    "grants_total": grants_total,
    "grants_direct": grants_direct,
    "grants_multilevel": grants_multilevel,
}
