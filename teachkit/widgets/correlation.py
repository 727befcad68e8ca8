"""Demo 3: why some "correlation matrices" are impossible (the elliptope).

.. image:: ../../docs/screenshots/correlation.png
"""

from __future__ import annotations

import html

import ipywidgets as w
import numpy as np
from matplotlib.patches import Rectangle

from teachkit import covariance
from teachkit.widgets._figure import DemoWidget, LiveFigure, matrix_html, projector_style, slider
from teachkit.widgets._geometry import elliptope_slice

__all__ = ["CorrelationExplorer", "correlation_explorer"]

_GOOD = "#2e7d32"
_BAD = "#c62828"
_BAR = "#1565c0"


class CorrelationExplorer(DemoWidget):
    """Three correlations, the determinant and eigenvalues, and the valid region (see
    :func:`correlation_explorer`)."""

    title = "Which 3×3 correlation matrices exist?"

    def __init__(self, *, r12=0.9, r13=0.8, r23=0.5, backend="auto", blit=True):
        live = LiveFigure(900, 420, backend=backend, blit=blit)
        with projector_style():
            a = self._build(live.figure)
        live.animate(a.values())
        s = {
            "r12": slider("r₁₂", r12, -0.95, 0.95, 0.05),
            "r13": slider("r₁₃", r13, -0.95, 0.95, 0.05),
            "r23": slider("r₂₃", r23, -0.95, 0.95, 0.05),
        }
        readouts = {
            "status": w.HTML(),
            "matrix": w.HTML(),
            "interval": w.HTML(),
            "cholesky": w.HTML(),
        }
        caption = (
            "Left: the determinant and the eigenvalues of R; a valid correlation matrix has all "
            "of them positive (red bars are negative). Right: for the current r₁₂, the shaded "
            "ellipse is every (r₁₃, r₂₃) that makes R valid, a slice of the 3-D 'elliptope'; "
            "the vertical segment is the allowed interval of r₂₃. Try r₁₂ = 0.9, r₁₃ = 0.8, "
            "r₂₃ = −0.9: if x₁ goes with x₂ and with x₃, x₂ and x₃ cannot go against each other."
        )
        super().__init__(live=live, controls=list(s.values()), readouts=readouts, caption=caption)
        self.artists = a
        self._wire(**s)
        live.finish_layout()
        self.update()

    @staticmethod
    def _build(fig) -> dict:
        ax_b, ax_e = fig.subplots(1, 2, width_ratios=[1, 1.1])
        a = {}
        labels = ["det R", "λ₁", "λ₂", "λ₃"]
        a["bars"] = ax_b.bar(range(4), [0, 0, 0, 0], color=_BAR, width=0.65)
        ax_b.set(xticks=range(4), xticklabels=labels, ylim=(-3.6, 3.3), xlim=(-0.6, 3.6))
        ax_b.axhline(0, color="k", lw=1.2)
        ax_b.set_title("determinant and eigenvalues")
        ax_e.set(xlim=(-1.05, 1.05), ylim=(-1.05, 1.05), aspect="equal", xlabel="r₁₃", ylabel="r₂₃")
        ax_e.add_patch(Rectangle((-1, -1), 2, 2, fill=False, ls=":", lw=1.2, color="0.4"))
        (a["slice"],) = ax_e.fill(
            np.zeros(4), np.zeros(4), color="#90caf9", alpha=0.6, lw=2, ec="#1565c0"
        )
        (a["interval"],) = ax_e.plot([], [], color="k", lw=4, solid_capstyle="butt")
        (a["point"],) = ax_e.plot([], [], "o", ms=14, mec="k", mew=1.5)
        ax_e.set_title("valid (r₁₃, r₂₃) at this r₁₂")
        return a

    def update(self) -> None:
        """Recompute from the slider values and redraw the changed artists."""
        r12 = float(self.sliders["r12"].value)
        r13 = float(self.sliders["r13"].value)
        r23 = float(self.sliders["r23"].value)
        a = self.artists
        R = covariance.corr_from_pairs(r12, r13, r23)
        det = float(covariance.det3(r12, r13, r23))
        eig = np.linalg.eigvalsh(R)
        problems = covariance.correlation_problems(R)
        valid = not problems
        low, high = covariance.r23_interval(r12, r13)
        low, high = float(low), float(high)
        for bar, v in zip(a["bars"], [det, *eig]):
            bar.set_height(v)
            bar.set_color(_BAD if v <= 0 else _BAR)
        a["slice"].set_xy(elliptope_slice(r12))
        a["interval"].set_data([r13, r13], [low, high])
        a["point"].set_data([r13], [r23])
        a["point"].set_color(_GOOD if valid else _BAD)
        a["point"].set_marker("o" if valid else "X")

        ok_cls, word = ("teachkit-good", "valid") if valid else ("teachkit-bad", "NOT valid")
        self.readouts["status"].value = (
            f"<div class='{ok_cls}' data-valid='{str(valid).lower()}'>R is {word}: "
            f"det R = {det:+.3f}</div>"
            f"<div>eigenvalues: "
            + ", ".join(
                f"<span class='{'teachkit-bad' if v <= 0 else ''}'>{v:+.3f}</span>" for v in eig
            )
            + "</div>"
        )
        self.readouts["matrix"].value = matrix_html("R", R, fmt="{:+.2f}")
        inside = low < r23 < high
        self.readouts["interval"].value = (
            f"<div>given r₁₂ and r₁₃: <b>{low:+.3f} &lt; r₂₃ &lt; {high:+.3f}</b>"
            + ("" if inside else " <span class='teachkit-bad'>(r₂₃ is outside)</span>")
            + "</div>"
        )
        try:
            L = covariance.cholesky(R)
        except covariance.NotPositiveDefiniteError as exc:
            self.readouts["cholesky"].value = (
                "<div class='teachkit-bad'>no Cholesky factor:</div>"
                f"<div style='max-width:26em;font-size:15px'>{html.escape(str(exc))}</div>"
            )
        else:
            cells = [[L[i, j] if j <= i else None for j in range(3)] for i in range(3)]
            self.readouts["cholesky"].value = (
                "<div>Cholesky factor (R = L Lᵀ):</div>" + matrix_html("L", cells, fmt="{:+.3f}")
            )
        self.live.refresh()


def correlation_explorer(
    *,
    r12: float = 0.9,
    r13: float = 0.8,
    r23: float = 0.5,
    backend: str = "auto",
    blit: bool = True,
) -> CorrelationExplorer:
    """Sliders r₁₂, r₁₃, r₂₃ and everything that decides whether they form a correlation matrix.

    Shows, live: the determinant and the three eigenvalues of R as bars (red when not
    positive); the interval of r₂₃ that r₁₂ and r₁₃ allow (from
    :func:`teachkit.covariance.r23_interval`); whether the Cholesky factor exists, and the factor
    when it does; and the slice of the valid region (the elliptope) at the current r₁₂ with the
    current point on it. The lecture's impossible example (0.9, 0.8, −0.9) is on the sliders' grid.

    .. image:: ../../docs/screenshots/correlation.png

    Parameters
    ----------
    r12, r13, r23 : float
        Initial correlations, in [-0.95, 0.95] (steps of 0.05).
    backend : {"auto", "ipympl", "agg"}
    blit : bool

    Returns
    -------
    CorrelationExplorer

    Examples
    --------
    >>> demo = correlation_explorer(backend="agg")
    >>> demo.sliders["r23"].value = -0.9
    >>> "NOT valid" in demo.readouts["status"].value
    True
    >>> demo.artists["bars"][0].get_height() < 0
    True
    """
    return CorrelationExplorer(r12=r12, r13=r13, r23=r23, backend=backend, blit=blit)
