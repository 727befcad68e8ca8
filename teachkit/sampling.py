"""The former home of :mod:`teachkit.fit`, kept so that existing code keeps working.

``teachkit.sampling.CALIBRATED``, ``DIVERGENCE_DEMO``, ``sample``, ``is_warm`` and the rest are
the objects of :mod:`teachkit.fit`; new code imports them from there. Importing this module
configures nothing.
"""

from teachkit.fit import (
    CALIBRATED,
    DEFAULT_PRESETS,
    DIVERGENCE_DEMO,
    SAMPLERS,
    cache_dir,
    is_warm,
    sample,
    warmup,
)

__all__ = [
    "CALIBRATED",
    "DEFAULT_PRESETS",
    "DIVERGENCE_DEMO",
    "SAMPLERS",
    "cache_dir",
    "is_warm",
    "sample",
    "warmup",
]
