"""teachkit: teaching Bayesian multilevel models with covarying parameters.

Subpackages, in the one direction imports run (checked by import-linter in ``make test``):

``covariance``, ``regression`` (NumPy) <- ``simulate`` (``presets``: the registry of data designs)
<- ``models`` <- ``fit`` <- ``checks`` <- ``grading`` <- ``course`` <- ``demo`` <- ``cli``.

Widgets (``teachkit.widgets``) use ``covariance`` and ``simulate`` only.

Importing teachkit configures nothing. :func:`configure_pytensor` (from
:mod:`teachkit.fit.pytensor_config`) applies teachkit's PyTensor settings whatever was imported
first; a notebook's first code cell calls it after its imports, ``teachkit`` commands before
anything else.
"""

from teachkit.fit.pytensor_config import configure_pytensor

__all__ = ["configure_pytensor"]

__version__ = "0.1.0"
