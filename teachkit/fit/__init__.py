"""Fitting the reference models: :func:`sample`, its calibrated settings, compile reuse, warm-up.

- :mod:`~teachkit.fit.sampling` -- :func:`sample` (nutpie, or PyMC's NUTS), :data:`CALIBRATED`
  (the settings the checks were calibrated at) and :data:`DIVERGENCE_DEMO` (the sampler's
  default target_accept, at which the centred funnel diverges);
- :mod:`~teachkit.fit.compile_cache` -- reuse of a compiled structure within one process;
- :mod:`~teachkit.fit.pytensor_config` -- :func:`configure_pytensor` and :func:`cache_dir`: the
  persistent compile cache and the BLAS flag, applied when asked, never on import;
- :mod:`~teachkit.fit.reference_warmup` -- ``teachkit warmup``: every reference model compiled once.

Nothing here runs on import, and the names below load their module on first use, so that
``import teachkit`` (which needs :func:`configure_pytensor`) stays light. PyMC is imported when a
fit starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from teachkit.fit.pytensor_config import cache_dir, configure_pytensor
    from teachkit.fit.reference_warmup import DEFAULT_PRESETS, is_warm, warmup
    from teachkit.fit.sampling import CALIBRATED, DIVERGENCE_DEMO, SAMPLERS, sample

_HOME = {
    "CALIBRATED": "sampling",
    "DIVERGENCE_DEMO": "sampling",
    "SAMPLERS": "sampling",
    "sample": "sampling",
    "cache_dir": "pytensor_config",
    "configure_pytensor": "pytensor_config",
    "DEFAULT_PRESETS": "reference_warmup",
    "is_warm": "reference_warmup",
    "warmup": "reference_warmup",
}

__all__ = [
    "CALIBRATED",
    "DEFAULT_PRESETS",
    "DIVERGENCE_DEMO",
    "SAMPLERS",
    "cache_dir",
    "configure_pytensor",
    "is_warm",
    "sample",
    "warmup",
]


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(f"teachkit.fit.{_HOME[name]}"), name)
    raise AttributeError(f"module 'teachkit.fit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
