"""``teachkit demo``: the README's main job, end to end, with its plots and its report.

- :mod:`~teachkit.demo.job` -- :func:`run` strings the steps together; :func:`simulate_presets`,
  :func:`summarize`, :func:`report_summary` and :func:`save_simulations` are the first step
  (every preset with one seed, a readable summary, the data on disk);
- :mod:`~teachkit.demo.fit` -- centred vs non-centred correlated model on the funnel data:
  divergences, recovery table, plots;
- :mod:`~teachkit.demo.grade` -- ``teachkit build`` into the output folder and ``teachkit grade``
  of the bundled sample classes;
- :mod:`~teachkit.demo.plots` -- trace, 2-D shrinkage and rho plots (matplotlib only);
- :mod:`~teachkit.demo.report` -- the self-contained HTML page.

The fitting and grading steps import PyMC and the grader when they run, not on import.
"""

from teachkit.demo.job import report_summary, run, save_simulations, simulate_presets, summarize

__all__ = ["report_summary", "run", "save_simulations", "simulate_presets", "summarize"]
