"""teachkit: teaching Bayesian multilevel models with covarying parameters.

Modules (data flows one way, left to right):

``covariance`` -> ``simulate`` -> ``models`` / ``checks`` -> notebooks -> ``assignments`` / ``grading`` -> ``cli``

Widgets (``teachkit.widgets``) use ``covariance`` and ``simulate`` only.
"""

__version__ = "0.1.0"
