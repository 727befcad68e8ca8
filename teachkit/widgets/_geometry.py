"""Plane geometry and the fast shrinkage approximation behind the lecture widgets.

The covariance maths itself (Σ from sds and R, Cholesky factors, the allowed interval of r23,
LKJ densities and samplers) lives in :mod:`teachkit.covariance`; this module only turns it into
things to draw: density ellipses, the slice of the elliptope a 3×3 correlation matrix must lie
in, and the normal–normal (empirical-Bayes) shrinkage of per-group estimates that the shrinkage
demo shows while a lecturer drags sliders.
"""

from __future__ import annotations

import numpy as np

from teachkit import covariance
from teachkit.regression import group_ols

__all__ = [
    "ellipse_points",
    "elliptope_slice",
    "group_ols",
    "mass_radius",
    "partial_pooling",
]


def mass_radius(mass: float) -> float:
    """Mahalanobis radius of the 2-D normal ellipse that holds probability ``mass``.

    For a bivariate normal, the squared Mahalanobis distance is χ²(2), i.e. exponential with
    mean 2, so the radius is :math:`\\sqrt{-2 \\ln(1 - p)}`.

    Examples
    --------
    >>> round(mass_radius(0.5), 4)
    1.1774
    """
    if not 0 < mass < 1:
        raise ValueError(f"mass must lie strictly between 0 and 1 (a probability); got {mass}")
    return float(np.sqrt(-2.0 * np.log1p(-mass)))


def ellipse_points(cov, *, mean=(0.0, 0.0), mass: float = 0.5, n: int = 121) -> np.ndarray:
    """Points on the density contour of a bivariate normal that encloses ``mass``.

    The unit circle is mapped through the Cholesky factor ``L`` of ``cov`` (the same map that
    turns independent standard normals into correlated draws), scaled by :func:`mass_radius`.

    Parameters
    ----------
    cov : array_like, shape (2, 2)
        A positive-definite covariance matrix.
    mean : array_like, shape (2,)
    mass : float
        Probability inside the ellipse, in (0, 1).
    n : int
        Number of points; the first and last coincide, so the curve closes.

    Returns
    -------
    ndarray, shape (n, 2)

    Examples
    --------
    >>> pts = ellipse_points([[4.0, 0.0], [0.0, 1.0]], mass=0.5)
    >>> pts.shape
    (121, 2)
    >>> bool(np.isclose(pts[:, 0].max(), 2 * mass_radius(0.5)))
    True
    """
    cov = np.asarray(cov, dtype=float)
    if cov.shape != (2, 2):
        raise ValueError(f"cov must be a 2×2 covariance matrix; got shape {cov.shape}")
    L = covariance.cholesky(cov)
    t = np.linspace(0.0, 2.0 * np.pi, int(n))
    circle = np.stack([np.cos(t), np.sin(t)])
    return np.asarray(mean, dtype=float) + mass_radius(mass) * (L @ circle).T


def elliptope_slice(r12: float, *, n: int = 201) -> np.ndarray:
    """Boundary of the valid (r13, r23) region for a fixed r12, as a closed polygon.

    A 3×3 matrix with unit diagonal is a correlation matrix when its determinant
    ``1 - r12² - r13² - r23² + 2 r12 r13 r23`` is positive. For fixed r12 this region of the
    (r13, r23) square is an ellipse whose vertical extent at each r13 is the interval
    :func:`teachkit.covariance.r23_interval` returns; for r12 = 0 it is the unit disc.

    Parameters
    ----------
    r12 : float
        In (-1, 1).
    n : int
        Points per half of the boundary.

    Returns
    -------
    ndarray, shape (2 n, 2)
        Columns r13 and r23; the upper boundary left to right, then the lower one back.

    Examples
    --------
    >>> poly = elliptope_slice(0.0)
    >>> bool(np.allclose(np.hypot(poly[:, 0], poly[:, 1]), 1.0))
    True
    """
    if not -1 < r12 < 1:
        raise ValueError(f"r12 must lie strictly between -1 and 1 (a correlation); got {r12}")
    # cos-spaced r13 resolves the ends of the ellipse, where the boundary is vertical.
    r13 = np.cos(np.linspace(np.pi, 0.0, int(n)))
    r13 = np.clip(r13, -1 + 1e-12, 1 - 1e-12)
    lo, hi = covariance.r23_interval(np.full_like(r13, r12), r13)
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    upper = np.column_stack([r13, hi])
    lower = np.column_stack([r13[::-1], lo[::-1]])
    return np.vstack([upper, lower])


def partial_pooling(coef, xtx, sigma: float, mean, cov) -> np.ndarray:
    """Partially pooled intercept–slope pairs given the population mean and covariance.

    Each group's own estimate ``b_j`` has sampling covariance ``V_j = σ² (X_jᵀ X_j)⁻¹``. With the
    population prior ``(α_j, β_j) ~ MVNormal(μ, Σ)`` the posterior mean of a group is the
    precision-weighted average

    ``(Σ⁻¹ + V_j⁻¹)⁻¹ (Σ⁻¹ μ + V_j⁻¹ b_j)``

    which is what a fitted multilevel model's posterior means approach when μ, Σ and σ are
    well determined. Groups with little data (large ``V_j``) move most, and they move along the
    direction Σ favours: with a correlation, information about the intercept also moves the
    slope.

    Parameters
    ----------
    coef : array_like, shape (J, 2)
        No-pooling estimates (e.g. from :func:`teachkit.regression.group_ols`).
    xtx : array_like, shape (J, 2, 2)
        Each group's ``Xᵀ X``.
    sigma : float
        Residual sd.
    mean : array_like, shape (2,)
        Population mean (μ_α, μ_β).
    cov : array_like, shape (2, 2)
        Population covariance Σ (positive definite).

    Returns
    -------
    ndarray, shape (J, 2)

    Examples
    --------
    One observation's worth of information and a prior of equal weight: halfway.

    >>> partial_pooling([[2.0, 0.0]], [[[1.0, 0.0], [0.0, 1.0]]], 1.0,
    ...                 [0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]]).tolist()
    [[1.0, 0.0]]
    """
    coef = np.asarray(coef, dtype=float)
    xtx = np.asarray(xtx, dtype=float)
    if not sigma > 0:
        raise ValueError(f"sigma must be positive (a residual sd); got {sigma}")
    L = covariance.cholesky(np.asarray(cov, dtype=float))  # raises if Σ is not PD
    prior_prec = np.linalg.inv(L @ L.T)
    data_prec = xtx / sigma**2  # V_j⁻¹
    post_prec = prior_prec + data_prec
    rhs = prior_prec @ np.asarray(mean, dtype=float) + np.einsum("jab,jb->ja", data_prec, coef)
    return np.linalg.solve(post_prec, rhs[..., None])[..., 0]
