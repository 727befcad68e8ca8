"""Pointwise log-likelihood of the reference models, computed from posterior draws in NumPy.

A builder records how its likelihood is evaluated (:func:`register`, a spec stored on the model
object itself); :func:`add_log_likelihood` (called by :func:`teachkit.fit.sample`) reads it back.
This module imports nothing of :mod:`teachkit.fit`: the fitting layer imports it, never the
reverse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import xarray

__all__ = ["add_log_likelihood", "pointwise_log_likelihood", "register"]

#: The attribute of a ``pm.Model`` that holds its :class:`Pointwise` spec.
_ATTRIBUTE = "_teachkit_pointwise"


@dataclass(frozen=True)
class Pointwise:
    """How to evaluate a model's per-observation log-likelihood without PyTensor."""

    kind: Literal["normal", "binomial"]
    name: str  # name of the log_likelihood variable
    dim: str  # its dimension
    arrays: dict[str, np.ndarray]
    labels: list


def register(model: Any, spec: Pointwise) -> None:
    """Record ``spec`` on ``model`` (a builder of :mod:`teachkit.models` does this)."""
    setattr(model, _ATTRIBUTE, spec)


def _spec(model: Any) -> Pointwise | None:
    return getattr(model, _ATTRIBUTE, None)


def _draws(posterior, name: str) -> np.ndarray:
    return np.asarray(posterior[name].values, dtype=float)


def pointwise_log_likelihood(model: Any, posterior: Any) -> xarray.DataArray | None:
    """Per-row log-likelihood of a teachkit model at every posterior draw.

    Works for both ``likelihood="rows"`` and ``likelihood="sufficient"`` (for which PyMC itself
    cannot compute it, the likelihood being a ``Potential``). Computed in NumPy, without
    compiling anything.

    Parameters
    ----------
    model : pymc.Model
        A model returned by one of this module's builders.
    posterior : xarray.Dataset or DataTree node
        Posterior draws with dims ``(chain, draw, ...)``.

    Returns
    -------
    xarray.DataArray or None
        Dims ``(chain, draw, obs)`` (``cell`` for grants), named ``y`` (``awards``);
        ``None`` when the model was not built by teachkit.

    Examples
    --------
    >>> import numpy as np, pandas as pd, xarray as xr
    >>> df = pd.DataFrame({"g": ["a", "b"], "x": [0.0, 1.0], "y": [0.0, 1.0]})
    >>> from teachkit.models import pooled
    >>> m = pooled(df, roles={"group": "g", "x": "x", "y": "y"}, likelihood="sufficient")
    >>> post = xr.Dataset({k: (("chain", "draw"), [[v]]) for k, v in
    ...                    {"mu_a": 0.0, "mu_b": 1.0, "sigma": 1.0}.items()})
    >>> ll = pointwise_log_likelihood(m, post)
    >>> np.allclose(ll.values, -0.5 * np.log(2 * np.pi))
    True
    """
    import xarray as xr
    from scipy import special, stats

    spec = _spec(model)
    if spec is None:
        return None
    arr = spec.arrays
    names = set(getattr(posterior, "data_vars", posterior))
    if spec.kind == "normal":
        codes, x, y = arr["codes"], arr["x"], arr["y"]
        a = _draws(posterior, "alpha") if "alpha" in names else _draws(posterior, "mu_a")
        b = _draws(posterior, "beta") if "beta" in names else _draws(posterior, "mu_b")
        sigma = _draws(posterior, "sigma")[..., None]
        # written out in place (not scipy.stats.norm.logpdf, 20x slower; and each temporary of
        # 4000 draws x 21600 rows is 690 MB: in place it takes 0.7 s here instead of 5 s)
        shape = a.shape[:2] + (len(y),)
        values = np.array(np.broadcast_to(b[..., codes] if b.ndim == 3 else b[..., None], shape))
        values *= x
        values += a[..., codes] if a.ndim == 3 else a[..., None]
        np.subtract(y, values, out=values)  # residual
        values /= sigma
        np.square(values, out=values)
        values *= -0.5
        values -= np.log(sigma) + 0.5 * math.log(2.0 * math.pi)
    else:
        g, d = arr["g_codes"], arr["d_codes"]
        eta = _draws(posterior, "alpha")[..., g]
        if "beta" in names:
            eta = eta + _draws(posterior, "beta")[..., d]
        values = stats.binom.logpmf(arr["successes"], arr["trials"], special.expit(eta))
    return xr.DataArray(
        values,
        dims=("chain", "draw", spec.dim),
        coords={
            "chain": posterior["chain"].values,
            "draw": posterior["draw"].values,
            spec.dim: spec.labels,
        },
        name=spec.name,
    )


def add_log_likelihood(idata: Any, model: Any) -> Any:
    """Add (or replace) the ``log_likelihood`` group of ``idata`` in place and return it.

    For models built here the values come from :func:`pointwise_log_likelihood` (fast, works
    for the sufficient-statistics likelihood); for any other model
    :func:`pymc.compute_log_likelihood` is used.

    Parameters
    ----------
    idata : xarray.DataTree
        Must have a ``posterior`` group.
    model : pymc.Model
        The model the draws came from.

    Returns
    -------
    xarray.DataTree
        ``idata`` itself.
    """
    import xarray as xr

    ll = pointwise_log_likelihood(model, idata["posterior"].to_dataset())
    if ll is None:
        import pymc as pm

        return pm.compute_log_likelihood(idata, model=model, progressbar=False)
    idata["log_likelihood"] = xr.DataTree(xr.Dataset({ll.name: ll}))
    return idata
