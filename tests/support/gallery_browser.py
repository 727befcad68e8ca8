"""Drive the Voilà gallery in a headless Chromium (for the browser tests and the benchmark).

Needs Playwright for Python and a Chromium binary (Debian's ``/usr/bin/chromium`` by default;
``TEACHKIT_CHROMIUM`` overrides it). Every request that does not go to 127.0.0.1 is aborted and
recorded in :attr:`GalleryPage.blocked`, so a page that works here works without internet.

Example (not run as a doctest: it starts a server and a browser)::

    with open_gallery() as gp:
        demo = gp.demo("correlation")
        gp.press(demo, "r23", "ArrowLeft", times=28)
        print(gp.readout_text(demo))
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CHROMIUM_ARGS", "GalleryPage", "chromium_path", "open_gallery"]

#: Flags that let Chromium run headless as root in a container without a GPU.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]

# JavaScript: a cheap checksum of every <canvas> inside an element, and a watcher that records
# (page time) the first animation frame whose checksum differs from the one it started with.
_JS_SETUP = """
() => {
  window.__tkHash = (root) => {
    let h = 0;
    for (const c of root.querySelectorAll('canvas')) {
      if (!c.width || !c.height) continue;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0;
    }
    return h;
  };
  window.__tkKeyAt = null;
  document.addEventListener('keydown', () => { window.__tkKeyAt = performance.now(); }, true);
  window.__tkWatch = (root) => {
    const start = window.__tkHash(root);
    window.__tkChangedAt = null;
    const loop = () => {
      if (window.__tkHash(root) !== start) { window.__tkChangedAt = performance.now(); return; }
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  };
}
"""


def chromium_path() -> str:
    """The Chromium executable to drive (``TEACHKIT_CHROMIUM`` or ``/usr/bin/chromium``)."""
    return os.environ.get("TEACHKIT_CHROMIUM", "/usr/bin/chromium")


@dataclass
class GalleryPage:
    """A loaded gallery page; demos are addressed by their :data:`~.gallery.DEMOS` name."""

    page: object
    url: str
    blocked: list = field(default_factory=list)
    load_seconds: float = float("nan")

    def demo(self, name: str):
        """The locator of one demo's container (``.teachkit-demo``), by gallery order."""
        from teachkit.widgets.gallery import DEMOS

        names = [n for n, _ in DEMOS]
        if name not in names:
            raise ValueError(f"unknown demo {name!r}; the gallery has {names}")
        return self.page.locator(".teachkit-demo").nth(names.index(name))

    def slider_handle(self, demo, label: str):
        """The keyboard-focusable handle of the slider whose description is ``label``."""
        box = demo.locator(".widget-slider").filter(
            has=self.page.locator(".widget-label", has_text=label)
        )
        return box.locator(".noUi-handle").first

    def slider_value(self, demo, label: str) -> float:
        """The number a slider's own read-out shows."""
        box = demo.locator(".widget-slider").filter(
            has=self.page.locator(".widget-label", has_text=label)
        )
        return float(box.locator(".widget-readout").inner_text().replace("−", "-"))

    def set_slider(self, demo, label: str, target: float, max_presses: int = 80) -> None:
        """Press arrow keys on a slider until its read-out shows ``target``."""
        for _ in range(max_presses):
            value = self.slider_value(demo, label)
            if abs(value - target) < 1e-9:
                return
            self.press(demo, label, "ArrowRight" if value < target else "ArrowLeft")
        raise AssertionError(f"slider {label} did not reach {target}")

    def readout_text(self, demo) -> str:
        """Text of the demo's numeric read-outs."""
        return " | ".join(demo.locator(".teachkit-readout").all_inner_texts())

    def canvas_hash(self, demo) -> int:
        """Checksum of every canvas of the demo (the figure's pixels)."""
        return int(demo.evaluate("el => window.__tkHash(el)"))

    def press(self, demo, label: str, key: str, times: int = 1, timeout: float = 30.0) -> None:
        """Focus a slider and press ``key`` ``times`` times, waiting for each update to show."""
        handle = self.slider_handle(demo, label)
        handle.focus()
        for _ in range(times):
            before = self.readout_text(demo)
            handle.press(key)
            self.wait_for_text_change(demo, before, timeout)

    def wait_for_text_change(self, demo, before: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.readout_text(demo) == before:
            if time.monotonic() > deadline:
                raise TimeoutError("the demo's read-outs did not change after a key press")
            time.sleep(0.01)

    def key_to_pixels(self, demo, label: str, key: str, timeout: float = 10.0) -> float:
        """Milliseconds from a key press on a slider to the first changed pixel of the figure."""
        handle = self.slider_handle(demo, label)
        handle.focus()
        demo.evaluate("el => window.__tkWatch(el)")
        handle.press(key)
        self.page.wait_for_function("window.__tkChangedAt !== null", timeout=timeout * 1000)
        return float(self.page.evaluate("window.__tkChangedAt - window.__tkKeyAt"))

    def latency(self, demo, label: str, steps: int = 10) -> dict:
        """Median key-to-pixels latency over ``steps`` presses (alternately left and right)."""
        times = []
        for i in range(steps):
            key = "ArrowLeft" if i % 2 == 0 else "ArrowRight"
            times.append(self.key_to_pixels(demo, label, key))
            time.sleep(0.15)  # let the last frame settle before the next press
        return {"median_ms": statistics.median(times), "max_ms": max(times), "n": len(times)}

    def screenshot(self, demo, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        demo.scroll_into_view_if_needed()
        time.sleep(0.3)
        demo.screenshot(path=str(path))
        return path


@contextlib.contextmanager
def open_gallery(
    url: str | None = None, *, timeout: float = 180.0, viewport=(1400, 900), quiet: bool = True
):
    """Open the gallery in headless Chromium and wait for all demos; clean up after.

    Parameters
    ----------
    url : str, optional
        A gallery already being served (e.g. by ``teachkit lecture``); when omitted, one is
        served with :func:`teachkit.widgets.gallery.serve` for the duration of the block.
    timeout : float
        Seconds to wait for the page and its demos.
    viewport : (int, int)
    quiet : bool
        Hide Voilà's log (when this function serves the gallery).

    Yields
    ------
    GalleryPage
    """
    from teachkit.widgets.gallery import serve

    with contextlib.ExitStack() as stack:
        if url is None:
            url = stack.enter_context(serve(quiet=quiet, timeout=timeout))
        yield stack.enter_context(_open_page(url, timeout, viewport))


@contextlib.contextmanager
def _open_page(url: str, timeout: float, viewport):
    from playwright.sync_api import sync_playwright

    from teachkit.widgets.gallery import DEMOS

    start = time.monotonic()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            gp = GalleryPage(page=page, url=url)

            def route(r):
                if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:")):
                    r.continue_()
                else:
                    gp.blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(url, timeout=timeout * 1000)
            # every demo is on the page and every figure has been sized by its first frame
            page.wait_for_function(
                f"document.querySelectorAll('.teachkit-demo').length === {len(DEMOS)}"
                " && [...document.querySelectorAll('.teachkit-demo')].every(d => {"
                "  const c = d.querySelector('canvas'); const i = d.querySelector('img');"
                "  return (c && c.width > 0) || (i && i.naturalWidth > 0); })",
                timeout=timeout * 1000,
            )
            page.evaluate(_JS_SETUP)
            gp.load_seconds = time.monotonic() - start
            yield gp
        finally:
            browser.close()
