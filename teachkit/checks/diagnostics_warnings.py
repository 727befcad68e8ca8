"""Silence, narrowly, the one ArviZ warning that constant-by-construction entries cause.

ArviZ's rank-normalised split R-hat (``arviz_stats.base.diagnostics``) divides the between-chain
variance by the within-chain variance. For an entry that never varies, such as the fixed entries
of an LKJ Cholesky factor (``chol[0, 0] = 1``, ``chol[0, 1] = 0``) or the unit diagonal of a
correlation matrix, both are zero and NumPy warns "RuntimeWarning: invalid value encountered in
scalar divide"; the R-hat is NaN. That 0/0 happens only when every draw of every chain is the same
value (a varying entry has a non-zero variance somewhere), and teachkit's checks skip such entries
anyway: the warning says nothing a user can act on.

:func:`constant_entries_ignored` ignores exactly that message, of that category, raised from
that module, inside a ``with`` block; every other warning, and the same warning anywhere else,
is shown as before. Nothing is changed globally.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

__all__ = ["RHAT_CONSTANT_MESSAGE", "RHAT_MODULE", "constant_entries_ignored"]

#: The start of NumPy's message for 0/0 in a scalar division (a regex, as warnings filters take).
RHAT_CONSTANT_MESSAGE = r"invalid value encountered in (scalar )?divide"
#: The module that divides (regex matched against the warning's module name).
RHAT_MODULE = r"arviz_stats\.base\.diagnostics"


@contextlib.contextmanager
def constant_entries_ignored() -> Iterator[None]:
    """Inside the block, ignore R-hat's 0/0 warning for entries that are constant over all draws.

    Wrap teachkit's own calls of ``arviz_stats.rhat`` (or ``az.rhat``, ``az.summary``) on
    variables that may hold constant entries.

    Examples
    --------
    >>> import numpy as np, arviz as az, warnings
    >>> from arviz_stats import rhat
    >>> draws = np.random.default_rng(0).normal(size=(4, 200, 2))
    >>> draws[..., 0] = 1.0  # like chol[0, 0] of an LKJ Cholesky factor
    >>> da = az.from_dict({"posterior": {"chol": draws}})["posterior"]["chol"]
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error")  # any warning that escapes fails this example
    ...     with constant_entries_ignored():
    ...         r = rhat(da, sample_dims=["chain", "draw"]).values
    >>> bool(np.isnan(r[0])), bool(abs(r[1] - 1) < 0.05)
    (True, True)
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=RHAT_CONSTANT_MESSAGE, category=RuntimeWarning, module=RHAT_MODULE
        )
        yield
