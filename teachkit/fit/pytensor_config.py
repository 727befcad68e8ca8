"""teachkit's PyTensor settings, applied whatever was imported first.

Two settings, neither overriding anything the user configured (``PYTENSOR_FLAGS`` or a
``.pytensorrc``):

* ``base_compiledir`` -> :func:`cache_dir`, the persistent compile cache that ``teachkit warmup``
  fills. PyTensor reads it once, at ``import pytensor``, and never lets it change afterwards: it
  can only be set before PyTensor is imported.
* ``blas__ldflags`` -> ``""`` (empty: no BLAS linked into PyTensor's C code). Without it the first
  compile of a C function (PyMC's initial-point function, also inside ``pm.sample`` with nutpie)
  searches for a BLAS library and, on a pip install, warns "PyTensor could not link to a BLAS
  installation ...". Linking one brought no speed-up here: sampling runs in Numba, which calls its
  own BLAS (FIELD-NOTES, ``benchmarks/results/fit_speed.md``). PyTensor evaluates this flag lazily,
  at its first use, so setting ``pytensor.config.blas__ldflags`` *after* ``import pymc`` still works,
  as long as nothing has been compiled yet.

:func:`configure_pytensor` applies both where it still can: as ``PYTENSOR_FLAGS`` when PyTensor is
not imported yet, on ``pytensor.config`` (BLAS only) when it is. A homework notebook's first code
cell calls it after its imports, so the order of ``import pymc`` and ``import teachkit`` does not
matter::

    import pymc as pm
    import teachkit
    teachkit.configure_pytensor()

The same effect for every Python session, without teachkit: a ``~/.pytensorrc`` containing ::

    [blas]
    ldflags =
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["cache_dir", "configure_pytensor"]

#: The flag PyTensor's BLAS search warns from (``pytensor/link/c/cmodule.py``).
BLAS_FLAG = "blas__ldflags"


def cache_dir() -> Path:
    """The folder teachkit uses for PyTensor's compile cache (``base_compiledir``).

    ``$TEACHKIT_CACHE_DIR/pytensor`` if that variable is set, else
    ``$XDG_CACHE_HOME/teachkit/pytensor`` (``~/.cache/teachkit/pytensor``).

    Examples
    --------
    >>> cache_dir().name
    'pytensor'
    """
    root = os.environ.get("TEACHKIT_CACHE_DIR")
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(xdg, "teachkit")
    return Path(root) / "pytensor"


def _has_rc() -> bool:
    rc = os.environ.get("PYTENSORRC", os.path.expanduser("~/.pytensorrc"))
    return any(os.path.exists(p) for p in rc.split(os.pathsep))


def _before_import() -> dict[str, str]:
    """Add teachkit's defaults to ``PYTENSOR_FLAGS`` (PyTensor not imported yet)."""
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    keys = {f.split("=", 1)[0].strip() for f in flags.split(",") if "=" in f}
    if _has_rc():
        return {}  # the user's .pytensorrc decides
    extra = {}
    if not keys & {"base_compiledir", "compiledir"}:
        extra["base_compiledir"] = str(cache_dir())
    if BLAS_FLAG not in keys:
        extra[BLAS_FLAG] = ""
    if extra:
        added = [f"{k}={v}" for k, v in extra.items()]
        os.environ["PYTENSOR_FLAGS"] = ",".join([f for f in [flags, *added] if f])
    return extra


def _after_import(config) -> dict[str, str]:
    """Set ``blas__ldflags`` on the live ``pytensor.config`` unless the user or PyTensor did."""
    try:
        config.fetch_val_for_key(BLAS_FLAG)
        return {}  # given in PYTENSOR_FLAGS or a .pytensorrc: the user's choice
    except KeyError:
        pass
    param = getattr(type(config), BLAS_FLAG, None)
    if param is not None and "val" in vars(param):
        # already evaluated: a compile has run (and warned, or found a BLAS); leave it
        return {}
    setattr(config, BLAS_FLAG, "")
    return {BLAS_FLAG: ""}


def configure_pytensor() -> dict[str, str]:
    """Apply teachkit's PyTensor settings where they can still take effect; idempotent.

    Before ``import pytensor`` (or ``import pymc``) it adds ``base_compiledir=<cache_dir()>`` and
    ``blas__ldflags=`` to ``PYTENSOR_FLAGS``; afterwards it sets ``pytensor.config.blas__ldflags``
    to ``""`` if no compile has read it yet. Settings the user gave (in ``PYTENSOR_FLAGS`` or a
    ``.pytensorrc``) are never changed. Call it in a notebook's first code cell, after the
    imports: from then on no PyTensor BLAS warning appears, also when nutpie or ``pm.sample`` is
    called directly.

    Returns
    -------
    dict
        The settings this call applied (``{}`` when there was nothing left to do).

    Examples
    --------
    >>> import pytensor
    >>> applied = configure_pytensor()  # {'blas__ldflags': ''} in a fresh session
    >>> configure_pytensor()  # a second call finds nothing left to do
    {}
    """
    if "pytensor" not in sys.modules:
        return _before_import()
    import pytensor

    return _after_import(pytensor.config)
