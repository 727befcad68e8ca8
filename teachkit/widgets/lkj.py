"""Demo 4: what η does in the LKJ(η) prior on correlation matrices.

.. image:: ../../docs/screenshots/lkj.png
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np
from scipy import special

from teachkit import covariance
from teachkit.widgets._figure import DemoWidget, LiveFigure, int_slider, projector_style

__all__ = ["LkjExplorer", "lkj_explorer", "lkj_regime"]

_BINS = np.linspace(-1.0, 1.0, 41)
_R = np.linspace(-0.999, 0.999, 401)
_YMAX = 3.0


def lkj_regime(eta: float) -> str:
    """One sentence on what LKJ(η) favours, for the demo's caption.

    Examples
    --------
    >>> lkj_regime(1.0)[:8]
    'η = 1: u'
    """
    if not eta > 0:
        raise ValueError(f"eta must be positive (the LKJ shape); got {eta}")
    if np.isclose(eta, 1.0):
        return (
            "η = 1: uniform over all valid correlation matrices (for d = 2, a flat density "
            "of ρ; for larger d every single correlation is still pulled towards 0)."
        )
    if eta < 1:
        return (
            "η < 1: favours strong correlations; the density of each correlation rises "
            "towards ±1 (for d = 2, ∝ (1 − ρ²)^(η−1) has poles at ±1)."
        )
    return (
        "η > 1: favours weak correlations, near the identity matrix; the larger η, "
        "the more sceptical the prior (the lecture's LKJ(2) is gently regularising)."
    )


class LkjExplorer(DemoWidget):
    """Density of one correlation under LKJ(η) with onion-sampler draws (see
    :func:`lkj_explorer`)."""

    title = "The LKJ(η) prior: one correlation's density"

    def __init__(self, *, eta=2.0, d=2, n_draws=2000, seed=410, backend="auto", blit=True):
        self._n_draws = int(n_draws)
        self._seed = seed
        live = LiveFigure(760, 420, backend=backend, blit=blit)
        with projector_style():
            a = self._build(live.figure)
        live.animate(a.values())
        s = {
            "eta": w.FloatLogSlider(
                value=eta,
                base=10,
                min=-1,
                max=np.log10(20),
                step=0.05,
                description="η",
                readout_format=".2f",
                continuous_update=True,
                style={"description_width": "3.2em"},
                layout=w.Layout(width="340px"),
            ),
            "d": int_slider("d", d, 2, 10),
        }
        readouts = {"summary": w.HTML(), "regime": w.HTML()}
        caption = (
            "Solid: the exact density of any one off-diagonal correlation of a d×d LKJ(η) "
            "matrix, (r+1)/2 ~ Beta(η−1+d/2, η−1+d/2). Bars: about "
            f"{self._n_draws} correlations, every off-diagonal entry of matrices drawn with the "
            "onion method. Dashed (d = 2 only): the "
            "curve ∝ (1 − ρ²)^(η−1), normalised. Below 1, η favours strong correlations; at 1, "
            "all valid matrices are equally likely; above 1, correlations near 0."
        )
        super().__init__(live=live, controls=list(s.values()), readouts=readouts, caption=caption)
        self.artists = a
        self._wire(**s)
        live.finish_layout()
        self.update()

    @staticmethod
    def _build(fig) -> dict:
        ax = fig.add_subplot()
        ax.set(xlim=(-1.02, 1.02), ylim=(0, _YMAX), xlabel="correlation r", ylabel="density")
        a = {}
        a["hist"] = ax.stairs(
            np.zeros(len(_BINS) - 1), _BINS, fill=True, color="#90caf9", alpha=0.8
        )
        (a["exact"],) = ax.plot([], [], color="#0d47a1", lw=3, label="exact marginal")
        (a["kernel"],) = ax.plot([], [], color="#e65100", lw=2.5, ls="--", label="∝ (1 − ρ²)^(η−1)")
        ax.legend(loc="upper right", frameon=False)
        return a

    def draws(self) -> np.ndarray:
        """Every off-diagonal entry of the current onion-sampler draws (the histogram's data)."""
        eta = float(self.sliders["eta"].value)
        d = int(self.sliders["d"].value)
        n = max(1, self._n_draws // (d * (d - 1) // 2))
        R = covariance.sample_lkj(d, eta, size=n, seed=self._seed)
        iu = np.triu_indices(d, 1)
        return R[:, iu[0], iu[1]].ravel()

    def update(self) -> None:
        """Recompute from the slider values and redraw the changed artists."""
        eta = float(self.sliders["eta"].value)
        d = int(self.sliders["d"].value)
        a = self.artists
        r = self.draws()
        a["hist"].set_data(np.histogram(r, _BINS, density=True)[0])
        a["exact"].set_data(_R, covariance.lkj_marginal_pdf(_R, eta, d))
        if d == 2:
            # the lecture's kernel, normalised by its integral over (-1, 1): 2^(2η-1) B(η, η)
            kernel = (1.0 - _R**2) ** (eta - 1.0) / (2.0 ** (2 * eta - 1) * special.beta(eta, eta))
            a["kernel"].set_data(_R, kernel)
            a["kernel"].set_visible(True)
        else:
            a["kernel"].set_visible(False)
        sd_exact = 1.0 / np.sqrt(2 * eta + d - 1)
        self.readouts["summary"].value = (
            f"<div><b>LKJ(η = {eta:.2f}), d = {d}</b><br>"
            f"sd of one correlation<br>exact: <b>{sd_exact:.3f}</b><br>"
            f"draws: {np.std(r):.3f}</div>"
        )
        self.readouts["regime"].value = f"<div style='max-width:18em'>{lkj_regime(eta)}</div>"
        self.live.refresh()


def lkj_explorer(
    *,
    eta: float = 2.0,
    d: int = 2,
    n_draws: int = 2000,
    seed: int = 410,
    backend: str = "auto",
    blit: bool = True,
) -> LkjExplorer:
    """Sliders η and d over the density of one correlation of an LKJ(η) matrix.

    Draws the exact marginal density of an off-diagonal entry
    (:func:`teachkit.covariance.lkj_marginal_pdf`), a histogram of draws from the onion
    sampler (:func:`teachkit.covariance.sample_lkj`) over it, and for d = 2 the curve
    ∝ (1 − ρ²)^(η−1). A read-out explains the three regimes η < 1, η = 1 and η > 1, and compares
    the exact sd of a correlation, 1/√(2η + d − 1), with the draws'.

    .. image:: ../../docs/screenshots/lkj.png

    Parameters
    ----------
    eta : float
        Initial η, in [0.1, 20] (a logarithmic slider).
    d : int
        Initial dimension, in [2, 10].
    n_draws : int
        About how many correlations the histogram holds.
    seed : int
        Seed of the sampler (the same for every slider position).
    backend : {"auto", "ipympl", "agg"}
    blit : bool

    Returns
    -------
    LkjExplorer

    Examples
    --------
    >>> demo = lkj_explorer(backend="agg")
    >>> demo.sliders["d"].value = 5
    >>> demo.artists["kernel"].get_visible()
    False
    """
    return LkjExplorer(eta=eta, d=d, n_draws=n_draws, seed=seed, backend=backend, blit=blit)
