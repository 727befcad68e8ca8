"""Fast, reproducible MCMC for the reference models, and the compile cache that makes it fast.

Importing this module (``teachkit.models`` imports it) configures PyTensor *before* PyTensor
is imported, without overriding anything the user set:

* **Persistent compile cache.** PyTensor 3 compiles through Numba, and its Numba cache lives in
  ``<base_compiledir>/numba`` (measured here: that directory fills up; ``NUMBA_CACHE_DIR`` is
  never written to by a fit, because PyTensor installs its own cache locator). A cold compile
  of one model graph costs about 65-100 s on 2 cores, a warm one a few seconds. Unless
  ``PYTENSOR_FLAGS`` already names a ``base_compiledir``/``compiledir`` or a ``.pytensorrc``
  exists, ``base_compiledir`` is set to ``$TEACHKIT_CACHE_DIR/pytensor`` (default
  ``$XDG_CACHE_HOME/teachkit/pytensor``, i.e. ``~/.cache/teachkit/pytensor``): one documented
  place that ``teachkit warmup`` fills and that CI or an autograder image can keep.
* **The "could not link to a BLAS installation" warning.** It comes from PyTensor's C backend
  compiling the initial-point function, not from sampling (which runs in Numba, with its own
  BLAS calls). Linking SciPy's bundled OpenBLAS brought no speed-up when measured (see
  FIELD-NOTES and ``benchmarks/results/fit_speed.md``), so ``blas__ldflags=`` (empty) is set,
  which silences the warning, unless the user configured BLAS. :func:`sample` applies the BLAS
  setting again at run time (:func:`teachkit.configure_pytensor`), so that it holds also when
  ``pymc`` was imported before teachkit.

:func:`sample` runs nutpie (Rust NUTS) on the model's Numba-compiled log-density when nutpie is
installed, and PyMC's own NUTS otherwise (with a printed note).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

# PyTensor's settings live in teachkit.pytensor_config; cache_dir stays importable from here
from teachkit.pytensor_config import cache_dir, configure_pytensor
from teachkit.simulate.presets import PRESETS

__all__ = [
    "CALIBRATED",
    "DEFAULT_PRESETS",
    "DIVERGENCE_DEMO",
    "SAMPLERS",
    "cache_dir",
    "is_warm",
    "sample",
    "warmup",
    "warmup_cli",
]

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

#: The presets whose homework-sized reference models ``teachkit warmup`` compiles by default:
#: every entry of the registry :data:`teachkit.simulate.PRESETS`.
DEFAULT_PRESETS = tuple(PRESETS)


if "pytensor" not in sys.modules:
    # before PyTensor loads: the compile cache and the BLAS flag through PYTENSOR_FLAGS
    configure_pytensor()


def _nutpie_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("nutpie") is not None


def sample(
    model,
    *,
    seed,
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
):
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
        model's data swapped in (:mod:`teachkit.compile_cache`), so that refitting on new data
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
        from teachkit.models import add_log_likelihood

        add_log_likelihood(idata, model)
    return idata


def _sample_nutpie(model, seed, draws, tune, chains, cores, target_accept, progressbar):
    """What ``pm.sample(nuts_sampler="nutpie")`` does, with the compile reused when possible."""
    import nutpie
    from pymc.backends.arviz import patch_nutpie_idata

    from teachkit.compile_cache import compiled_for

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


def _warmup_models(presets, likelihoods):
    """(label, builder thunk) for every reference model at homework size of each preset."""
    from teachkit import models

    gaussian = {
        name: build
        for name, build in models.GAUSSIAN_MODELS.items()
        if name != "varying_slopes_noncentered"  # no reference model is written that way
    }
    out = []
    for preset in presets:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose from {sorted(PRESETS)}")
        sim = PRESETS[preset].homework_data(seed=0)
        if PRESETS[preset].family == "binomial":
            for builder in (models.grants_total, models.grants_direct, models.grants_multilevel):
                out.append((f"{preset}/{builder.__name__}", lambda f=builder, s=sim: f(s)))
            continue
        for name, build in gaussian.items():
            for lik in likelihoods:
                out.append(
                    (f"{preset}/{name}/{lik}", lambda b=build, s=sim, k=lik: b(s, likelihood=k))
                )
    return out


def warmup(
    presets=DEFAULT_PRESETS,
    likelihoods=("rows",),
    *,
    out=sys.stdout,
) -> dict[str, float]:
    """Compile every reference model once so that later fits of the same structure start warm.

    Each model is built on its preset's homework-sized data and fitted with a few draws through
    :func:`sample`, which compiles exactly what a real fit compiles into the persistent cache
    (:func:`cache_dir`). Prints one line per model with its time.

    Parameters
    ----------
    presets : sequence of str
        Simulator presets whose homework-sized data to use.
    likelihoods : sequence of {"rows", "sufficient"}
        Likelihood versions of the Gaussian models to compile.
    out : file
        Where the progress lines go.

    Returns
    -------
    dict
        Seconds per model label.
    """
    timings = {}
    todo = _warmup_models(presets, likelihoods)
    print(f"teachkit warmup: {len(todo)} models; compile cache {cache_dir()}", file=out)
    for i, (label, build) in enumerate(todo, 1):
        t0 = time.perf_counter()
        # reuse=False: compile exactly what a plain pm.sample (a student's fit) compiles
        sample(build(), seed=0, draws=5, tune=5, chains=1, cores=1, log_likelihood=False,
               reuse=False)
        timings[label] = time.perf_counter() - t0
        print(f"[{i:2d}/{len(todo)}] {label:48s} {timings[label]:6.1f} s", file=out, flush=True)
    print(f"total {sum(timings.values()):.0f} s", file=out)
    if tuple(presets) == DEFAULT_PRESETS and "rows" in likelihoods:
        _stamp_path().write_text(json.dumps({"versions": _versions(), "models": sorted(timings)}))
    return timings



def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {pkg: version(pkg) for pkg in ("teachkit", "pymc", "pytensor", "nutpie", "numba")}


def _stamp_path() -> Path:
    return cache_dir() / "teachkit-warmup.json"


def is_warm() -> bool:
    """Whether a full :func:`warmup` already filled the cache with the installed versions.

    ``teachkit grade`` asks this before warming up, so that only its first run pays for it.

    Examples
    --------
    >>> isinstance(is_warm(), bool)
    True
    """
    try:
        return json.loads(_stamp_path().read_text()).get("versions") == _versions()
    except (OSError, ValueError):
        return False


def warmup_cli(args) -> int:
    """Entry point of ``teachkit warmup`` (see :func:`teachkit.cli._add_warmup`)."""
    warmup(presets=args.presets, likelihoods=args.likelihood)
    return 0
