"""teachkit: teaching Bayesian multilevel models with covarying parameters.

Modules (data flows one way, left to right):

``covariance`` -> ``simulate`` -> ``models`` / ``checks`` -> notebooks -> ``assignments`` / ``grading`` -> ``cli``

Widgets (``teachkit.widgets``) use ``covariance`` and ``simulate`` only.

:func:`configure_pytensor` (from :mod:`teachkit.fit.pytensor_config`) applies teachkit's PyTensor
settings whatever was imported first; a notebook's first code cell calls it after its imports.
"""

from teachkit.fit.pytensor_config import configure_pytensor

__all__ = ["configure_pytensor"]

__version__ = "0.1.0"
