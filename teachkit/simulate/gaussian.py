r"""Gaussian grouped data with correlated varying intercepts and slopes.

:func:`varying_effects` (every setting adjustable), :func:`funnel` (the regime in which the
centred parameterisation diverges) and :func:`ozone` (the lecture's Beijing example).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from teachkit.covariance import cholesky, cov_from_sd_corr
from teachkit.simulate._arguments import (
    _choice,
    _count,
    _flag,
    _group_sizes,
    _labels,
    _number,
    _positive,
    _rho,
    _rng,
    _sd,
    _seed_param,
)
from teachkit.simulate.result import Simulation

__all__ = ["OZONE_STATIONS", "funnel", "ozone", "varying_effects"]

#: The 12 air-quality monitoring stations of Beijing, in the order of the ``station`` categories.
OZONE_STATIONS: tuple[str, ...] = (
    "Aotizhongxin",
    "Changping",
    "Dingling",
    "Dongsi",
    "Guanyuan",
    "Gucheng",
    "Huairou",
    "Nongzhanguan",
    "Shunyi",
    "Tiantan",
    "Wanliu",
    "Wanshouxigong",
)

# The ozone period: every day from the start of the real data set, about five years.
_OZONE_START = "2013-03-01"
_OZONE_PERIOD_DAYS = 1800
_OZONE_SIZES = {"lecture": _OZONE_PERIOD_DAYS, "homework": 100}
_OZONE_MEAN_TEMP = 17.5  # mean of the seasonal cycle (°C)
_OZONE_MAX_ATTEMPTS = 200
# Dingling/Wanliu stand out from the runner-up by this many sds of the level at 17.5 °C and
# of the intercept
_OZONE_MARGIN = 0.3
_OZONE_MARGIN_INTERCEPT = 0.2


# --------------------------------------------------------------------------------------------
# shared pieces
# --------------------------------------------------------------------------------------------


def _group_effects(rng, n_groups: int, mean, sd, rho: float) -> np.ndarray:
    r"""``n_groups`` draws of (intercept, slope) from MVNormal(mean, diag(sd) R diag(sd)).

    Drawn as ``mean + L z`` with ``L`` the Cholesky factor of :math:`\Sigma`. A zero sd is
    allowed (that coefficient then does not vary): :math:`\Sigma` is singular then, and
    ``L = diag(sd) chol(R)``, which is what the Cholesky factor of :math:`\Sigma` is whenever
    it exists.
    """
    sd = np.asarray(sd, dtype=float)
    corr = np.array([[1.0, rho], [rho, 1.0]])
    if np.all(sd > 0):
        chol = cholesky(cov_from_sd_corr(sd, corr))
    else:
        chol = sd[:, None] * cholesky(corr)
    z = rng.standard_normal((n_groups, 2))
    return np.asarray(mean, dtype=float) + z @ chol.T


def _gaussian_truth(mu, sd, rho, sigma, labels, effects) -> dict:
    return {
        "mu_a": float(mu[0]),
        "mu_b": float(mu[1]),
        "sigma_a": float(sd[0]),
        "sigma_b": float(sd[1]),
        "rho": float(rho),
        "sigma": float(sigma),
        "alpha": {g: float(a) for g, a in zip(labels, effects[:, 0], strict=True)},
        "beta": {g: float(b) for g, b in zip(labels, effects[:, 1], strict=True)},
    }


def _gaussian_frame(group_col, labels, codes, x_col, x, y_col, y) -> pd.DataFrame:
    return pd.DataFrame(
        {
            group_col: pd.Categorical.from_codes(codes, categories=labels),
            x_col: x,
            y_col: y,
        }
    )


# --------------------------------------------------------------------------------------------
# generators
# --------------------------------------------------------------------------------------------


def varying_effects(
    *,
    n_groups: int | None = None,
    n_per_group: int | Sequence[int] = 10,
    intercept: float = 0.0,
    slope: float = 1.0,
    sd_intercept: float = 1.0,
    sd_slope: float = 0.5,
    rho: float = -0.5,
    sigma: float = 1.0,
    seed: int | np.random.Generator | None = None,
    x_dist: str = "normal",
    x_loc: float = 0.0,
    x_scale: float = 1.0,
    center_x: bool = False,
    group_labels: Sequence[str] | None = None,
) -> Simulation:
    r"""Gaussian data with correlated varying intercepts and slopes.

    .. math::

        \begin{pmatrix}\alpha_j \\ \beta_j\end{pmatrix} \sim
        \operatorname{MVNormal}\left(\begin{pmatrix}\mu_a \\ \mu_b\end{pmatrix},
        \begin{pmatrix}\sigma_a^2 & \rho\,\sigma_a\sigma_b \\
        \rho\,\sigma_a\sigma_b & \sigma_b^2\end{pmatrix}\right), \qquad
        y_i \sim \operatorname{Normal}(\alpha_{j[i]} + \beta_{j[i]}\, x_i,\ \sigma)

    The group effects are drawn as :math:`\mu + L z` with :math:`L` the Cholesky factor of
    :math:`\Sigma` (see :func:`teachkit.covariance.cholesky`).

    Parameters
    ----------
    n_groups : int, optional
        Number of groups, >= 1. Default 20, or the length of ``n_per_group`` when that is a
        sequence.
    n_per_group : int or sequence of int, default 10
        Observations per group: one number (balanced) or one number per group (unbalanced).
        Every size must be >= 1.
    intercept, slope : float, default 0.0 and 1.0
        Population means :math:`\mu_a, \mu_b` of the group intercepts and slopes (truth
        ``mu_a``, ``mu_b``). The intercept is the mean of ``y`` at ``x = 0`` of the stored
        ``x`` column.
    sd_intercept, sd_slope : float, default 1.0 and 0.5
        Their standard deviations :math:`\sigma_a, \sigma_b` (>= 0; 0 means "does not vary").
    rho : float, default -0.5
        Correlation of intercepts and slopes, strictly between -1 and 1.
    sigma : float, default 1.0
        Residual standard deviation, > 0.
    seed : None, int or numpy.random.Generator
        Same seed, same data. The group effects do not depend on ``n_per_group``, ``x_dist``,
        ``x_loc``, ``x_scale`` or ``center_x``: changing the design keeps the truth.
    x_dist : {"normal", "uniform", "alternating"}, default "normal"
        Distribution of the predictor, parameterised as in :mod:`scipy.stats`: ``"normal"`` has
        mean ``x_loc`` and sd ``x_scale``; ``"uniform"`` is uniform on
        ``[x_loc, x_loc + x_scale]``; ``"alternating"`` is not random: ``x_loc`` and
        ``x_loc + x_scale`` in turn within each group (0, 1, 0, 1, ... by default), like the
        morning and afternoon visits of McElreath's café example.
    x_loc : float, default 0.0
    x_scale : float, default 1.0
        > 0.
    center_x : bool, default False
        Subtract the sample mean of all ``x`` before computing ``y``. The intercepts are then
        the group means at the average ``x``, which is what the stored ``x`` column shows.
    group_labels : sequence of str, optional
        Distinct labels, one per group. Default ``g1, g2, ...`` (zero-padded to equal width).

    Returns
    -------
    Simulation
        ``kind="varying_effects"``; ``data`` has columns ``group`` (categorical), ``x``, ``y``,
        groups in order; ``roles = {"group": "group", "x": "x", "y": "y"}``; ``truth`` has
        ``mu_a, mu_b, sigma_a, sigma_b, rho, sigma`` and the realised ``alpha, beta`` of every
        group.

    Raises
    ------
    ValueError
        For a bad argument (no groups, an empty or non-positive group size, a negative sd,
        ``|rho| >= 1``, NaN or infinity, a wrong type); the message says what is valid.

    See Also
    --------
    funnel : the same model in the regime where the centred parameterisation diverges.

    Examples
    --------
    >>> sim = varying_effects(n_groups=30, n_per_group=5, rho=-0.7, seed=410)
    >>> sim.data.head(3).round(3)
      group      x      y
    0   g01  2.028  1.855
    1   g01 -0.098 -0.907
    2   g01  1.671 -1.810
    >>> sim.data.shape
    (150, 3)
    >>> sim.truth["rho"], len(sim.truth["alpha"])
    (-0.7, 30)

    McElreath's cafés (Statistical Rethinking, chapter 14): 20 cafés, 10 visits each, alternately
    in the morning (x = 0) and the afternoon (x = 1):

    >>> cafes = varying_effects(n_groups=20, n_per_group=10, intercept=3.5, slope=-1.0,
    ...                         sd_intercept=1.0, sd_slope=0.5, rho=-0.7, sigma=0.5,
    ...                         x_dist="alternating", seed=410)
    >>> cafes.data["x"].head(4).tolist()
    [0.0, 1.0, 0.0, 1.0]

    Unbalanced groups:

    >>> sim = varying_effects(n_per_group=[2, 50, 7], seed=1)
    >>> sim.data["group"].value_counts(sort=False).tolist()
    [2, 50, 7]
    """
    sizes = _group_sizes(n_per_group, n_groups)
    n_groups = len(sizes)
    mu = (_number("intercept", intercept), _number("slope", slope))
    sd = (_sd("sd_intercept", sd_intercept), _sd("sd_slope", sd_slope))
    rho = _rho("rho", rho)
    sigma = _positive("sigma", sigma, "the residual standard deviation")
    rng = _rng(seed)
    x_dist = _choice("x_dist", x_dist, ("normal", "uniform", "alternating"))
    x_loc = _number("x_loc", x_loc)
    x_scale = _positive("x_scale", x_scale, "the scale of x")
    center_x = _flag("center_x", center_x)
    labels = _labels(group_labels, n_groups)
    params = {
        "n_groups": n_groups,
        "n_per_group": int(sizes[0])
        if np.all(sizes == sizes[0]) and np.ndim(n_per_group) == 0
        else [int(s) for s in sizes],
        "intercept": mu[0],
        "slope": mu[1],
        "sd_intercept": sd[0],
        "sd_slope": sd[1],
        "rho": rho,
        "sigma": sigma,
        "seed": _seed_param(seed),
        "x_dist": x_dist,
        "x_loc": x_loc,
        "x_scale": x_scale,
        "center_x": center_x,
        "group_labels": labels,
    }
    data, truth = _simulate_gaussian(
        rng, sizes, mu, sd, rho, sigma, x_dist, x_loc, x_scale, center_x, labels
    )
    return Simulation(
        kind="varying_effects",
        data=data,
        truth=truth,
        roles={"group": "group", "x": "x", "y": "y"},
        params=params,
    )


def _simulate_gaussian(rng, sizes, mu, sd, rho, sigma, x_dist, x_loc, x_scale, center_x, labels):
    effects_rng, x_rng, noise_rng = rng.spawn(3)
    effects = _group_effects(effects_rng, len(sizes), mu, sd, rho)
    n = int(sizes.sum())
    codes = np.repeat(np.arange(len(sizes)), sizes)
    if x_dist == "normal":
        x = x_rng.normal(x_loc, x_scale, size=n)
    elif x_dist == "alternating":
        within = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        x = x_loc + x_scale * (within % 2).astype(float)
    else:
        x = x_rng.uniform(x_loc, x_loc + x_scale, size=n)
    if center_x:
        x = x - x.mean()
    y = effects[codes, 0] + effects[codes, 1] * x + noise_rng.normal(0.0, sigma, size=n)
    data = _gaussian_frame("group", labels, codes, "x", x, "y", y)
    return data, _gaussian_truth(mu, sd, rho, sigma, labels, effects)


def funnel(
    *,
    seed: int | np.random.Generator | None = None,
    n_groups: int | None = None,
    n_per_group: int | Sequence[int] = 5,
    intercept: float = 1.0,
    slope: float = 0.5,
    sd_intercept: float = 0.05,
    sd_slope: float = 0.02,
    rho: float = -0.5,
    sigma: float = 2.0,
) -> Simulation:
    r"""Data on which the centred correlated model diverges and the non-centred one does not.

    Many groups with few, noisy observations each and small group-level sds: the likelihood
    says little about each group's own coefficients, so the posterior of
    (:math:`\sigma_a, \sigma_b`, group effects) has the funnel shape that the centred
    parameterisation cannot sample. With the defaults (20 groups x 5 observations,
    :math:`x \sim N(0, 1)`, group sds 0.05 and 0.02, :math:`\rho = -0.5`, noise sd 2: the
    group effects are tiny against the noise, so the posterior of the group sds reaches down to
    0 in every data set) the centred model (nutpie, 4 x 2000 draws at the sampler's default
    target_accept 0.8, :data:`teachkit.fit.DIVERGENCE_DEMO`) diverged 100-549 times over
    10 data seeds, the non-centred one 0-1 times. Raising target_accept to 0.95 hides part of
    the funnel (37-1840). With the former defaults (sds 0.3 and 0.1) the centred count fell to
    21-24 in some seeds: a contrast too thin to show.

    The model is that of :func:`varying_effects` with ``x ~ Normal(0, 1)``.

    Parameters
    ----------
    seed : None, int or numpy.random.Generator
    n_groups : int, optional
        Default 20, or the length of ``n_per_group`` when that is a sequence.
    n_per_group : int or sequence of int, default 5
    intercept, slope : float, default 1.0 and 0.5
        Population means of the group intercepts and slopes (truth ``mu_a``, ``mu_b``).
    sd_intercept, sd_slope : float, default 0.05 and 0.02
    rho : float, default -0.5
    sigma : float, default 2.0
        Residual sd (the noise).

    Returns
    -------
    Simulation
        ``kind="funnel"``, columns ``group``, ``x``, ``y``, truth as in :func:`varying_effects`.

    Raises
    ------
    ValueError
        For a bad argument, as in :func:`varying_effects`.

    Examples
    --------
    >>> sim = funnel(seed=2021)
    >>> sim.data.shape, sim.coords["group"][:3]
    ((100, 3), ['g01', 'g02', 'g03'])
    >>> {k: sim.truth[k] for k in ("sigma_a", "sigma_b", "rho", "sigma")}
    {'sigma_a': 0.05, 'sigma_b': 0.02, 'rho': -0.5, 'sigma': 2.0}
    """
    sim = varying_effects(
        n_groups=n_groups,
        n_per_group=n_per_group,
        intercept=intercept,
        slope=slope,
        sd_intercept=sd_intercept,
        sd_slope=sd_slope,
        rho=rho,
        sigma=sigma,
        seed=seed,
    )
    params = {
        k: sim.params[k]
        for k in (
            "seed",
            "n_groups",
            "n_per_group",
            "intercept",
            "slope",
            "sd_intercept",
            "sd_slope",
            "rho",
            "sigma",
        )
    }
    return Simulation(kind="funnel", data=sim.data, truth=sim.truth, roles=sim.roles, params=params)


def ozone(
    *,
    seed: int | np.random.Generator | None = None,
    size: str = "lecture",
    n_days: int | None = None,
    intercept: float = 3.45,
    slope: float = 0.054,
    sd_intercept: float = 0.12,
    sd_slope: float = 0.004,
    rho: float = -0.9,
    sigma: float = 0.61,
) -> Simulation:
    r"""The lecture's Beijing ozone data, synthetic: log daily max ozone against max temperature.

    Twelve stations named after Beijing's air-quality monitoring sites, each with its own
    intercept and slope drawn from a bivariate normal, observed daily from 2013-03-01 over
    1800 days (about five years):

    .. math::

        \log O_{3,ij} \sim \operatorname{Normal}(\alpha_j + \beta_j T_{ij}, \sigma)

    with :math:`T` the daily maximum temperature in °C. The intercept is therefore the log ozone
    at 0 °C. The defaults are calibrated to the lecture's fits: a pooled least-squares fit of
    the lecture-sized data gives an intercept near 3.45, a slope near 0.054 per °C (about 5%
    more ozone per degree) and a residual sd near 0.61; station intercepts and slopes are
    strongly negatively correlated (the lecture estimated :math:`\rho \approx -0.9`).

    **Dingling high, Wanliu low.** The 12 (intercept, slope) pairs are drawn independently from
    the bivariate normal; the pair with the highest intercept is then given to Dingling, the
    pair with the lowest to Wanliu, and the other ten pairs go to the other ten stations in
    random order. "Baseline" should mean the same whether read at 0 °C (the intercept, the
    varying-slopes models) or at a typical temperature (what a varying-intercepts model with a
    common slope estimates), but with :math:`\rho = -0.9` the lines cross, and the two orders
    can disagree. So the 12 pairs are redrawn until the pair with the highest intercept also
    has the highest expected log ozone at 17.5 °C (the mean temperature), ahead of the
    runner-up by at least 0.3 sds of that level (0.019 with the defaults) and by at least 0.2
    sds of the intercept (0.024), and likewise for the lowest. About one draw in eight
    qualifies with the defaults. The conditioning spreads the realised station effects a
    little: over 20,000 draws the mean sample sd of the 12 intercepts is 0.129 instead of
    0.117 (population sd 0.12), the mean sample correlation -0.91 instead of -0.89. Hence for
    every seed Dingling has clearly the highest and Wanliu the lowest baseline, as in the
    lecture; a least-squares varying-intercepts fit of the lecture-sized data ranks them
    first and last for more than 9 seeds in 10 (the homework-sized data are too small for
    that to be sure). With custom parameters under which no draw qualifies in 200 attempts,
    the last draw is used, ranked by intercept alone.

    **Temperature.** A seasonal cycle (about 3 °C mid-January to 32 °C mid-July) plus a weather
    anomaly shared by all stations on a day (autocorrelated, sd 3 °C), a small fixed offset per
    station (sd 0.6 °C) and local noise (sd 1 °C), rounded to 0.1 °C.

    Parameters
    ----------
    seed : None, int or numpy.random.Generator
        Same seed, same data. The station effects and the weather do not depend on ``size``:
        the homework data are a random subset of the lecture data's rows for the same seed.
    size : {"lecture", "homework"}, default "lecture"
        ``"lecture"``: every one of the 1800 days at every station (21,600 rows).
        ``"homework"``: 100 days per station, drawn at random (different days per station)
        from the same period (1,200 rows), so that a homework fit takes seconds.
    n_days : int, optional
        Days per station, 1 to 1800; overrides ``size``.
    intercept, slope : float, default 3.45 and 0.054
        Population means :math:`\mu_a, \mu_b` of the station intercepts (log ozone at 0 °C)
        and slopes (per °C).
    sd_intercept, sd_slope : float, default 0.12 and 0.004
        Their standard deviations :math:`\sigma_a, \sigma_b`.
    rho : float, default -0.9
        Correlation of station intercepts and slopes.
    sigma : float, default 0.61
        Residual sd of log ozone.

    Returns
    -------
    Simulation
        ``kind="ozone"``; ``data`` columns ``station`` (categorical, the 12 stations in
        alphabetical order), ``date``, ``temp`` (°C), ``log_ozone`` (log µg/m³), sorted by
        station then date; ``roles = {"group": "station", "x": "temp", "y": "log_ozone"}``;
        truth as in :func:`varying_effects`, keyed by station.

    Raises
    ------
    ValueError
        For a bad argument; the message says what is valid.

    Examples
    --------
    >>> sim = ozone(seed=410, size="homework")
    >>> sim.data.shape
    (1200, 4)
    >>> sim.data.columns.tolist()
    ['station', 'date', 'temp', 'log_ozone']
    >>> alpha = sim.truth["alpha"]
    >>> max(alpha, key=alpha.get), min(alpha, key=alpha.get)
    ('Dingling', 'Wanliu')
    >>> ozone(seed=410).truth == sim.truth
    True
    """
    size = _choice("size", size, tuple(_OZONE_SIZES))
    if n_days is None:
        n_days = _OZONE_SIZES[size]
    else:
        n_days = _count("n_days", n_days)
        if n_days > _OZONE_PERIOD_DAYS:
            raise ValueError(
                f"n_days must be at most {_OZONE_PERIOD_DAYS} (the days in the simulated "
                f"period); got {n_days}."
            )
    mu = (_number("intercept", intercept), _number("slope", slope))
    sd = (_sd("sd_intercept", sd_intercept), _sd("sd_slope", sd_slope))
    rho = _rho("rho", rho)
    sigma = _positive("sigma", sigma, "the residual standard deviation")
    rng = _rng(seed)
    params = {
        "seed": _seed_param(seed),
        "size": size,
        "n_days": n_days,
        "intercept": mu[0],
        "slope": mu[1],
        "sd_intercept": sd[0],
        "sd_slope": sd[1],
        "rho": rho,
        "sigma": sigma,
    }
    effects_rng, weather_rng, noise_rng, days_rng = rng.spawn(4)
    n_st, n_all = len(OZONE_STATIONS), _OZONE_PERIOD_DAYS

    # station effects; the highest baseline to Dingling, the lowest to Wanliu
    t = _OZONE_MEAN_TEMP
    level_sd = math.sqrt(sd[0] ** 2 + t**2 * sd[1] ** 2 + 2 * t * rho * sd[0] * sd[1])
    margin = _OZONE_MARGIN * level_sd
    margin_intercept = _OZONE_MARGIN_INTERCEPT * sd[0]
    for _attempt in range(_OZONE_MAX_ATTEMPTS):
        draws = _group_effects(effects_rng, n_st, mu, sd, rho)
        order = np.argsort(draws[:, 0], kind="stable")
        level = draws[:, 0] + _OZONE_MEAN_TEMP * draws[:, 1]
        ranked, intercepts = np.sort(level), draws[order, 0]
        if (
            np.argmax(level) == order[-1]
            and np.argmin(level) == order[0]
            and ranked[-1] - ranked[-2] >= margin
            and ranked[1] - ranked[0] >= margin
            and intercepts[-1] - intercepts[-2] >= margin_intercept
            and intercepts[1] - intercepts[0] >= margin_intercept
        ):
            break
    rest = effects_rng.permutation(order[1:-1])
    effects = np.empty_like(draws)
    others = [j for j, s in enumerate(OZONE_STATIONS) if s not in ("Dingling", "Wanliu")]
    effects[OZONE_STATIONS.index("Dingling")] = draws[order[-1]]
    effects[OZONE_STATIONS.index("Wanliu")] = draws[order[0]]
    effects[others] = draws[rest]

    # weather: seasonal cycle + shared AR(1) anomaly + station offset + local noise
    dates = pd.date_range(_OZONE_START, periods=n_all, freq="D")
    doy = dates.day_of_year.to_numpy()
    seasonal = 17.5 - 14.5 * np.cos(2 * np.pi * (doy - 15) / 365.25)
    phi, anomaly_sd = 0.75, 3.0
    shocks = weather_rng.normal(0.0, anomaly_sd * np.sqrt(1 - phi**2), size=n_all)
    anomaly = np.empty(n_all)
    anomaly[0] = weather_rng.normal(0.0, anomaly_sd)
    for t in range(1, n_all):
        anomaly[t] = phi * anomaly[t - 1] + shocks[t]
    offsets = weather_rng.normal(0.0, 0.6, size=n_st)
    local = weather_rng.normal(0.0, 1.0, size=(n_st, n_all))
    temp = np.round(seasonal + anomaly + offsets[:, None] + local, 1)
    noise = noise_rng.normal(0.0, sigma, size=(n_st, n_all))
    log_ozone = effects[:, [0]] + effects[:, [1]] * temp + noise

    if n_days < n_all:
        keep = np.sort(
            np.stack([days_rng.choice(n_all, size=n_days, replace=False) for _ in range(n_st)]),
            axis=1,
        )
    else:
        keep = np.tile(np.arange(n_all), (n_st, 1))
    rows = np.arange(n_st)[:, None]
    codes = np.repeat(np.arange(n_st), n_days)
    data = pd.DataFrame(
        {
            "station": pd.Categorical.from_codes(codes, categories=list(OZONE_STATIONS)),
            "date": dates[keep.ravel()],
            "temp": temp[rows, keep].ravel(),
            "log_ozone": log_ozone[rows, keep].ravel(),
        }
    )
    return Simulation(
        kind="ozone",
        data=data,
        truth=_gaussian_truth(mu, sd, rho, sigma, list(OZONE_STATIONS), effects),
        roles={"group": "station", "x": "temp", "y": "log_ozone"},
        params=params,
    )
