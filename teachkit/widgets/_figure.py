"""Shared plumbing of the lecture widgets: one figure per demo, drawn in place.

Every demo owns one :class:`LiveFigure`. It wraps a matplotlib :class:`~matplotlib.figure.Figure`
and shows it through one of two backends:

``"ipympl"``
    the figure's canvas is an ipympl widget; a refresh renders with Agg and sends only the
    changed pixels (ipympl's diff frames) to the browser. Used automatically inside a Jupyter
    kernel (a notebook, Voilà) when ipympl is installed.
``"agg"``
    the figure is rendered with Agg to a PNG that fills an :class:`ipywidgets.Image`. Works
    without a kernel and without ipympl (plain Python, tests, nbconvert); in a notebook it is
    the inline fallback. The image widget is updated in place, so the page does not flicker.

With ``blit=True`` (the default) the static parts of the figure (axes, ticks, labels, fixed
curves) are rendered once and cached; a refresh restores that background and draws only the
artists registered with :meth:`LiveFigure.animate`. Whatever is not animated must not change
between full redraws (change of axis limits included): call :meth:`LiveFigure.redraw_all` after
such a change.

The demos' containers derive from :class:`DemoWidget`, which exposes the sliders, artists and
read-outs by name so that code (tests, benchmarks, a lecturer's own notebook) can drive them.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable

import ipywidgets as w
import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "PROJECTOR_RC",
    "DemoWidget",
    "LiveFigure",
    "choose_backend",
    "matrix_html",
    "projector_style",
]

#: matplotlib settings used by every demo: large type for a lecture hall's projector.
PROJECTOR_RC = {
    "font.size": 15,
    "axes.titlesize": 16,
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 13,
    "lines.linewidth": 2.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

# CSS injected once per demo: bigger slider labels and read-outs, readable from the back row.
_CSS = """
<style>
.teachkit-demo .widget-label, .teachkit-demo .widget-readout,
.teachkit-demo .widget-label-basic, .teachkit-demo .widget-dropdown select,
.teachkit-demo .widget-checkbox label { font-size: 18px !important; }
.teachkit-demo .widget-slider .noUi-handle { width: 20px; height: 20px; }
.teachkit-demo .teachkit-readout { font-size: 19px; line-height: 1.35; }
.teachkit-demo .teachkit-readout table { border-collapse: collapse; margin: 2px 8px; }
.teachkit-demo .teachkit-readout td { padding: 1px 8px; text-align: right;
  font-family: "DejaVu Sans Mono", monospace; }
.teachkit-demo .teachkit-bad { color: #c62828; font-weight: bold; }
.teachkit-demo .teachkit-good { color: #2e7d32; font-weight: bold; }
.teachkit-demo .teachkit-title { font-size: 22px; font-weight: bold; margin: 4px 0; }
.teachkit-demo .teachkit-caption { font-size: 17px; color: #333; max-width: 60em; }
</style>
"""


def projector_style():
    """Context manager applying :data:`PROJECTOR_RC`; build a demo's axes inside it."""
    return matplotlib.rc_context(PROJECTOR_RC)


def _in_kernel() -> bool:
    """True when running inside a Jupyter kernel (notebook, Voilà), False in plain Python."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def choose_backend(backend: str = "auto") -> str:
    """Resolve the figure backend a demo will use.

    Parameters
    ----------
    backend : {"auto", "ipympl", "agg"}
        ``"auto"`` picks ``"ipympl"`` inside a Jupyter kernel when ipympl is installed and
        ``"agg"`` otherwise. ``"ipympl"`` insists on ipympl and raises ``ImportError`` with the
        command that installs it when it is missing.

    Returns
    -------
    str
        ``"ipympl"`` or ``"agg"``.

    Examples
    --------
    >>> choose_backend("agg")
    'agg'
    >>> choose_backend("auto")  # plain Python, no kernel: the PNG fallback
    'agg'
    """
    if backend not in ("auto", "ipympl", "agg"):
        raise ValueError(f'backend must be "auto", "ipympl" or "agg"; got {backend!r}')
    if backend == "agg":
        return "agg"
    if backend == "auto" and not _in_kernel():
        return "agg"
    try:
        import ipympl.backend_nbagg  # noqa: F401
    except ImportError as exc:
        if backend == "ipympl":
            raise ImportError(
                "The interactive figures of teachkit's widgets need ipympl, which is not "
                "installed. Install it with `pip install ipympl` (or `pip install "
                "teachkit[lecture]`), or pass backend='agg' for static PNG updates."
            ) from exc
        return "agg"
    return "ipympl"


def _fast_diff_image(self):
    """``FigureCanvasWebAggCore.get_diff_image`` with PNG compression level 1 (bound per canvas).

    Same logic as matplotlib's (full frame when forced, resized or transparent; otherwise only
    the changed pixels, the rest transparent), only the encoder setting differs.
    """
    if not self._png_is_old:
        return None
    import numpy as np
    from PIL import Image

    pixels = np.asarray(self.get_renderer().buffer_rgba())
    buff = pixels.view(np.uint32).squeeze(2)
    if self._force_full or buff.shape != self._last_buff.shape or (pixels[:, :, 3] != 255).any():
        self.set_image_mode("full")
        output = buff
    else:
        self.set_image_mode("diff")
        output = np.where(buff != self._last_buff, buff, 0)
    self._last_buff = buff.copy()
    self._force_full = False
    self._png_is_old = False
    data = output.view(dtype=np.uint8).reshape((*output.shape, 4))
    with io.BytesIO() as png:
        Image.fromarray(data).save(png, format="png", compress_level=1)
        return png.getvalue()


class LiveFigure:
    """A matplotlib figure shown as a widget and redrawn in place.

    Parameters
    ----------
    width, height : float
        Size in pixels at 100 dpi. Keep ``height`` at or below about 450: encoding the frame
        as PNG is most of the cost of an update.
    backend : {"auto", "ipympl", "agg"}
        See :func:`choose_backend`.
    blit : bool
        Cache the static background and redraw only animated artists.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    widget : ipywidgets.DOMWidget
        What to put in a layout: the ipympl canvas or an ``ipywidgets.Image``.
    backend : str
    last_refresh_seconds : float
        Wall time of the last :meth:`refresh` (render and PNG encoding).

    Examples
    --------
    >>> live = LiveFigure(400, 300, backend="agg")
    >>> ax = live.figure.add_subplot()
    >>> (line,) = ax.plot([0, 1], [0, 1])
    >>> live.animate(line)
    >>> live.finish_layout()
    >>> line.set_ydata([1, 0]); live.refresh()
    >>> live.widget.value[:4] == b"\\x89PNG"
    True
    """

    def __init__(
        self, width: float, height: float, *, backend: str = "auto", blit: bool = True
    ) -> None:
        self.backend = choose_backend(backend)
        self.blit = bool(blit)
        with matplotlib.rc_context(PROJECTOR_RC):
            self.figure = Figure(figsize=(width / 100, height / 100), dpi=100)
        self._animated: list = []
        self._background = None
        self.last_refresh_seconds = float("nan")
        if self.backend == "ipympl":
            from ipympl.backend_nbagg import Canvas, FigureManager

            canvas = Canvas(self.figure)
            FigureManager(canvas, 0)  # sets canvas.manager; ipympl's draw needs it
            canvas.header_visible = False
            canvas.footer_visible = False
            canvas.toolbar_visible = False
            canvas.resizable = False
            canvas.capture_scroll = False
            canvas.layout = w.Layout(width=f"{width + 4:.0f}px", flex="0 0 auto")
            # ipympl 0.10 stores frames drawn before the browser connects in `_data_url` as bare
            # base64, which its front end loads as a relative URL; the broken image then makes
            # the canvas fail to size itself (it stays 0×0) whenever the load fails before the
            # first resize. The browser asks for a full frame when it connects anyway.
            canvas.syncing_data_url = False
            # matplotlib's webagg encodes each frame at PNG compression level 6; level 1 is
            # several times faster for a slightly larger frame, which costs nothing on localhost.
            canvas.get_diff_image = _fast_diff_image.__get__(canvas)
            self.widget = canvas
            # A full redraw asked for by the browser (first display, resize) must include the
            # animated artists and refresh the cached background.
            canvas.mpl_connect("draw_event", self._on_full_draw)
        else:
            FigureCanvasAgg(self.figure)
            self.widget = w.Image(format="png", layout=w.Layout(width=f"{width:.0f}px"))
            self.figure.canvas.mpl_connect("draw_event", self._on_full_draw)

    # -- setting up ---------------------------------------------------------------------
    def animate(self, *artists) -> None:
        """Register artists that change on updates (drawn on top of the cached background)."""
        for artist in artists:
            if isinstance(artist, Iterable) and not hasattr(artist, "draw"):
                self.animate(*artist)
                continue
            if self.blit:
                artist.set_animated(True)
            self._animated.append(artist)

    def finish_layout(self) -> None:
        """Compute a constrained layout once, freeze it, then draw the first frame.

        Constrained layout costs tens of milliseconds per draw; the demos' axes never move, so it
        is computed once here and switched off.
        """
        with matplotlib.rc_context(PROJECTOR_RC):
            self.figure.set_layout_engine("constrained")
            FigureCanvasAgg.draw(self.figure.canvas)
            self.figure.set_layout_engine("none")
        self.redraw_all()

    # -- drawing ------------------------------------------------------------------------
    def _on_full_draw(self, event) -> None:
        if not self.blit:
            return
        canvas = self.figure.canvas
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        for artist in self._animated:
            self.figure.draw_artist(artist)

    def redraw_all(self) -> None:
        """Redraw everything (use after changing anything that is not animated)."""
        start = time.perf_counter()
        canvas = self.figure.canvas
        if self.backend == "ipympl":
            canvas.draw()  # renders, fires draw_event, sends the frame
        else:
            FigureCanvasAgg.draw(canvas)
            self._publish_png()
        self.last_refresh_seconds = time.perf_counter() - start

    def refresh(self) -> None:
        """Show the current state of the animated artists (fast path of every update)."""
        if not self.blit or self._background is None:
            self.redraw_all()
            return
        start = time.perf_counter()
        canvas = self.figure.canvas
        canvas.restore_region(self._background)
        for artist in self._animated:
            self.figure.draw_artist(artist)
        if self.backend == "ipympl":
            canvas.blit(self.figure.bbox)
        else:
            self._publish_png()
        self.last_refresh_seconds = time.perf_counter() - start

    def _publish_png(self) -> None:
        self.widget.value = self.png()

    def png(self) -> bytes:
        """The current pixels as PNG bytes (what the Agg backend shows)."""
        from PIL import Image

        buf = io.BytesIO()
        rgba = self.figure.canvas.buffer_rgba()
        Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1).save(
            buf, format="png", compress_level=1
        )
        return buf.getvalue()


class DemoWidget(w.VBox):
    """Base class of the demos: a VBox that knows its sliders, artists and read-outs.

    Attributes
    ----------
    sliders : dict[str, ipywidgets.ValueWidget]
        The controls, by name (``widget.sliders["rho"].value = -0.8`` drives the demo).
    artists : dict[str, matplotlib.artist.Artist]
        The artists updates change, by name.
    readouts : dict[str, ipywidgets.HTML]
        The numbers shown beside the figure, by name.
    live : LiveFigure
        The figure and its display widget.
    """

    title = "teachkit demo"

    def __init__(self, *, live: LiveFigure, controls: list, readouts: dict, caption: str = ""):
        self.live = live
        self.figure = live.figure
        self.sliders: dict = {}
        self.artists: dict = {}
        self.readouts = readouts
        for rd in readouts.values():
            rd.add_class("teachkit-readout")
        header = w.HTML(f"{_CSS}<div class='teachkit-title'>{self.title}</div>")
        side = w.VBox(list(readouts.values()), layout=w.Layout(margin="0 0 0 12px"))
        body = w.HBox([live.widget, side])
        children = [header, w.HBox(controls, layout=w.Layout(flex_flow="row wrap")), body]
        if caption:
            cap = w.HTML(f"<div class='teachkit-caption'>{caption}</div>")
            children.append(cap)
        super().__init__(children)
        self.add_class("teachkit-demo")

    def _wire(self, **sliders) -> None:
        self.sliders.update(sliders)
        for slider in sliders.values():
            slider.observe(self._on_change, names="value")

    def _on_change(self, change=None) -> None:
        self.update()

    def update(self) -> None:  # pragma: no cover - every demo overrides it
        raise NotImplementedError


def slider(description: str, value: float, lo: float, hi: float, step: float, fmt: str = ".2f"):
    """A horizontal float slider sized for a projector."""
    return w.FloatSlider(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=description,
        readout_format=fmt,
        continuous_update=True,
        style={"description_width": "3.2em"},
        layout=w.Layout(width="340px"),
    )


def int_slider(description: str, value: int, lo: int, hi: int, step: int = 1):
    """A horizontal integer slider sized for a projector."""
    return w.IntSlider(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=description,
        continuous_update=True,
        style={"description_width": "3.2em"},
        layout=w.Layout(width="340px"),
    )


def matrix_html(name: str, m, *, fmt: str = "{:+.2f}", bad_cells=()) -> str:
    """A small matrix as an HTML table with brackets, for a read-out.

    Examples
    --------
    >>> print(matrix_html("Σ", [[1, 0.5], [0.5, 1]]).count("<td"))
    4
    """
    rows = []
    for i, row in enumerate(m):
        cells = []
        for j, v in enumerate(row):
            cls = " class='teachkit-bad'" if (i, j) in bad_cells else ""
            cells.append(f"<td{cls}>{'' if v is None else fmt.format(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = (
        "<table style='display:inline-table;border-left:2px solid #333;"
        "border-right:2px solid #333'>" + "".join(rows) + "</table>"
    )
    return f"<div><span style='vertical-align:middle'>{name} =</span> {table}</div>"
