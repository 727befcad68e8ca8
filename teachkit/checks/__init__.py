r"""What a grader asks of a fit: divergences, convergence, recovery of the truth, structure.

Each check takes what a student produced (ArviZ data from ``pm.sample``, or a ``pm.Model``) and
returns a :class:`CheckResult`: ``bool(result)`` says whether it passed, ``result.message`` is a
sentence a student can act on (what failed, by how much, what to try), ``result.details`` holds
the numbers behind it, and ``result.assert_()`` raises ``AssertionError(message)`` for use in
Otter tests.

- :func:`divergences` -- at most ``max_divergences`` divergent transitions.  A correct
  non-centred fit is not always at zero (1-17 stray divergences in 4000 draws happen), a centred
  fit of funnel data shows hundreds; the default separates the two (see ``benchmarks/``).
- :func:`convergence` -- rank-normalised split R-hat and bulk/tail effective sample sizes.
- :func:`recovery` -- the true values (from :mod:`teachkit.simulate`) against central posterior
  intervals, hyperparameters and per-group coefficients alike, with an allowance for the number
  of groups; plus a two-sided band on the posterior sd of the population means, which catches
  wrong models that still cover the truth with over-confident (too narrow) posteriors.
- :func:`structure` -- what the model *is*: varying intercepts/slopes, an LKJ prior, a
  non-centred parameterisation, the likelihood.  It accepts a live ``pm.Model`` or the
  JSON-serialisable dict from :func:`describe_model` (the grader runs in a clean process on
  exported data).

The data-facing checks accept an xarray ``DataTree`` (ArviZ 1), a legacy ``InferenceData`` (or
anything with a ``posterior`` attribute holding an ``xarray.Dataset``), or a mapping of group
name to ``Dataset``.  Input that is not ArviZ data yields a failed :class:`CheckResult` that says
so; invalid *arguments* of a check (thresholds, truth) raise :class:`ValueError`.

Modules: :mod:`~teachkit.checks.result` (:class:`CheckResult`), :mod:`~teachkit.checks.sampler`
(divergences, convergence), :mod:`~teachkit.checks.recovery` (recovery, extreme_group),
:mod:`~teachkit.checks.reference` (the reference posterior sd), :mod:`~teachkit.checks.data`
(data_match), :mod:`~teachkit.checks.structure` (describe_model, structure) and
:mod:`~teachkit.checks.provenance` (does a posterior come from a real sampler run).
"""

from teachkit.checks import provenance
from teachkit.checks.data import data_match
from teachkit.checks.recovery import (
    GROUP_ALPHA,
    GROUP_PROB,
    PROB,
    SD_BAND,
    extreme_group,
    recovery,
)
from teachkit.checks.reference import reference_sd
from teachkit.checks.result import CheckResult, combine
from teachkit.checks.sampler import (
    MAX_DIVERGENCES,
    MAX_RHAT,
    MIN_ESS_BULK,
    MIN_ESS_TAIL,
    convergence,
    divergences,
)
from teachkit.checks.structure import describe_model, structure

__all__ = [
    "GROUP_ALPHA",
    "GROUP_PROB",
    "MAX_DIVERGENCES",
    "MAX_RHAT",
    "MIN_ESS_BULK",
    "MIN_ESS_TAIL",
    "PROB",
    "SD_BAND",
    "CheckResult",
    "combine",
    "convergence",
    "data_match",
    "provenance",
    "describe_model",
    "divergences",
    "extreme_group",
    "recovery",
    "reference_sd",
    "structure",
]
