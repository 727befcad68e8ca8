"""Demo 1: what a correlation does to a cloud of bivariate normal draws.

.. image:: ../../docs/screenshots/mvnormal.png
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from teachkit import covariance
from teachkit.widgets._figure import (
    DemoWidget,
    LiveFigure,
    int_slider,
    matrix_html,
    projector_style,
    slider,
)
from teachkit.widgets._geometry import ellipse_points

__all__ = ["MvNormalExplorer", "mvnormal_explorer"]

_LIM = 7.0
_BINS = np.linspace(-_LIM, _LIM, 36)
_MASSES = (0.5, 0.9)


class MvNormalExplorer(DemoWidget):
    """Correlated draws beside independent draws with the same marginals (see
    :func:`mvnormal_explorer`)."""

    title = "Multivariate normal: correlation you cannot see in the marginals"

    def __init__(
        self, *, sd1=2.0, sd2=1.0, rho=-0.8, n=300, n_max=2000, seed=410, backend="auto", blit=True
    ):
        if not 10 <= n <= n_max:
            raise ValueError(f"n must lie between 10 and n_max={n_max}; got {n}")
        # One fixed set of standard-normal draws: moving a slider moves the same points.
        self._z = np.random.default_rng(seed).standard_normal((n_max, 2))
        live = LiveFigure(980, 430, backend=backend, blit=blit)
        with projector_style():
            a = self._build(live.figure)
        live.animate(a.values())
        self._x_grid = np.linspace(-_LIM, _LIM, 200)
        s = {
            "sd1": slider("σ₁", sd1, 0.5, 3.0, 0.1),
            "sd2": slider("σ₂", sd2, 0.5, 3.0, 0.1),
            "rho": slider("ρ", rho, -0.95, 0.95, 0.05),
            "n": int_slider("n", n, 10, n_max, 10),
        }
        readouts = {"sigma": w.HTML(), "sample": w.HTML()}
        caption = (
            "Left: draws x = L z of MVNormal(0, Σ) with Σ = diag(σ) R diag(σ). Middle: the same "
            "z with ρ = 0. Right: the marginals of both (solid: correlated, dashed: independent, "
            "black: the normal density). Ellipses hold 50% and 90% of the probability. "
            "The marginals cannot tell the two clouds apart."
        )
        super().__init__(live=live, controls=list(s.values()), readouts=readouts, caption=caption)
        self.artists = a
        self._wire(**s)
        live.finish_layout()
        self.update()

    @staticmethod
    def _build(fig) -> dict:
        gs = fig.add_gridspec(2, 3, width_ratios=[1, 1, 0.8])
        ax_c = fig.add_subplot(gs[:, 0])
        ax_i = fig.add_subplot(gs[:, 1], sharex=ax_c, sharey=ax_c)
        ax_m1 = fig.add_subplot(gs[0, 2])
        ax_m2 = fig.add_subplot(gs[1, 2], sharex=ax_m1)
        a = {}
        for ax, key, colour in ((ax_c, "corr", "C0"), (ax_i, "indep", "C1")):
            ax.set(xlim=(-_LIM, _LIM), ylim=(-_LIM, _LIM), aspect="equal", xlabel="x₁")
            a[f"{key}_points"] = ax.scatter([], [], s=9, color=colour, alpha=0.55, lw=0)
            for mass in _MASSES:
                (a[f"{key}_ellipse{int(mass * 100)}"],) = ax.plot([], [], color="k", lw=2)
        ax_c.set_ylabel("x₂")
        ax_c.set_title("correlated")
        ax_i.set_title("independent (ρ = 0)")
        for ax, i, label in ((ax_m1, 0, "x₁"), (ax_m2, 1, "x₂")):
            ax.set(xlim=(-_LIM, _LIM), ylim=(0, 0.9), yticks=[])
            ax.set_xlabel(f"marginal of {label}", labelpad=1)
            a[f"marg{i}_corr"] = ax.stairs(np.zeros(len(_BINS) - 1), _BINS, color="C0", lw=2.5)
            a[f"marg{i}_indep"] = ax.stairs(
                np.zeros(len(_BINS) - 1), _BINS, color="C1", lw=2, ls="--"
            )
            (a[f"marg{i}_pdf"],) = ax.plot([], [], color="k", lw=1.5)
        return a

    def update(self) -> None:
        """Recompute from the slider values and redraw the changed artists."""
        sd = np.array([self.sliders["sd1"].value, self.sliders["sd2"].value])
        rho = float(self.sliders["rho"].value)
        n = int(self.sliders["n"].value)
        a = self.artists
        cov = covariance.cov_from_sd_corr(sd, np.array([[1.0, rho], [rho, 1.0]]))
        cov_indep = np.diag(sd**2)
        z = self._z[:n]
        x_corr = z @ covariance.cholesky(cov).T
        x_indep = z * sd
        for key, x, c in (("corr", x_corr, cov), ("indep", x_indep, cov_indep)):
            a[f"{key}_points"].set_offsets(x)
            for mass in _MASSES:
                pts = ellipse_points(c, mass=mass)
                a[f"{key}_ellipse{int(mass * 100)}"].set_data(pts[:, 0], pts[:, 1])
        for i in range(2):
            a[f"marg{i}_corr"].set_data(np.histogram(x_corr[:, i], _BINS, density=True)[0])
            a[f"marg{i}_indep"].set_data(np.histogram(x_indep[:, i], _BINS, density=True)[0])
            g = self._x_grid
            a[f"marg{i}_pdf"].set_data(
                g, np.exp(-0.5 * (g / sd[i]) ** 2) / (sd[i] * np.sqrt(2 * np.pi))
            )
        r_hat = float(np.corrcoef(x_corr.T)[0, 1])
        self.readouts["sigma"].value = matrix_html("Σ", cov, fmt="{:+.2f}")
        self.readouts["sample"].value = (
            f"<div>ρ = <b>{rho:+.2f}</b><br>sample correlation<br>left: <b>r = {r_hat:+.2f}</b><br>"
            f"middle: r = {float(np.corrcoef(x_indep.T)[0, 1]):+.2f}</div>"
        )
        self.live.refresh()


def mvnormal_explorer(
    *,
    sd1: float = 2.0,
    sd2: float = 1.0,
    rho: float = -0.8,
    n: int = 300,
    seed: int = 410,
    backend: str = "auto",
    blit: bool = True,
) -> MvNormalExplorer:
    """Sliders σ₁, σ₂, ρ and n over draws from a bivariate normal, beside independent draws.

    A fixed set of standard-normal pairs z is mapped through the Cholesky factor L of
    Σ = diag(σ) R diag(σ), so the points move smoothly as the sliders move. Density ellipses
    (50% and 90%), both marginals, and the same z with ρ = 0 are drawn side by side: the
    lecture's point that the marginals alone cannot tell correlated from independent draws.
    Σ is shown as numbers. The defaults are the lecture's example: σ₁² = 4, σ₂² = 1, ρ = −0.8.

    .. image:: ../../docs/screenshots/mvnormal.png

    Parameters
    ----------
    sd1, sd2 : float
        Initial standard deviations, in [0.5, 3].
    rho : float
        Initial correlation, in [-0.95, 0.95].
    n : int
        Initial number of points shown, in [10, 2000].
    seed : int
        Seed of the fixed standard-normal draws.
    backend : {"auto", "ipympl", "agg"}
        Figure backend (see :func:`teachkit.widgets._figure.choose_backend`).
    blit : bool
        Redraw only the changing artists.

    Returns
    -------
    MvNormalExplorer
        An ``ipywidgets.VBox``; ``.sliders``, ``.artists`` and ``.readouts`` drive and inspect it.

    Examples
    --------
    >>> demo = mvnormal_explorer(backend="agg")
    >>> demo.sliders["rho"].value = 0.5
    >>> demo.readouts["sigma"].value.count("+1.00")  # Σ₁₂ = Σ₂₁ = 0.5 · 2 · 1 and Σ₂₂ = 1
    3
    """
    return MvNormalExplorer(sd1=sd1, sd2=sd2, rho=rho, n=n, seed=seed, backend=backend, blit=blit)
