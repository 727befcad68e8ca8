r"""The NWO grants structure: awards out of applications by discipline and gender."""

from __future__ import annotations

import numpy as np
import pandas as pd

from teachkit.simulate._arguments import _choice, _number, _positive, _rng, _sd, _seed_param
from teachkit.simulate.result import Simulation

__all__ = ["GRANTS_APPLICATIONS", "GRANTS_DISCIPLINES", "GRANTS_GENDERS", "grants"]

#: The nine NWO disciplines, in the order of the ``discipline`` categories.
GRANTS_DISCIPLINES: tuple[str, ...] = (
    "Chemical sciences",
    "Physical sciences",
    "Physics",
    "Humanities",
    "Technical sciences",
    "Interdisciplinary",
    "Earth/life sciences",
    "Social sciences",
    "Medical sciences",
)

#: The two genders of the NWO data, in the order of the ``gender`` categories.
GRANTS_GENDERS: tuple[str, ...] = ("female", "male")

#: Applications per discipline as ``(female, male)``: the counts of the NWO data set
#: (van der Lee & Ellemers 2015, PNAS; ``NWOGrants`` in McElreath's *Statistical Rethinking*),
#: 2,823 applications in all. Only the counts are reused; awards are always simulated.
GRANTS_APPLICATIONS: dict[str, tuple[int, int]] = {
    "Chemical sciences": (39, 83),
    "Physical sciences": (39, 135),
    "Physics": (9, 67),
    "Humanities": (166, 230),
    "Technical sciences": (62, 189),
    "Interdisciplinary": (78, 105),
    "Earth/life sciences": (126, 156),
    "Social sciences": (409, 425),
    "Medical sciences": (260, 245),
}


def _invlogit(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _logit(p):
    p = np.asarray(p, dtype=float)
    return np.log(p) - np.log1p(-p)


def grants(
    *,
    seed: int | np.random.Generator | None = None,
    alpha_female: float = -1.50,
    alpha_male: float = -1.45,
    tau: float = 0.5,
    scale: float = 1.0,
    assign_effects: str = "female_share",
) -> Simulation:
    r"""Grant awards by discipline and gender, with discipline as a mediator (the NWO example).

    .. math::

        \text{awards}_{dg} \sim \operatorname{Binomial}(n_{dg}, p_{dg}), \qquad
        \operatorname{logit}(p_{dg}) = \alpha_g + \beta_d, \qquad
        \beta_d \sim \operatorname{Normal}(0, \tau)

    for the 9 NWO disciplines :math:`d` and the genders :math:`g \in` {female, male}. The
    application counts :math:`n_{dg}` are those of the NWO data (:data:`GRANTS_APPLICATIONS`,
    times ``scale``): about tenfold more in the social sciences than in physics, and a female
    share ranging from 12% (physics) to 52% (medical sciences).

    Gender acts on awards directly (:math:`G \to A`) and through the choice of discipline
    (:math:`G \to D \to A`). With ``assign_effects="female_share"`` (the default) the nine drawn
    discipline effects are handed out in reverse order of female share: the discipline with the
    smallest share of female applicants gets the largest :math:`\beta`. Women then apply more
    often where awards are scarcer, as in the NWO data, so for every seed the total effect of
    gender is more negative than the direct one. With ``"random"`` the effects are assigned at
    random and the indirect path can go either way.

    Truth
    -----
    ``alpha`` : {gender: :math:`\alpha_g`}; ``beta`` : {discipline: :math:`\beta_d`}; ``tau``.

    ``direct_effect`` : :math:`\alpha_\text{female} - \alpha_\text{male}`, the log-odds
    difference with discipline held fixed. ``direct_effect_prob``: the same on the probability
    scale, :math:`\sum_d w_d [\operatorname{invlogit}(\alpha_f + \beta_d) -
    \operatorname{invlogit}(\alpha_m + \beta_d)]` with :math:`w_d` the share of all
    applications that are in discipline :math:`d` (what the award rate would change by if every
    applicant switched gender but kept their discipline).

    ``total_effect`` : :math:`\operatorname{logit} P_f - \operatorname{logit} P_m` where
    :math:`P_g = \sum_d n_{dg} p_{dg} / \sum_d n_{dg}` is the *expected* pooled award rate of
    gender :math:`g` under the generating process (given the application counts): what a
    gender-only model estimates. ``total_effect_prob`` : :math:`P_f - P_m`.

    ``observed_total_effect``, ``observed_total_effect_prob`` : the same two contrasts computed
    from the simulated (noisy) award counts, i.e. from the realised pooled rates
    (``observed_total_effect`` is ``None`` when a gender's realised rate is 0 or 1, where the
    log-odds are infinite: possible only with a tiny ``scale``).

    Parameters
    ----------
    seed : None, int or numpy.random.Generator
    alpha_female, alpha_male : float, default -1.50 and -1.45
        Gender effects on the log-odds of an award (the baseline: award rate about 17%).
    tau : float, default 0.5
        Sd of the discipline effects, >= 0.
    scale : float, default 1.0
        Multiplies every application count (rounded, at least 1), > 0: larger for more precise
        data.
    assign_effects : {"female_share", "random"}, default "female_share"
        How the drawn discipline effects are matched to disciplines (see above).

    Returns
    -------
    Simulation
        ``kind="grants"``; ``data`` columns ``discipline``, ``gender`` (categorical),
        ``applications``, ``awards`` (int), one row per discipline x gender;
        ``roles = {"group": "discipline", "treatment": "gender", "trials": "applications",
        "successes": "awards"}``.

    Raises
    ------
    ValueError
        For a bad argument; the message says what is valid.

    Examples
    --------
    >>> sim = grants(seed=410)
    >>> sim.data.head(4)
              discipline  gender  applications  awards
    0  Chemical sciences  female            39  ...
    1  Chemical sciences    male            83  ...
    2  Physical sciences  female            39  ...
    3  Physical sciences    male           135  ...
    >>> int(sim.data["applications"].sum())
    2823
    >>> t = sim.truth
    >>> round(t["direct_effect"], 2), t["total_effect"] < t["direct_effect"]
    (-0.05, True)
    """
    a_f = _number("alpha_female", alpha_female)
    a_m = _number("alpha_male", alpha_male)
    tau = _sd("tau", tau)
    scale = _positive("scale", scale, "a multiplier of the application counts")
    assign_effects = _choice("assign_effects", assign_effects, ("female_share", "random"))
    rng = _rng(seed)
    params = {
        "seed": _seed_param(seed),
        "alpha_female": a_f,
        "alpha_male": a_m,
        "tau": tau,
        "scale": scale,
        "assign_effects": assign_effects,
    }
    effects_rng, awards_rng = rng.spawn(2)
    n = np.array([GRANTS_APPLICATIONS[d] for d in GRANTS_DISCIPLINES], dtype=float)  # (9, 2)
    n = np.maximum(1, np.rint(n * scale)).astype(np.int64)

    draws = effects_rng.normal(0.0, tau, size=len(GRANTS_DISCIPLINES))
    if assign_effects == "female_share":
        share = n[:, 0] / n.sum(axis=1)
        beta = np.empty_like(draws)
        # smallest female share <- largest effect
        beta[np.argsort(share, kind="stable")] = np.sort(draws)[::-1]
    else:
        beta = effects_rng.permutation(draws)

    alpha = np.array([a_f, a_m])
    p = _invlogit(beta[:, None] + alpha[None, :])  # (9, 2): discipline x (female, male)
    awards = awards_rng.binomial(n, p)

    weights = n.sum(axis=1) / n.sum()
    expected_rate = (n * p).sum(axis=0) / n.sum(axis=0)
    observed_rate = awards.sum(axis=0) / n.sum(axis=0)
    truth = {
        "alpha": {g: float(a) for g, a in zip(GRANTS_GENDERS, alpha, strict=True)},
        "beta": {d: float(b) for d, b in zip(GRANTS_DISCIPLINES, beta, strict=True)},
        "tau": tau,
        "direct_effect": float(a_f - a_m),
        "direct_effect_prob": float(np.sum(weights * (p[:, 0] - p[:, 1]))),
        "total_effect": float(_logit(expected_rate[0]) - _logit(expected_rate[1])),
        "total_effect_prob": float(expected_rate[0] - expected_rate[1]),
        "observed_total_effect": (
            float(_logit(observed_rate[0]) - _logit(observed_rate[1]))
            if np.all((observed_rate > 0) & (observed_rate < 1))
            else None
        ),
        "observed_total_effect_prob": float(observed_rate[0] - observed_rate[1]),
    }
    n_d, n_g = len(GRANTS_DISCIPLINES), len(GRANTS_GENDERS)
    data = pd.DataFrame(
        {
            "discipline": pd.Categorical.from_codes(
                np.repeat(np.arange(n_d), n_g), categories=list(GRANTS_DISCIPLINES)
            ),
            "gender": pd.Categorical.from_codes(
                np.tile(np.arange(n_g), n_d), categories=list(GRANTS_GENDERS)
            ),
            "applications": n.ravel(),
            "awards": awards.ravel().astype(np.int64),
        }
    )
    return Simulation(
        kind="grants",
        data=data,
        truth=truth,
        roles={
            "group": "discipline",
            "treatment": "gender",
            "trials": "applications",
            "successes": "awards",
        },
        params=params,
    )
