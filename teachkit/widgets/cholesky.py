"""Demo 2: the Cholesky factor L turns independent normals z into correlated ones, μ + L z.

.. image:: ../../docs/screenshots/cholesky.png
"""

from __future__ import annotations

import html

import ipywidgets as w
import numpy as np
from matplotlib.collections import LineCollection

from teachkit import covariance
from teachkit.widgets._figure import DemoWidget, LiveFigure, matrix_html, projector_style, slider
from teachkit.widgets._geometry import ellipse_points

__all__ = ["CholeskyExplorer", "cholesky_explorer", "labelled_points"]

_LIM = 4.0
_COLOURS = ("#c62828", "#2e7d32", "#6a1b9a")
_TITLE2 = "L maps the z grid"
_TITLE3 = "x = L z: (x₁, x₃)"
_T = np.linspace(-3, 3, 2)
# lines z₁ = c and z₂ = c of a square grid in z-space, each as two end points
_Z_GRID = [np.column_stack([np.full(2, c), _T]) for c in range(-3, 4)] + [
    np.column_stack([_T, np.full(2, c)]) for c in range(-3, 4)
]


def labelled_points(d: int) -> np.ndarray:
    """The labelled points A, B, C of the z-space, one per row (unit length).

    For d = 3 they are the unit vectors e₁, e₂, e₃, so their images L eₖ are the columns of L.
    For d = 2, A and B are e₁ and e₂ and C is on the unit circle at 225°.

    Examples
    --------
    >>> labelled_points(3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    if d == 3:
        return np.eye(3)
    if d == 2:
        c = -np.sqrt(0.5)
        return np.array([[1.0, 0.0], [0.0, 1.0], [c, c]])
    raise ValueError(f"d must be 2 or 3 (the demo draws 2×2 and 3×3 factors); got {d}")


def _panel(key: str) -> int:
    """Index of the panel an artist's key names (``"dot1A"`` -> 1)."""
    return int(next(ch for ch in key if ch.isdigit()))


class CholeskyExplorer(DemoWidget):
    """The map z → μ + L z drawn for a 2×2 or 3×3 Σ (see :func:`cholesky_explorer`)."""

    title = "Cholesky factor: from independent z to correlated x = μ + L z"

    def __init__(
        self,
        *,
        d=2,
        sd=(1.5, 1.0, 1.0),
        corr=(-0.6, 0.3, 0.2),
        n=250,
        seed=410,
        backend="auto",
        blit=True,
    ):
        self._z = np.random.default_rng(seed).standard_normal((n, 3))
        self._mu = np.zeros(3)
        live = LiveFigure(1000, 400, backend=backend, blit=blit)
        with projector_style():
            a, self._axes = self._build(live.figure)
        live.animate(a.values())
        s = {
            "d": w.ToggleButtons(
                options=[("2×2", 2), ("3×3", 3)], value=d, style={"button_width": "70px"}
            ),
            "sd1": slider("σ₁", sd[0], 0.3, 2.0, 0.1),
            "sd2": slider("σ₂", sd[1], 0.3, 2.0, 0.1),
            "sd3": slider("σ₃", sd[2], 0.3, 2.0, 0.1),
            "r12": slider("r₁₂", corr[0], -0.95, 0.95, 0.05),
            "r13": slider("r₁₃", corr[1], -0.95, 0.95, 0.05),
            "r23": slider("r₂₃", corr[2], -0.95, 0.95, 0.05),
        }
        readouts = {"sigma": w.HTML(), "L": w.HTML(), "LLt": w.HTML()}
        caption = (
            "Left: independent standard normals z, the unit circle and three labelled points. "
            "Right: the same points after x = μ + L z (here μ = 0), with Σ = L Lᵀ: the circle "
            "becomes the ellipse of Σ and the cloud becomes correlated. For 3×3, the middle and "
            "right panels are two projections, (x₁, x₂) and (x₁, x₃); A, B, C are then e₁, e₂, e₃ "
            "and their images are the columns of L. For 2×2, the right panel shows what L does "
            "to the square grid of z: a shear and a stretch."
        )
        super().__init__(live=live, controls=list(s.values()), readouts=readouts, caption=caption)
        self.artists = a
        self._wire(**s)
        live.finish_layout()
        self._mode = None
        self.update()

    @staticmethod
    def _build(fig):
        axes = fig.subplots(1, 3)
        a = {}
        t = np.linspace(0, 2 * np.pi, 121)
        titles = ("z (independent)", "x = L z: (x₁, x₂)", _TITLE3)
        for k, ax in enumerate(axes):
            ax.set(xlim=(-_LIM, _LIM), ylim=(-_LIM, _LIM), aspect="equal")
            ax.set_title(titles[k])
            ax.axhline(0, color="0.8", lw=1, zorder=0)
            ax.axvline(0, color="0.8", lw=1, zorder=0)
            if k == 0:
                ax.plot(np.cos(t), np.sin(t), color="k", lw=2)
                ax.set(xlabel="z₁", ylabel="z₂")
                ax.grid(True, color="0.6", lw=1.2)  # the grid that L maps (right panel, 2×2)
            else:
                ax.set(xlabel="x₁", ylabel="x₂" if k == 1 else "x₃")
            a[f"cloud{k}"] = ax.scatter([], [], s=8, color="0.55", alpha=0.6, lw=0)
            if k == 2:  # 2×2 mode: the image of the z grid (3×3 mode: a projection instead)
                a["grid2"] = ax.add_collection(LineCollection([], colors="0.6", lw=1.2))
            if k > 0:
                (a[f"ellipse{k}"],) = ax.plot([], [], color="k", lw=2.5)
            for p, name in enumerate("ABC"):
                (a[f"arrow{k}{name}"],) = ax.plot([], [], color=_COLOURS[p], lw=2.5)
                (a[f"dot{k}{name}"],) = ax.plot([], [], "o", color=_COLOURS[p], ms=9)
                # a letter drawn as a marker is a cached path: far cheaper to redraw than Text
                (a[f"label{k}{name}"],) = ax.plot(
                    [], [], marker=f"${name}$", ms=14, ls="none", color=_COLOURS[p]
                )
        return a, axes

    def _matrix(self):
        d = int(self.sliders["d"].value)
        sd = np.array([self.sliders[f"sd{i}"].value for i in (1, 2, 3)])[:d]
        r12, r13, r23 = (float(self.sliders[k].value) for k in ("r12", "r13", "r23"))
        R = covariance.corr_from_pairs(r12, r13, r23)[:d, :d]
        return d, covariance.cov_from_sd_corr(sd, R)

    def update(self) -> None:
        """Recompute from the slider values and redraw the changed artists."""
        d, cov = self._matrix()
        a = self.artists
        if d != self._mode:  # the layout changes: third panel, enabled sliders
            self._mode = d
            for key in ("sd3", "r13", "r23"):
                self.sliders[key].disabled = d == 2
            ax2 = self._axes[2]
            with projector_style():
                ax2.set_title(_TITLE3 if d == 3 else _TITLE2)
                ax2.set_ylabel("x₃" if d == 3 else "x₂")
            needs_full = True
        else:
            needs_full = False
        self.readouts["sigma"].value = matrix_html("Σ", cov, fmt="{:+.2f}")
        try:
            L = covariance.cholesky(cov)
        except covariance.NotPositiveDefiniteError as exc:
            self.readouts["L"].value = (
                "<div class='teachkit-bad'>Σ is not positive definite: no factor L.</div>"
                f"<div style='max-width:24em;font-size:15px'>{html.escape(str(exc))}</div>"
            )
            self.readouts["LLt"].value = ""
            for key, artist in a.items():
                if _panel(key) > 0:  # nothing to draw in x-space
                    artist.set_visible(False)
            self._show(needs_full)
            return
        zpts = labelled_points(d)
        z = self._z[:, :d]
        x = self._mu[:d] + z @ L.T
        xpts = self._mu[:d] + zpts @ L.T
        panes = [(0, z, zpts, (0, 1)), (1, x, xpts, (0, 1)), (2, x, xpts, (0, 2 if d == 3 else 1))]
        for k, cloud, pts, (i, j) in panes:
            a[f"cloud{k}"].set_offsets(cloud[:, [i, j]])
            a[f"cloud{k}"].set_visible(k < 2 or d == 3)
            if k > 0:
                e = ellipse_points(cov[np.ix_([i, j], [i, j])], mass=1 - np.exp(-0.5))
                a[f"ellipse{k}"].set_data(e[:, 0], e[:, 1])
                a[f"ellipse{k}"].set_visible(True)
            for p, name in enumerate("ABC"):
                px, py = pts[p, i], pts[p, j]
                a[f"arrow{k}{name}"].set_data([0, px], [0, py])
                a[f"dot{k}{name}"].set_data([px], [py])
                a[f"label{k}{name}"].set_data([px * 1.15 + 0.3], [py * 1.15 + 0.3])
                for part in ("arrow", "dot", "label"):
                    a[f"{part}{k}{name}"].set_visible(True)
        if d == 2:
            a["grid2"].set_segments([self._mu[:2] + line @ L.T for line in _Z_GRID])
        a["grid2"].set_visible(d == 2)
        self.readouts["L"].value = "<div>Cholesky factor:</div>" + matrix_html(
            "L", [[L[i, j] if j <= i else None for j in range(d)] for i in range(d)], fmt="{:+.3f}"
        )
        self.readouts["LLt"].value = "<div>check:</div>" + matrix_html(
            "L Lᵀ", L @ L.T, fmt="{:+.2f}"
        )
        self._show(needs_full)

    def _show(self, full: bool) -> None:
        if full:
            self.live.redraw_all()
        else:
            self.live.refresh()


def cholesky_explorer(
    *,
    d: int = 2,
    sd=(1.5, 1.0, 1.0),
    corr=(-0.6, 0.3, 0.2),
    n: int = 250,
    seed: int = 410,
    backend: str = "auto",
    blit: bool = True,
) -> CholeskyExplorer:
    """Σ, its Cholesky factor L and L Lᵀ as numbers, and the map z → μ + L z as a picture.

    A cloud of independent standard normals z, the unit circle and three labelled points A, B,
    C are drawn before and after the map: the circle becomes the ellipse of Σ (the contour one
    Mahalanobis unit from μ) and the labelled points move to L·A, L·B, L·C. Works for 2×2 and
    3×3 (a toggle); in 3×3 the image is shown in two projections and A, B, C are e₁, e₂, e₃,
    whose images are the columns of L. A Σ that is not positive definite has no factor: the
    read-out says why (from :class:`teachkit.covariance.NotPositiveDefiniteError`).

    .. image:: ../../docs/screenshots/cholesky.png

    Parameters
    ----------
    d : {2, 3}
        Initial dimension.
    sd : sequence of 3 floats
        Initial σ₁, σ₂, σ₃, in [0.3, 2].
    corr : sequence of 3 floats
        Initial r₁₂, r₁₃, r₂₃, in [-0.95, 0.95].
    n : int
        Number of points in the clouds.
    seed : int
    backend : {"auto", "ipympl", "agg"}
    blit : bool

    Returns
    -------
    CholeskyExplorer

    Examples
    --------
    >>> demo = cholesky_explorer(backend="agg")
    >>> demo.sliders["r12"].value = 0.0
    >>> np.round(demo.artists["dot1B"].get_data(), 6).tolist()  # L·B = (L₁₂, L₂₂) = (0, σ₂)
    [[0.0], [1.0]]
    """
    return CholeskyExplorer(d=d, sd=sd, corr=corr, n=n, seed=seed, backend=backend, blit=blit)
