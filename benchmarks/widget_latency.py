"""Latency of the lecture widgets: in-place updates versus rebuilding the figure.

For each demo, a slider is stepped through its range and the time of each step is measured:

* ``in-place, ipympl``: what the kernel does during a lecture: the demo's update (maths,
  ``set_data``), blitting the changed artists, and encoding the changed pixels as the PNG frame
  ipympl sends (the frame goes to a stub instead of a browser);
* ``in-place, ipympl, full draw``: the same without blitting (every artist redrawn), to see
  what blitting is worth;
* ``in-place, PNG``: the same update on the Agg fallback (a full PNG per step into an
  ``ipywidgets.Image``);
* ``rebuild``: the naive way, a new figure per step (a new demo with that slider value:
  building the axes, a constrained-layout pass, a full draw and a PNG), as ``interact``-style
  code does. It also re-creates the demo's sliders and read-outs, about 10 ms of the total.

With ``--browser`` it also serves the gallery with Voilà, opens it in headless Chromium and
measures, per demo, the time from a key press on a slider to the first changed pixel.

Run (it executes notebooks, so under the project's lock)::

    flock /tmp/teachkit-mcmc.lock python benchmarks/widget_latency.py --browser

Results are printed and written to ``benchmarks/results/widget_latency.md``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from teachkit.widgets import (
    cholesky_explorer,
    correlation_explorer,
    lkj_explorer,
    mvnormal_explorer,
    shrinkage_explorer,
)

OUT = Path(__file__).resolve().parent / "results" / "widget_latency.md"

# demo name -> (factory(value, **kw), slider key, values stepped through, browser slider label)
CASES = {
    "mvnormal": (
        lambda v, **kw: mvnormal_explorer(rho=v, **kw),
        "rho",
        np.round(np.arange(-0.8, 0.81, 0.1), 2),
        "ρ",
    ),
    "cholesky": (
        lambda v, **kw: cholesky_explorer(corr=(v, 0.3, 0.2), **kw),
        "r12",
        np.round(np.arange(-0.8, 0.81, 0.1), 2),
        "r₁₂",
    ),
    "correlation": (
        lambda v, **kw: correlation_explorer(r23=v, **kw),
        "r23",
        np.round(np.arange(0.5, -0.91, -0.1), 2),
        "r₂₃",
    ),
    "lkj": (
        lambda v, **kw: lkj_explorer(eta=v, **kw),
        "eta",
        np.round(10 ** np.arange(-0.3, 0.71, 0.1), 3),
        "η",
    ),
    "shrinkage": (
        lambda v, **kw: shrinkage_explorer(n_per_group=int(v), **kw),
        "n",
        np.arange(3, 40, 3),
        "n/grp",
    ),
}


def _stub_ipympl(demo) -> None:
    canvas = demo.live.widget
    canvas.send = lambda content, buffers=None: None  # no browser: drop the frames
    canvas._handle_message(None, {"type": "initialized"}, None)


def in_place_ms(name: str, backend: str, repeats: int, blit: bool = True) -> list[float]:
    factory, key, values, _ = CASES[name]
    demo = factory(values[0], backend=backend, blit=blit)
    if backend == "ipympl":
        _stub_ipympl(demo)
    times = []
    for _ in range(repeats):
        for v in list(values[1:]) + list(values[::-1][1:]):
            start = time.perf_counter()
            demo.sliders[key].value = v
            times.append(1000 * (time.perf_counter() - start))
    return times


def rebuild_ms(name: str, steps: int) -> list[float]:
    factory, _, values, _ = CASES[name]
    times = []
    for v in list(values[:steps]):
        start = time.perf_counter()
        demo = factory(v, backend="agg", blit=False)
        times.append(1000 * (time.perf_counter() - start))
        demo.close()
    return times


def browser_ms(steps: int) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
    from gallery_browser import open_gallery  # the browser tests' Playwright driver

    out = {}
    with open_gallery() as gp:
        time.sleep(1.0)
        for name, (_, _, _, label) in CASES.items():
            out[name] = gp.latency(gp.demo(name), label, steps=steps)
        out["_load_seconds"] = gp.load_seconds
    return out


def _fmt(times: list[float]) -> str:
    return f"{statistics.median(times):.0f} ms (p90 {np.percentile(times, 90):.0f})"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=2, help="sweeps of each slider")
    ap.add_argument("--browser", action="store_true", help="also measure key press to pixels")
    ap.add_argument("--browser-steps", type=int, default=12)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    rows = []
    for name in CASES:
        ip = in_place_ms(name, "ipympl", args.repeats)
        nob = in_place_ms(name, "ipympl", args.repeats, blit=False)
        png = in_place_ms(name, "agg", args.repeats)
        rb = rebuild_ms(name, steps=8)
        rows.append((name, ip, nob, png, rb))
        print(
            f"{name:12s} ipympl {_fmt(ip):20s} no blit {_fmt(nob):20s} PNG {_fmt(png):20s} "
            f"rebuild {_fmt(rb)}",
            flush=True,
        )
    browser = browser_ms(args.browser_steps) if args.browser else None
    if browser:
        for name in CASES:
            print(
                f"{name:12s} key -> pixels median {browser[name]['median_ms']:.0f} ms "
                f"(max {browser[name]['max_ms']:.0f})",
                flush=True,
            )

    lines = [
        "# Widget latency",
        "",
        (
            f"Machine: {platform.processor() or platform.machine()}, Python "
            f"{platform.python_version()}; {time.strftime('%Y-%m-%d')}. Generated by "
            "`benchmarks/widget_latency.py`" + (" --browser" if browser else "") + "."
        ),
        "",
        (
            "In-kernel time per slider step (median, 90th percentile). *In-place* is what the "
            "demos do: update the artists (`set_data`, `set_offsets`), blit them over a cached "
            "background and encode the frame; *rebuild* makes a new figure per step (a new demo: "
            "axes, constrained layout, full draw, PNG; re-creating its widgets is ~10 ms of it). "
            "Target: median ≤ 50 ms in-kernel."
        ),
        "",
        (
            "| demo | in-place, ipympl, blit (lecture) | in-place, ipympl, full draw | "
            "in-place, PNG fallback | rebuild the figure | speed-up (rebuild / lecture) |"
        ),
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, ip, nob, png, rb in rows:
        lines.append(
            f"| {name} | {_fmt(ip)} | {_fmt(nob)} | {_fmt(png)} | {_fmt(rb)} | "
            f"{statistics.median(rb) / statistics.median(ip):.0f}× |"
        )
    if browser:
        lines += [
            "",
            (
                "Key press to new pixels in headless Chromium (Voilà + ipympl, page time from the "
                "`keydown` event to the first animation frame whose canvas pixels differ; "
                f"{args.browser_steps} presses per demo). Target: median ≤ 200 ms. "
                f"Page load with all five demos: {browser['_load_seconds']:.0f} s."
            ),
            "",
            "| demo | median | max |",
            "| --- | --- | --- |",
        ]
        for name in CASES:
            b = browser[name]
            lines.append(f"| {name} | {b['median_ms']:.0f} ms | {b['max_ms']:.0f} ms |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
