"""Fast, reproducible MCMC for the reference models: :func:`sample` and its settings.

:func:`sample` runs nutpie (Rust NUTS) on the model's Numba-compiled log-density when nutpie is
installed, and PyMC's own NUTS otherwise (with a printed note). It reuses this process's compile
of a model of the same structure (:mod:`teachkit.fit.compile_cache`) and adds the pointwise
log-likelihood (:func:`teachkit.models.add_log_likelihood`).

PyTensor is configured when asked, never on import: :func:`teachkit.configure_pytensor`
(:mod:`teachkit.fit.pytensor_config`) before ``import pymc`` sets the persistent compile cache
and silences the BLAS warning; ``teachkit`` commands call it first thing, and :func:`sample`
applies the BLAS setting again at run time, so that it holds also when ``pymc`` was imported
before teachkit.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from teachkit.fit.pytensor_config import configure_pytensor
from teachkit.models.loglik import add_log_likelihood

__all__ = ["CALIBRATED", "DIVERGENCE_DEMO", "SAMPLERS", "sample"]

SAMPLERS = ("auto", "nutpie", "pymc")

#: The settings at which ``teachkit.checks`` was calibrated and the homework samples: a correct
#: non-centred correlated fit passes divergences, convergence and recovery together in 98-100%
#: of data sets (``benchmarks/results/calibrate_checks.md``). At the sampler's default
#: target_accept (0.8) the ozone data show stray divergences. Use ``sample(m, seed=1, **CALIBRATED)``.
CALIBRATED = {"draws": 2000, "tune": 1000, "chains": 4, "target_accept": 0.95}

#: The settings at which the centred model's divergences are shown on ``simulate.funnel`` data
#: (homework 4's questions 1-2 and ``teachkit demo``): the sampler's default target_accept, as in
#: the lecture. Measured over 10 data seeds: centred 100-549 divergences, non-centred 0-1; at
#: target_accept 0.95 the centred count fell to 37 in some seeds (a smaller step hides part of a
#: funnel, it does not remove it).
DIVERGENCE_DEMO = {"draws": 2000, "tune": 1000, "chains": 4, "target_accept": 0.8}


def _nutpie_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("nutpie") is not None


def sample(
    model: Any,
    *,
    seed: int,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    cores: int | None = None,
    target_accept: float | None = None,
    sampler: str = "auto",
    log_likelihood: bool = True,
    progressbar: bool = False,
    reuse: bool = True,
    **kwargs,
) -> Any:
    """Draw from the posterior of ``model``: fast, reproducible, log-likelihood kept.

    Parameters
    ----------
    model : pymc.Model
        Any PyMC model; the builders of :mod:`teachkit.models` are the intended ones.
    seed : int
        Required. The same seed on the same model and data gives the same draws.
    draws, tune, chains : int
        Draws kept per chain, tuning steps per chain, number of chains.
    cores : int, optional
        Chains run in parallel on this many cores (default: all, at most ``chains``).
    target_accept : float, optional
        NUTS target acceptance rate in (0, 1); raise it (e.g. 0.95) to remove stray
        divergences at the cost of smaller steps. Default: the sampler's own (0.8). For fits
        that ``teachkit.checks`` will judge, use :data:`CALIBRATED` (2000 draws, 0.95).
    sampler : {"auto", "nutpie", "pymc"}
        ``"auto"``: nutpie if installed (measured fastest here: see
        ``benchmarks/results/fit_speed.md``), else PyMC's NUTS with a printed note.
    log_likelihood : bool
        Add the pointwise ``log_likelihood`` group (for PSIS-LOO / ``az.loo``). For teachkit
        models it is computed in NumPy from the draws, also for ``likelihood="sufficient"``.
    progressbar : bool
        Show the sampler's progress bar.
    reuse : bool
        With nutpie: reuse this process's compile of a model of the same structure, with this
        model's data swapped in (:mod:`teachkit.fit.compile_cache`), so that refitting on new data
        skips the ~10 s compile. Set ``False`` to compile afresh. Ignored when ``**kwargs``
        asks for something only :func:`pymc.sample` does.
    **kwargs
        Passed on to :func:`pymc.sample` (e.g. ``initvals``, ``var_names``).

    Returns
    -------
    xarray.DataTree
        Groups ``posterior``, ``sample_stats`` (with ``diverging``), ``log_likelihood``
        (unless disabled), ``observed_data``/``constant_data`` when the model has them.

    Examples
    --------
    >>> import pandas as pd
    >>> from teachkit import models
    >>> from teachkit.fit import sample
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "x": [0.0, 1.0, 0.0, 1.0],
    ...                    "y": [0.1, 1.1, -0.2, 0.9]})
    >>> m = models.pooled(df, roles={"group": "g", "x": "x", "y": "y"})
    >>> idata = sample(m, seed=1, draws=50, tune=50, chains=1)  # doctest: +SKIP
    >>> sorted(idata.children)  # doctest: +SKIP
    ['constant_data', 'log_likelihood', 'observed_data', 'posterior', 'sample_stats']
    """
    configure_pytensor()  # no BLAS warning, also when pymc was imported before teachkit
    import pymc as pm

    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}; got {sampler!r}")
    if seed is None or isinstance(seed, bool) or not isinstance(seed, int | type(None)):
        try:
            import numpy as np

            if isinstance(seed, np.integer):
                seed = int(seed)
            else:
                raise TypeError
        except TypeError:
            raise ValueError(
                f"seed must be an int so that the fit is reproducible (e.g. seed=410); got {seed!r}"
            ) from None
    for name, value, low in (("draws", draws, 1), ("tune", tune, 0), ("chains", chains, 1)):
        if not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}; got {value!r}")
    if target_accept is not None and not (0 < target_accept < 1):
        raise ValueError(f"target_accept must lie strictly between 0 and 1; got {target_accept!r}")

    if sampler == "auto":
        if _nutpie_available():
            sampler = "nutpie"
        else:
            print(
                "teachkit: nutpie is not installed; sampling with PyMC's own NUTS, which is "
                "several times slower here (pip install nutpie to speed fits up).",
                file=sys.stderr,
            )
            sampler = "pymc"
    if cores is None:
        cores = min(chains, os.cpu_count() or 1)
    if sampler == "nutpie" and reuse and not kwargs:
        idata = _sample_nutpie(model, seed, draws, tune, chains, cores, target_accept, progressbar)
    else:
        if target_accept is not None:
            kwargs["target_accept"] = target_accept
        idata = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=cores,
            random_seed=seed,
            nuts_sampler=sampler,
            progressbar=progressbar,
            model=model,
            compute_convergence_checks=False,
            **kwargs,
        )
    if log_likelihood:
        add_log_likelihood(idata, model)
    return idata


def _sample_nutpie(model, seed, draws, tune, chains, cores, target_accept, progressbar):
    """What ``pm.sample(nuts_sampler="nutpie")`` does, with the compile reused when possible."""
    import nutpie
    from pymc.backends.arviz import patch_nutpie_idata

    from teachkit.fit.compile_cache import compiled_for

    compiled, _hit = compiled_for(model)
    settings = {} if target_accept is None else {"target_accept": target_accept}
    t0 = time.time()
    idata = nutpie.sample(
        compiled,
        draws=draws,
        tune=max(tune, 1),  # nuts-rs needs at least one tuning step
        chains=chains,
        cores=cores,
        seed=seed,
        save_warmup=False,
        progress_bar=progressbar,
        **settings,
    )
    patch_nutpie_idata(idata, model, sampling_time=time.time() - t0)
    return idata
