"""The demo's fitting step: centred vs non-centred correlated model on funnel-shaped data.

This is the lecture's punch line made reproducible: the same model written two ways, the
centred one full of divergences, the non-centred one clean, and the non-centred posterior held
against the truth the data were simulated from. :func:`fit_funnel` does the work and returns
everything as data; :func:`recovery_table` and :func:`save_plots` turn it into text and PNGs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from teachkit import checks
from teachkit.checks.diagnostics_warnings import constant_entries_ignored
from teachkit.fit import DIVERGENCE_DEMO
from teachkit.simulate import Simulation

__all__ = ["FitComparison", "fit_funnel", "recovery_table", "save_plots", "SETTINGS"]

#: MCMC settings of the demo: homework 4's for the funnel data (4 x 2000 draws at the sampler's
#: default target_accept), where the centred model's divergences show in every data seed.
SETTINGS = dict(DIVERGENCE_DEMO)


@dataclass
class FitComparison:
    """What :func:`fit_funnel` found: both fits, their checks and timings."""

    sim: Simulation
    centered: object
    noncentered: object
    divergences: dict[str, checks.CheckResult]
    convergence: dict[str, checks.CheckResult]
    recovery: checks.CheckResult
    seconds: dict[str, float] = field(default_factory=dict)


def fit_funnel(
    sim: Simulation, *, seed: int, settings: dict | None = None, log=print
) -> FitComparison:
    """Fit the centred and the non-centred correlated model to ``sim`` and check both.

    Parameters
    ----------
    sim : Simulation
        Gaussian grouped data, typically ``teachkit.simulate.funnel(seed=...)``.
    seed : int
        Seed of both fits.
    settings : dict, optional
        ``draws``, ``tune``, ``chains``, ``target_accept`` (default :data:`SETTINGS`).
    log : callable
        Receives progress lines (default ``print``).

    Returns
    -------
    FitComparison

    Examples
    --------
    >>> from teachkit import simulate
    >>> result = fit_funnel(simulate.funnel(seed=1), seed=1)  # doctest: +SKIP
    >>> result.divergences["centred"].passed, result.divergences["non-centred"].passed  # doctest: +SKIP
    (False, True)
    """
    from teachkit import models
    from teachkit.fit import sample

    opts = {**SETTINGS, **(settings or {})}
    fits, seconds = {}, {}
    for label, centered in (("centred", True), ("non-centred", False)):
        log(
            f"  fitting the {label} model ({opts['chains']} chains x {opts['draws']} draws; "
            "the first fit of a model compiles it, about a minute on a cold cache) ..."
        )
        start = time.perf_counter()
        model = models.correlated(sim, centered=centered)
        fits[label] = sample(model, seed=seed, **opts)
        seconds[label] = time.perf_counter() - start
        n_div = int(fits[label]["sample_stats"]["diverging"].sum())
        log(f"  {label}: {n_div} divergent transitions, {seconds[label]:.0f} s")
    # R-hat of the LKJ factor's fixed entries is 0/0: convergence skips them, ArviZ would warn
    with constant_entries_ignored():
        convergence = {k: checks.convergence(v) for k, v in fits.items()}
    return FitComparison(
        sim=sim,
        centered=fits["centred"],
        noncentered=fits["non-centred"],
        divergences={k: checks.divergences(v) for k, v in fits.items()},
        convergence=convergence,
        recovery=checks.recovery(fits["non-centred"], sim),
        seconds=seconds,
    )


def recovery_table(result: checks.CheckResult) -> pd.DataFrame:
    """One row per hyperparameter, plus one summary row per group variable (alpha, beta).

    Columns: parameter, truth, posterior mean, interval low/high, and ``pass``.

    Examples
    --------
    >>> res = checks.CheckResult(True, "ok", {"parameters": [
    ...     {"name": "mu_a", "group": None, "truth": 0.0, "mean": 0.1, "low": -0.5, "high": 0.6,
    ...      "inside": True, "prob": 0.998}]})
    >>> recovery_table(res)[["parameter", "pass"]].to_dict("records")
    [{'parameter': 'mu_a', 'pass': 'yes'}]
    """
    rows = []
    params = result.details.get("parameters", [])
    for rec in params:
        if rec["group"] is None:
            rows.append(
                {
                    "parameter": rec["name"],
                    "truth": rec["truth"],
                    "posterior mean": rec["mean"],
                    "interval": f"{rec['prob']:.1%}",
                    "low": rec["low"],
                    "high": rec["high"],
                    "pass": "yes" if rec["inside"] else "NO",
                }
            )
    by_var: dict[str, list[dict]] = {}
    for rec in params:
        if rec["group"] is not None:
            by_var.setdefault(rec["name"], []).append(rec)
    for name, recs in by_var.items():
        inside = sum(r["inside"] for r in recs)
        allowed = result.details.get("groups", {}).get(name, {}).get("allowed")
        rows.append(
            {
                "parameter": f"{name}[each of {len(recs)} groups]",
                "truth": float("nan"),
                "posterior mean": float("nan"),
                "interval": f"{recs[0]['prob']:.1%}",
                "low": float("nan"),
                "high": float("nan"),
                "pass": f"{inside}/{len(recs)} inside"
                + (f" (may miss {allowed})" if allowed is not None else ""),
            }
        )
    return pd.DataFrame(
        rows, columns=["parameter", "truth", "posterior mean", "interval", "low", "high", "pass"]
    )


def save_plots(comparison: FitComparison, folder) -> dict[str, Path]:
    """Write trace plots of both fits, the 2-D shrinkage plot and the posterior of rho.

    Returns ``{name: path}`` of the PNG files written into ``folder``.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from teachkit.demo import plots

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    figures = {
        "trace-centred": plots.trace_plot(comparison.centered),
        "trace-noncentred": plots.trace_plot(comparison.noncentered),
        "shrinkage": plots.shrinkage_plot(comparison.sim, comparison.noncentered),
        "rho": plots.rho_posterior_plot(
            {"centred": comparison.centered, "non-centred": comparison.noncentered},
            comparison.sim.truth["rho"],
        ),
    }
    figures["trace-centred"].suptitle(
        "centred model: divergences (ticks) where sigma_b is small", fontsize=10
    )
    figures["trace-centred"].tight_layout()
    paths = {}
    for name, fig in figures.items():
        paths[name] = folder / f"{name}.png"
        fig.savefig(paths[name], dpi=90)
        plt.close(fig)
    return paths
