"""Gaussian reference models: pooled, varying intercepts, varying slopes, correlated."""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from teachkit.models._data import (
    _check_likelihood,
    _check_positive,
    _Gaussian,
    _gaussian_data,
    _slope_sd,
)
from teachkit.models.loglik import Pointwise, register
from teachkit.regression import sufficient_statistics
from teachkit.simulate.presets import PRESETS
from teachkit.simulate.result import Simulation

if TYPE_CHECKING:  # pragma: no cover
    import pymc as pm

__all__ = [
    "GAUSSIAN_MODELS",
    "LECTURE_PRIORS",
    "correlated",
    "pooled",
    "varying_intercepts",
    "varying_slopes",
]

#: The lecture's prior scales for the Gaussian models (keyword arguments of every builder).
LECTURE_PRIORS: dict[str, float] = {
    "mu_a_sd": 2.0,  # mu_a ~ Normal(0, 2)
    "mu_b_sd": PRESETS["ozone"].priors["mu_b_sd"],  # mu_b ~ Normal(0, 0.1)
    "sigma_a_scale": 1.0,  # sigma_a ~ HalfCauchy(1)
    "sigma_b_scale": 1.0,  # sigma_b ~ HalfCauchy(1)
    "sigma_scale": 1.0,  # sigma ~ HalfCauchy(1)
    "eta": 2.0,  # R ~ LKJ(2)
}


def _gaussian_terms(model, data: _Gaussian, a, b, sigma, likelihood: str) -> None:
    """Add the likelihood of rows y ~ Normal(a[g] + b[g] x, sigma) to ``model``.

    ``a`` and ``b`` are tensors of length n_groups (or scalars); intercept at x = 0.
    """
    import pymc as pm
    import pytensor.tensor as pt

    if likelihood == "rows":
        idx = pm.Data("group_idx", data.codes, dims="obs")
        x = pm.Data("x", data.x, dims="obs")
        a_i = a[idx] if a.ndim else a
        b_i = b[idx] if b.ndim else b
        pm.Normal("y", mu=a_i + b_i * x, sigma=sigma, observed=data.y, dims="obs")
    else:
        s = sufficient_statistics(data.codes, data.x, data.y, len(data.labels))
        n = pt.as_tensor(s["n"])
        resid_mean = pt.as_tensor(s["ybar"]) - a - b * pt.as_tensor(s["xbar"])
        rss = (
            pt.as_tensor(s["syy"])
            - 2.0 * b * pt.as_tensor(s["sxy"])
            + b**2 * pt.as_tensor(s["sxx"])
            + n * resid_mean**2
        )
        total_n = float(s["n"].sum())
        logp = -total_n * (pt.log(sigma) + 0.5 * math.log(2.0 * math.pi)) - pt.sum(rss) / (
            2.0 * sigma**2
        )
        pm.Potential("y_sufficient", logp)
    register(
        model,
        Pointwise(
            kind="normal",
            name="y",
            dim="obs",
            arrays={"codes": data.codes, "x": data.x, "y": data.y},
            labels=list(range(len(data.y))),
        ),
    )


def _gaussian_coords(data: _Gaussian, likelihood: str) -> dict:
    coords: dict[str, Any] = {data.group_dim: data.labels}
    if likelihood == "rows":
        coords["obs"] = np.arange(len(data.y))
    return coords


def _gaussian_setup(sim, roles, likelihood: str, mu_a_sd, mu_b_sd, **scales):
    """Validate a Gaussian builder's arguments; return its data and the prior sd of ``mu_b``."""
    _check_likelihood(likelihood)
    data = _gaussian_data(sim, roles)
    mu_b_sd = _slope_sd(data, mu_b_sd)
    _check_positive(mu_a_sd=mu_a_sd, mu_b_sd=mu_b_sd, **scales)
    return data, mu_b_sd


def _group_effect(name: str, mu, sd, *, dim: str, centered: bool, offset: str):
    """``name ~ Normal(mu, sd)`` over ``dim``; non-centred: ``mu + sd * offset``, ``offset ~ N(0, 1)``."""
    import pymc as pm

    if centered:
        return pm.Normal(name, mu, sd, dims=dim)
    z = pm.Normal(offset, 0.0, 1.0, dims=dim)
    return pm.Deterministic(name, mu + sd * z, dims=dim)


# --------------------------------------------------------------------------------------------
# Gaussian builders
# --------------------------------------------------------------------------------------------
def pooled(
    sim: Simulation | pd.DataFrame,
    *,
    likelihood: str = "rows",
    roles: dict | None = None,
    mu_a_sd: float = LECTURE_PRIORS["mu_a_sd"],
    mu_b_sd: float | None = None,
    sigma_scale: float = LECTURE_PRIORS["sigma_scale"],
) -> pm.Model:
    """Complete pooling: one line for every group (the lecture's preliminary model).

    .. math:: y_i \\sim \\mathrm{Normal}(\\mu_a + \\mu_b x_i, \\sigma),\\;
              \\mu_a \\sim N(0, 2),\\; \\mu_b \\sim N(0, 0.1),\\; \\sigma \\sim HC(1)

    The intercept and slope are named ``mu_a`` and ``mu_b`` because what they estimate, when the
    groups differ, is the population mean line of the truth.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The data (a Gaussian preset: ``varying_effects``, ``ozone``, ``funnel``).
    likelihood : {"rows", "sufficient"}
        ``"rows"``: one Normal term per row (observed variable ``y`` over dim ``obs``);
        ``"sufficient"``: the identical log-density on per-group sufficient statistics.
    roles : dict, optional
        Required with a DataFrame: ``{"group": ..., "x": ..., "y": ...}`` column names.
    mu_a_sd, mu_b_sd, sigma_scale : float
        Prior scales (lecture defaults 2, 0.1, 1); ``mu_b_sd=None`` means 0.1 on the
        ozone data and 1 on the unit-scale presets (see ``UNIT_SCALE_MU_B_SD``).

    Returns
    -------
    pymc.Model

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "x": [0.0, 1.0, 2.0], "y": [1.0, 2.0, 2.5]})
    >>> m = pooled(df, roles={"group": "g", "x": "x", "y": "y"})
    >>> [v.name for v in m.free_RVs]
    ['mu_a', 'mu_b', 'sigma']
    """
    import pymc as pm

    data, mu_b_sd = _gaussian_setup(
        sim, roles, likelihood, mu_a_sd, mu_b_sd, sigma_scale=sigma_scale
    )
    with pm.Model(coords=_gaussian_coords(data, likelihood)) as model:
        mu_a = pm.Normal("mu_a", 0.0, mu_a_sd)
        mu_b = pm.Normal("mu_b", 0.0, mu_b_sd)
        sigma = pm.HalfCauchy("sigma", sigma_scale)
        _gaussian_terms(model, data, mu_a, mu_b, sigma, likelihood)
    return model


def varying_intercepts(
    sim: Simulation | pd.DataFrame,
    *,
    centered: bool = True,
    likelihood: str = "rows",
    roles: dict | None = None,
    mu_a_sd: float = LECTURE_PRIORS["mu_a_sd"],
    mu_b_sd: float | None = None,
    sigma_a_scale: float = LECTURE_PRIORS["sigma_a_scale"],
    sigma_scale: float = LECTURE_PRIORS["sigma_scale"],
) -> pm.Model:
    """Varying intercepts, one common slope ``mu_b``.

    .. math:: y_i \\sim N(\\alpha_{j[i]} + \\mu_b x_i, \\sigma),\\;
              \\alpha_j \\sim N(\\mu_a, \\sigma_a),\\; \\mu_a \\sim N(0, 2),\\;
              \\sigma_a \\sim HC(1),\\; \\mu_b \\sim N(0, 0.1),\\; \\sigma \\sim HC(1)

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The data (a Gaussian preset).
    centered : bool
        ``True`` (the lecture's form): ``alpha ~ Normal(mu_a, sigma_a)``; ``False``:
        ``alpha = mu_a + sigma_a * z_a`` with ``z_a ~ Normal(0, 1)`` (``alpha`` a Deterministic).
    likelihood : {"rows", "sufficient"}
        See :func:`pooled`.
    roles : dict, optional
        Required with a DataFrame.
    mu_a_sd, mu_b_sd, sigma_a_scale, sigma_scale : float
        Prior scales (lecture defaults 2, 0.1, 1, 1); ``mu_b_sd=None`` means 0.1 on the
        ozone data and 1 on the unit-scale presets (see ``UNIT_SCALE_MU_B_SD``).

    Returns
    -------
    pymc.Model

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "x": [0.0, 1.0, 2.0], "y": [1.0, 2.0, 2.5]})
    >>> m = varying_intercepts(df, roles={"group": "g", "x": "x", "y": "y"})
    >>> m.named_vars_to_dims["alpha"]
    ('g',)
    """
    import pymc as pm

    data, mu_b_sd = _gaussian_setup(
        sim,
        roles,
        likelihood,
        mu_a_sd,
        mu_b_sd,
        sigma_a_scale=sigma_a_scale,
        sigma_scale=sigma_scale,
    )
    g = data.group_dim
    with pm.Model(coords=_gaussian_coords(data, likelihood)) as model:
        mu_a = pm.Normal("mu_a", 0.0, mu_a_sd)
        sigma_a = pm.HalfCauchy("sigma_a", sigma_a_scale)
        alpha = _group_effect("alpha", mu_a, sigma_a, dim=g, centered=centered, offset="z_a")
        mu_b = pm.Normal("mu_b", 0.0, mu_b_sd)
        sigma = pm.HalfCauchy("sigma", sigma_scale)
        _gaussian_terms(model, data, alpha, mu_b, sigma, likelihood)
    return model


def varying_slopes(
    sim: Simulation | pd.DataFrame,
    *,
    centered: bool = True,
    likelihood: str = "rows",
    roles: dict | None = None,
    mu_a_sd: float = LECTURE_PRIORS["mu_a_sd"],
    mu_b_sd: float | None = None,
    sigma_a_scale: float = LECTURE_PRIORS["sigma_a_scale"],
    sigma_b_scale: float = LECTURE_PRIORS["sigma_b_scale"],
    sigma_scale: float = LECTURE_PRIORS["sigma_scale"],
) -> pm.Model:
    """Varying intercepts and varying slopes, a priori independent.

    .. math:: y_i \\sim N(\\alpha_{j[i]} + \\beta_{j[i]} x_i, \\sigma),\\;
              \\alpha_j \\sim N(\\mu_a, \\sigma_a),\\; \\beta_j \\sim N(\\mu_b, \\sigma_b)

    with ``mu_a ~ N(0, 2)``, ``mu_b ~ N(0, 0.1)``, ``sigma_a, sigma_b, sigma ~ HalfCauchy(1)``.

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The data (a Gaussian preset).
    centered : bool
        ``True`` (the lecture's form) or ``False`` (``alpha = mu_a + sigma_a * z_a``, likewise
        ``beta``; ``alpha``/``beta`` then are Deterministics).
    likelihood : {"rows", "sufficient"}
        See :func:`pooled`.
    roles : dict, optional
        Required with a DataFrame.
    mu_a_sd, mu_b_sd, sigma_a_scale, sigma_b_scale, sigma_scale : float
        Prior scales (lecture defaults 2, 0.1, 1, 1, 1); ``mu_b_sd=None`` means 0.1 on the
        ozone data and 1 on the unit-scale presets (see ``UNIT_SCALE_MU_B_SD``).

    Returns
    -------
    pymc.Model

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "x": [0.0, 1.0, 2.0], "y": [1.0, 2.0, 2.5]})
    >>> m = varying_slopes(df, roles={"group": "g", "x": "x", "y": "y"})
    >>> sorted(v.name for v in m.free_RVs)
    ['alpha', 'beta', 'mu_a', 'mu_b', 'sigma', 'sigma_a', 'sigma_b']
    """
    import pymc as pm

    data, mu_b_sd = _gaussian_setup(
        sim,
        roles,
        likelihood,
        mu_a_sd,
        mu_b_sd,
        sigma_a_scale=sigma_a_scale,
        sigma_b_scale=sigma_b_scale,
        sigma_scale=sigma_scale,
    )
    g = data.group_dim
    with pm.Model(coords=_gaussian_coords(data, likelihood)) as model:
        mu_a = pm.Normal("mu_a", 0.0, mu_a_sd)
        mu_b = pm.Normal("mu_b", 0.0, mu_b_sd)
        sigma_a = pm.HalfCauchy("sigma_a", sigma_a_scale)
        sigma_b = pm.HalfCauchy("sigma_b", sigma_b_scale)
        alpha = _group_effect("alpha", mu_a, sigma_a, dim=g, centered=centered, offset="z_a")
        beta = _group_effect("beta", mu_b, sigma_b, dim=g, centered=centered, offset="z_b")
        sigma = pm.HalfCauchy("sigma", sigma_scale)
        _gaussian_terms(model, data, alpha, beta, sigma, likelihood)
    return model


def correlated(
    sim: Simulation | pd.DataFrame,
    *,
    centered: bool = True,
    likelihood: str = "rows",
    roles: dict | None = None,
    mu_a_sd: float = LECTURE_PRIORS["mu_a_sd"],
    mu_b_sd: float | None = None,
    sigma_a_scale: float = LECTURE_PRIORS["sigma_a_scale"],
    sigma_b_scale: float = LECTURE_PRIORS["sigma_b_scale"],
    sigma_scale: float = LECTURE_PRIORS["sigma_scale"],
    eta: float = LECTURE_PRIORS["eta"],
) -> pm.Model:
    """Covarying intercepts and slopes: an LKJ prior on their correlation.

    .. math::
        \\begin{pmatrix}\\alpha_j \\\\ \\beta_j\\end{pmatrix} \\sim
        \\mathrm{MVNormal}\\left(\\begin{pmatrix}\\mu_a \\\\ \\mu_b\\end{pmatrix}, LL^T\\right),
        \\qquad LL^T = \\mathrm{diag}(\\sigma_a, \\sigma_b)\\,R\\,\\mathrm{diag}(\\sigma_a, \\sigma_b),
        \\qquad R \\sim \\mathrm{LKJ}(\\eta)

    The two parameterisations write this prior differently (the prior is the same: group sds
    ``HalfCauchy(sigma_a_scale)``, ``HalfCauchy(sigma_b_scale)`` independent of ``R ~ LKJ(eta)``):

    * **centred** (the lecture's first attempt): ``pm.LKJCholeskyCov("chol_cov", n=2, eta=eta,
      sd_dist=HalfCauchy.dist([sigma_a_scale, sigma_b_scale]))`` and
      ``coeffs ~ MvNormal([mu_a, mu_b], chol=L)``;
    * **non-centred**: ``sigma_a``, ``sigma_b`` as their own ``HalfCauchy`` variables, the
      correlation's Cholesky factor from ``pm.LKJCorr("chol_corr", n=2, eta=eta)`` (in PyMC 6 it
      *is* the factor), ``L = diag(sigma_a, sigma_b) L_R`` and ``coeffs = mu + z Lᵀ`` with
      ``z ~ Normal(0, 1)`` (Stan's ``diag_pre_multiply(tau, L_Omega) * z``).  Separate scales
      matter: written with ``LKJCholeskyCov``'s factor instead, the slope sd sits in a funnel of
      that factor's own unconstrained coordinates as it nears 0, and on the homework data
      (slope sd 0.004 per °C) R-hat / ESS of ``sigma_b`` failed in 16% of correct fits; with
      separate scales its ESS was 3-5x higher (``benchmarks/results/calibrate_checks.md``).

    ``sigma_a``, ``sigma_b`` and ``rho`` exist in both versions (Deterministics where they are
    not free variables).

    Parameters
    ----------
    sim : Simulation or pandas.DataFrame
        The data (a Gaussian preset).
    centered : bool
        ``True``: ``coeffs ~ MvNormal([mu_a, mu_b], chol=L)`` over dims ``(group, coef)`` -- the
        lecture's first attempt, which diverges when groups have little data. ``False``
        (non-centered): ``z ~ Normal(0, 1)`` over ``(group, coef)`` and
        ``coeffs = [mu_a, mu_b] + z Lᵀ`` (a Deterministic).
    likelihood : {"rows", "sufficient"}
        See :func:`pooled`.
    roles : dict, optional
        Required with a DataFrame.
    mu_a_sd, mu_b_sd, sigma_a_scale, sigma_b_scale, sigma_scale : float
        Prior scales (lecture defaults 2, 0.1, 1, 1, 1); ``mu_b_sd=None`` means 0.1 on the
        ozone data and 1 on the unit-scale presets (see ``UNIT_SCALE_MU_B_SD``).
    eta : float
        LKJ shape (lecture: 2; 1 is uniform over correlation matrices).

    Returns
    -------
    pymc.Model
        Free variables ``mu_a, mu_b, chol_cov, coeffs, sigma`` (centred) or
        ``mu_a, mu_b, sigma_a, sigma_b, chol_corr, z, sigma`` (non-centred); Deterministics
        ``alpha``, ``beta`` (dims group), ``rho`` and, centred, ``sigma_a``, ``sigma_b``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "x": [0.0, 1.0, 2.0], "y": [1.0, 2.0, 2.5]})
    >>> m = correlated(df, centered=False, roles={"group": "g", "x": "x", "y": "y"})
    >>> [v.name for v in m.free_RVs]
    ['mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'chol_corr', 'z', 'sigma']
    >>> m.named_vars_to_dims["beta"]
    ('g',)
    """
    import pymc as pm
    import pytensor.tensor as pt

    data, mu_b_sd = _gaussian_setup(
        sim,
        roles,
        likelihood,
        mu_a_sd,
        mu_b_sd,
        sigma_a_scale=sigma_a_scale,
        sigma_b_scale=sigma_b_scale,
        sigma_scale=sigma_scale,
        eta=eta,
    )
    g = data.group_dim
    coords = _gaussian_coords(data, likelihood)
    coords["coef"] = ["intercept", "slope"]
    with pm.Model(coords=coords) as model:
        mu_a = pm.Normal("mu_a", 0.0, mu_a_sd)
        mu_b = pm.Normal("mu_b", 0.0, mu_b_sd)
        mu = pt.stack([mu_a, mu_b])
        if centered:
            sd_dist = pm.HalfCauchy.dist(np.array([sigma_a_scale, sigma_b_scale]), shape=2)
            chol, corr, stds = pm.LKJCholeskyCov(
                "chol_cov", n=2, eta=eta, sd_dist=sd_dist, compute_corr=True
            )
            pm.Deterministic("sigma_a", stds[0])
            pm.Deterministic("sigma_b", stds[1])
            pm.Deterministic("rho", corr[0, 1])
            coeffs = pm.MvNormal("coeffs", mu=mu, chol=chol, dims=(g, "coef"))
        else:
            sigma_a = pm.HalfCauchy("sigma_a", sigma_a_scale)
            sigma_b = pm.HalfCauchy("sigma_b", sigma_b_scale)
            chol_corr = pm.LKJCorr("chol_corr", n=2, eta=eta)
            pm.Deterministic("rho", chol_corr[1, 0])  # R = L Lᵀ and L[0, 0] = 1
            chol = pt.stack([sigma_a, sigma_b])[:, None] * chol_corr
            z = pm.Normal("z", 0.0, 1.0, dims=(g, "coef"))
            coeffs = pm.Deterministic("coeffs", mu + z @ chol.T, dims=(g, "coef"))
        alpha = pm.Deterministic("alpha", coeffs[:, 0], dims=g)
        beta = pm.Deterministic("beta", coeffs[:, 1], dims=g)
        sigma = pm.HalfCauchy("sigma", sigma_scale)
        _gaussian_terms(model, data, alpha, beta, sigma, likelihood)
    return model


#: The Gaussian reference models by name, each ``builder(sim, **keywords) -> pm.Model`` (the
#: names the warm-up, the calibration benchmark and the tests use).
GAUSSIAN_MODELS = {
    "pooled": pooled,
    "varying_intercepts": varying_intercepts,
    "varying_slopes": varying_slopes,
    "varying_slopes_noncentered": functools.partial(varying_slopes, centered=False),
    "correlated_centered": functools.partial(correlated, centered=True),
    "correlated_noncentered": functools.partial(correlated, centered=False),
}
