"""Reference PyMC models of the lecture, one builder per model.

Every builder takes a :class:`teachkit.simulate.Simulation` (or a tidy DataFrame together with
its ``roles``) and returns a :class:`pymc.Model` with named ``coords``/``dims``. The group
dimension is named after the group column (``station`` for the ozone data, ``group`` for the
other Gaussian presets, ``discipline`` for the grants data) and the variables carry the names of
the simulator's truth (``mu_a``, ``mu_b``, ``sigma_a``, ``sigma_b``, ``rho``, ``sigma``,
``alpha``, ``beta``; grants: ``alpha`` over ``gender``, ``beta`` over ``discipline``, ``tau``), so
a posterior can be held against ``sim.truth`` without glue code.

Gaussian models (``pooled`` ... ``correlated``) -- the lecture's ozone models:

.. math::

    y_i \\sim \\mathrm{Normal}(\\alpha_{j[i]} + \\beta_{j[i]} x_i, \\sigma), \\qquad
    \\begin{pmatrix}\\alpha_j \\\\ \\beta_j\\end{pmatrix} \\sim
    \\mathrm{MVNormal}\\left(\\begin{pmatrix}\\mu_a \\\\ \\mu_b\\end{pmatrix},
    \\mathrm{diag}(\\sigma_a, \\sigma_b)\\, R\\, \\mathrm{diag}(\\sigma_a, \\sigma_b)\\right)

with the lecture's priors by default: ``mu_a ~ Normal(0, 2)``, ``mu_b ~ Normal(0, 0.1)``,
``sigma_a, sigma_b, sigma ~ HalfCauchy(1)``, ``R ~ LKJ(2)``. Each prior scale is a keyword
argument. The intercept is the value at ``x = 0`` of the ``x`` column as stored (as in the truth).

``likelihood="sufficient"`` replaces the row-wise ``Normal`` likelihood by the exact same
log-density written on per-group sufficient statistics (a :func:`pymc.Potential`), so that the
cost of one gradient no longer grows with the number of rows. Such a model has no observed
variable; :func:`teachkit.fit.sample` still returns a ``log_likelihood`` group (one value per row, computed
from the posterior draws by :func:`add_log_likelihood`), so PSIS-LOO works on either version.

Binomial models (``grants_*``) -- the lecture's NWO grants example:
``awards ~ Binomial(applications, invlogit(alpha[gender] (+ beta[discipline])))``.


Modules: :mod:`~teachkit.models.gaussian`, :mod:`~teachkit.models.grants` (the builders) and
:mod:`~teachkit.models.loglik` (the pointwise log-likelihood, which :mod:`teachkit.fit` imports;
never the reverse). Fitting is :func:`teachkit.fit.sample`.
"""

from teachkit.models.gaussian import (
    GAUSSIAN_MODELS,
    LECTURE_PRIORS,
    correlated,
    pooled,
    varying_intercepts,
    varying_slopes,
)
from teachkit.models.grants import (
    GRANTS_MODELS,
    GRANTS_PRIORS,
    grants_direct,
    grants_multilevel,
    grants_total,
)
from teachkit.models.loglik import add_log_likelihood, pointwise_log_likelihood
from teachkit.regression import sufficient_statistics
from teachkit.simulate.presets import UNIT_SCALE_MU_B_SD

__all__ = [
    "GAUSSIAN_MODELS",
    "GRANTS_MODELS",
    "GRANTS_PRIORS",
    "LECTURE_PRIORS",
    "UNIT_SCALE_MU_B_SD",
    "add_log_likelihood",
    "correlated",
    "grants_direct",
    "grants_multilevel",
    "grants_total",
    "pointwise_log_likelihood",
    "pooled",
    "sufficient_statistics",
    "varying_intercepts",
    "varying_slopes",
]
