"""``teachkit warmup``: compile every reference model once, so later fits start warm."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from teachkit.fit.pytensor_config import cache_dir
from teachkit.fit.sampling import sample
from teachkit.simulate.presets import PRESETS

__all__ = ["DEFAULT_PRESETS", "is_warm", "warmup"]

#: The presets whose homework-sized reference models ``teachkit warmup`` compiles by default:
#: every entry of the registry :data:`teachkit.simulate.PRESETS`.
DEFAULT_PRESETS = tuple(PRESETS)


def _warmup_models(presets, likelihoods):
    """(label, builder thunk) for every reference model at homework size of each preset."""
    from teachkit import models  # PyMC: imported when a warm-up runs

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
            for builder in models.GRANTS_MODELS.values():
                out.append((f"{preset}/{builder.__name__}", lambda f=builder, s=sim: f(s)))
            continue
        for name, build in gaussian.items():
            for lik in likelihoods:
                out.append(
                    (f"{preset}/{name}/{lik}", lambda b=build, s=sim, k=lik: b(s, likelihood=k))
                )
    return out


def warmup(
    presets: Sequence[str] = DEFAULT_PRESETS,
    likelihoods: Sequence[str] = ("rows",),
    *,
    out: TextIO | None = None,
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
    out : file, optional
        Where the progress lines go (default: standard output).

    Returns
    -------
    dict
        Seconds per model label.
    """
    out = sys.stdout if out is None else out
    timings = {}
    todo = _warmup_models(presets, likelihoods)
    print(f"teachkit warmup: {len(todo)} models; compile cache {cache_dir()}", file=out)
    for i, (label, build) in enumerate(todo, 1):
        t0 = time.perf_counter()
        # reuse=False: compile exactly what a plain pm.sample (a student's fit) compiles
        sample(
            build(), seed=0, draws=5, tune=5, chains=1, cores=1, log_likelihood=False, reuse=False
        )
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
