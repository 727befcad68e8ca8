r"""Synthetic grouped data whose true parameters are known.

Every generator here works like scikit-learn's ``make_*`` functions: keyword-only arguments, a
``seed`` (``None``, an ``int`` or a :class:`numpy.random.Generator`; the same seed gives the same
data), and the truth returned beside the data. Each returns a :class:`Simulation` holding a tidy
:class:`pandas.DataFrame` (one row per observation) and a JSON-serialisable ``truth`` dict named
after the variables of the lecture's models, so that a posterior can be compared with it.

Generators
----------
:func:`varying_effects`
    The general Gaussian model with correlated varying intercepts and slopes,

    .. math::

        y_i \sim \operatorname{Normal}(\alpha_{j[i]} + \beta_{j[i]} x_i, \sigma), \qquad
        \begin{pmatrix}\alpha_j \\ \beta_j\end{pmatrix} \sim
        \operatorname{MVNormal}\left(\begin{pmatrix}\mu_a \\ \mu_b\end{pmatrix}, \Sigma\right),
        \qquad \Sigma = \begin{pmatrix}\sigma_a & 0 \\ 0 & \sigma_b\end{pmatrix} R
        \begin{pmatrix}\sigma_a & 0 \\ 0 & \sigma_b\end{pmatrix}.

:func:`ozone`
    The lecture's Beijing example: log daily maximum ozone against daily maximum temperature at
    the 12 monitoring stations, calibrated to the lecture's fits.
:func:`funnel`
    Many small noisy groups with small group-level sds: the centred correlated model diverges,
    the non-centred one does not.
:func:`grants`
    The NWO grants structure: awards out of applications by discipline and gender, where
    discipline mediates part of the effect of gender.

Presets
-------
:data:`PRESETS` (:mod:`teachkit.simulate.presets`) is the one registry of these data designs:
their homework sizes, the priors that suit them, the ``teachkit simulate`` sub-commands.

Per-student data
----------------
:func:`student_seed` (:mod:`teachkit.simulate.student`) derives a student's data seed from the
assignment's name and the student's ID (SHA-256, never Python's salted :func:`hash`), so the
student's notebook and the hidden tests simulate the same data.

Random streams
--------------
Each generator splits its generator into independent child streams (group effects, predictor,
noise, ...) with :meth:`numpy.random.Generator.spawn`. Hence the group effects for a given seed do
not depend on how many observations are drawn: ``ozone(seed=1, size="homework")`` has exactly the
station effects of ``ozone(seed=1)``, and its rows are a subset of the lecture-sized rows.
"""

from teachkit.simulate.gaussian import OZONE_STATIONS, funnel, ozone, varying_effects
from teachkit.simulate.grants import (
    GRANTS_APPLICATIONS,
    GRANTS_DISCIPLINES,
    GRANTS_GENDERS,
    grants,
)
from teachkit.simulate.presets import PRESETS, Preset
from teachkit.simulate.result import Simulation
from teachkit.simulate.student import is_placeholder, require_student_id, student_seed

__all__ = [
    "GRANTS_APPLICATIONS",
    "GRANTS_DISCIPLINES",
    "GRANTS_GENDERS",
    "OZONE_STATIONS",
    "PRESETS",
    "Preset",
    "Simulation",
    "funnel",
    "grants",
    "is_placeholder",
    "ozone",
    "require_student_id",
    "student_seed",
    "varying_effects",
]
