"""Lecture widgets: one interactive demo per hard idea of the lecture.

=====================================  ===================================================
:func:`mvnormal_explorer`              σ₁, σ₂, ρ and n over bivariate normal draws, beside
                                       independent draws with the same marginals
:func:`cholesky_explorer`              Σ, L and L Lᵀ; the map z → μ + L z (2×2 and 3×3)
:func:`correlation_explorer`           r₁₂, r₁₃, r₂₃: determinant, eigenvalues, the allowed
                                       interval of r₂₃, the elliptope slice
:func:`lkj_explorer`                   η and d of LKJ(η): exact density of a correlation and
                                       onion-sampler draws
:func:`shrinkage_explorer`             no-pooling vs partially pooled intercept–slope pairs
:func:`demo_tabs`                      all five, as tabs
=====================================  ===================================================

Each function returns an ``ipywidgets`` container whose ``sliders``, ``artists`` and
``readouts`` attributes drive and inspect it; figures are updated in place (ipympl inside a
kernel when installed, PNG updates otherwise). ``teachkit lecture`` serves the gallery through
Voilà on localhost. The maths is :mod:`teachkit.covariance`; screenshots are in
``docs/screenshots/`` and ``docs/widgets.md``.
"""

from teachkit.widgets.cholesky import cholesky_explorer
from teachkit.widgets.correlation import correlation_explorer
from teachkit.widgets.gallery import demo_tabs
from teachkit.widgets.lkj import lkj_explorer
from teachkit.widgets.mvnormal import mvnormal_explorer
from teachkit.widgets.shrinkage import shrinkage_explorer

__all__ = [
    "cholesky_explorer",
    "correlation_explorer",
    "demo_tabs",
    "lkj_explorer",
    "mvnormal_explorer",
    "shrinkage_explorer",
]
