r"""Per-group simple linear regression in NumPy: sufficient statistics and least-squares lines.

The one place for these sums: the reference models' sufficient-statistics likelihood
(:mod:`teachkit.models`), the widgets' no-pooling estimates (:mod:`teachkit.widgets`) and the
demo's shrinkage plot (:mod:`teachkit.demo.plots`) all read them from here. NumPy only.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["group_ols", "no_pooling", "sufficient_statistics"]


def sufficient_statistics(
    codes: ArrayLike, x: ArrayLike, y: ArrayLike, n_groups: int
) -> dict[str, np.ndarray]:
    """Per-group sufficient statistics of a simple linear regression, centred for stability.

    Parameters
    ----------
    codes : array of int
        Group index of each row, in ``0 .. n_groups - 1``.
    x, y : array of float
        Predictor and outcome, one value per row.
    n_groups : int
        Number of groups (groups without rows get ``n = 0``).

    Returns
    -------
    dict
        ``n``, ``xbar``, ``ybar`` (group means; 0 for empty groups) and the centred sums
        ``sxx = Σ(x - x̄)²``, ``sxy = Σ(x - x̄)(y - ȳ)``, ``syy = Σ(y - ȳ)²``, each of length
        ``n_groups``. With them the residual sum of squares of a line ``a + b x`` is

        .. math:: RSS_j = S_{yy} - 2 b S_{xy} + b^2 S_{xx} + n_j (\\bar y_j - a - b \\bar x_j)^2

        exactly, without the cancellation of the raw sums ``Σy² − 2aΣy ...``.

    Examples
    --------
    >>> s = sufficient_statistics([0, 0, 1], [0.0, 2.0, 5.0], [1.0, 3.0, 4.0], 2)
    >>> s["n"].tolist(), s["xbar"].tolist(), s["sxy"].tolist()
    ([2.0, 1.0], [1.0, 5.0], [2.0, 0.0])
    """
    codes = np.asarray(codes, dtype=np.int64)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = np.bincount(codes, minlength=n_groups).astype(float)
    safe = np.where(n > 0, n, 1.0)
    xbar = np.bincount(codes, weights=x, minlength=n_groups) / safe
    ybar = np.bincount(codes, weights=y, minlength=n_groups) / safe
    dx = x - xbar[codes]
    dy = y - ybar[codes]
    return {
        "n": n,
        "xbar": xbar,
        "ybar": ybar,
        "sxx": np.bincount(codes, weights=dx * dx, minlength=n_groups),
        "sxy": np.bincount(codes, weights=dx * dy, minlength=n_groups),
        "syy": np.bincount(codes, weights=dy * dy, minlength=n_groups),
    }


def group_ols(
    group_codes: ArrayLike, x: ArrayLike, y: ArrayLike, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """No-pooling estimates: a separate least-squares line per group.

    Parameters
    ----------
    group_codes : array_like of int
        Group index 0..n_groups-1 of each observation.
    x, y : array_like of float
    n_groups : int

    Returns
    -------
    coef : ndarray, shape (n_groups, 2)
        Intercept and slope of each group.
    xtx : ndarray, shape (n_groups, 2, 2)
        Each group's ``Xᵀ X`` with ``X = [1, x]`` (its information up to the noise variance).
    rss : ndarray, shape (n_groups,)
        Residual sums of squares.

    Examples
    --------
    >>> coef, xtx, rss = group_ols([0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2],
    ...                            [1, 3, 5, 0, -1, -2], 2)
    >>> coef.round(6).tolist()
    [[1.0, 2.0], [0.0, -1.0]]
    """
    g = np.asarray(group_codes, dtype=int)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    counts = np.bincount(g, minlength=n_groups).astype(float)
    if (counts < 2).any():
        raise ValueError(
            "every group needs at least 2 observations for its own line; "
            f"group {int(np.argmin(counts))} has {int(counts.min())}"
        )
    sx = np.bincount(g, x, n_groups)
    sxx = np.bincount(g, x * x, n_groups)
    sy = np.bincount(g, y, n_groups)
    sxy = np.bincount(g, x * y, n_groups)
    xtx = np.empty((n_groups, 2, 2))
    xtx[:, 0, 0] = counts
    xtx[:, 0, 1] = xtx[:, 1, 0] = sx
    xtx[:, 1, 1] = sxx
    if (np.linalg.det(xtx) <= 1e-12 * np.maximum(counts * sxx, 1)).any():
        raise ValueError("a group's x values are all equal, so its own slope is undefined")
    xty = np.column_stack([sy, sxy])
    coef = np.linalg.solve(xtx, xty[..., None])[..., 0]
    fitted = coef[g, 0] + coef[g, 1] * x
    rss = np.bincount(g, (y - fitted) ** 2, n_groups)
    return coef, xtx, rss


def no_pooling(codes: ArrayLike, x: ArrayLike, y: ArrayLike, n_groups: int) -> np.ndarray:
    """Each group's own least-squares (intercept, slope); ``nan`` where it is undefined.

    Unlike :func:`group_ols`, a group with fewer than 2 observations or a single x value does
    not raise: its row is ``nan`` (what a plot leaves out).

    Examples
    --------
    >>> no_pooling([0, 0, 0, 1], [0.0, 1.0, 2.0, 5.0], [1.0, 3.0, 5.0, 0.0], 2).tolist()
    [[1.0, 2.0], [nan, nan]]
    """
    s = sufficient_statistics(codes, x, y, n_groups)
    est = np.full((n_groups, 2), np.nan)
    ok = (s["n"] >= 2) & (s["sxx"] > 0)
    slope = s["sxy"][ok] / s["sxx"][ok]
    est[ok, 0] = s["ybar"][ok] - slope * s["xbar"][ok]
    est[ok, 1] = slope
    return est
