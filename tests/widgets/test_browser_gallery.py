"""Browser tier: `teachkit lecture` in a subprocess, driven in headless Debian Chromium.

Every request that does not go to 127.0.0.1 is aborted (and must not even be attempted).
Sliders are moved with the keyboard; the tests wait for the numbers the update writes, then
compare the figures' pixels. A screenshot of each demo goes to docs/screenshots/.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

# the Playwright driver of the gallery (a test helper, not part of the package)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"

# slider (by its label) that each demo's test moves, and the key that changes it
MOVES = {
    "mvnormal": ("ρ", "ArrowRight"),
    "cholesky": ("r₁₂", "ArrowRight"),
    "correlation": ("r₁₂", "ArrowLeft"),
    "lkj": ("η", "ArrowLeft"),
    "shrinkage": ("n/grp", "ArrowRight"),
}


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def lecture():
    """`teachkit lecture --no-browser` on a free port; yields its URL; always stopped."""
    pytest.importorskip("playwright")
    pytest.importorskip("voila")
    from gallery_browser import chromium_path

    from teachkit.widgets.gallery import free_port

    if not Path(chromium_path()).exists():
        pytest.skip(f"no Chromium at {chromium_path()} (apt-get install chromium)")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "teachkit", "lecture", "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        lines = []
        for line in proc.stdout:  # the URL is printed once Voilà listens
            lines.append(line)
            if line.startswith("teachkit lecture:") or len(lines) > 200:
                break
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", lines[-1] if lines else "")
        assert match, f"teachkit lecture printed {lines[-5:]!r} instead of its URL"
        assert int(match.group(1)) == port
        yield match.group(0), port, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="module")
def gallery_page(lecture):
    from gallery_browser import open_gallery

    url, _, _ = lecture
    with open_gallery(url, timeout=150) as gp:
        time.sleep(1.0)  # let the first frames land
        yield gp


def test_page_loads_without_internet(gallery_page):
    assert gallery_page.blocked == []  # not one request left 127.0.0.1
    assert gallery_page.load_seconds < 120


@pytest.mark.parametrize("name", list(MOVES))
def test_each_demo_responds_to_the_keyboard(gallery_page, name):
    gp = gallery_page
    demo = gp.demo(name)
    demo.scroll_into_view_if_needed()
    gp.screenshot(demo, SHOTS / f"{name}.png")
    text, pixels = gp.readout_text(demo), gp.canvas_hash(demo)
    label, key = MOVES[name]
    gp.press(demo, label, key)
    assert gp.readout_text(demo) != text
    deadline = time.monotonic() + 10
    while gp.canvas_hash(demo) == pixels:  # the figure is redrawn too
        assert time.monotonic() < deadline, f"{name}: the figure did not change"
        time.sleep(0.05)


def test_correlation_demo_reaches_the_lectures_impossible_matrix(gallery_page):
    gp = gallery_page
    demo = gp.demo("correlation")
    for label, value in (("r₁₂", 0.9), ("r₁₃", 0.8), ("r₂₃", 0.5)):
        gp.set_slider(demo, label, value)
    pixels = gp.canvas_hash(demo)
    gp.press(demo, "r₂₃", "ArrowLeft", times=28)  # 0.5 -> -0.9 in steps of 0.05
    # the kernel may still be applying the last key presses: wait for the final readout
    deadline = time.monotonic() + 15
    text = gp.readout_text(demo)
    while "det R = -2.556" not in text and time.monotonic() < deadline:
        time.sleep(0.1)
        text = gp.readout_text(demo)
    assert "R is NOT valid" in text
    assert "det R = -2.556" in text
    assert "no Cholesky factor" in text
    assert "+0.458 < r₂₃ < +0.982" in text
    assert gp.canvas_hash(demo) != pixels
    gp.screenshot(demo, SHOTS / "correlation.png")


def test_key_press_to_new_pixels_latency(gallery_page, capsys):
    gp = gallery_page
    results = {}
    for name, (label, _) in MOVES.items():
        results[name] = gp.latency(gp.demo(name), label, steps=6)
    with capsys.disabled():
        print(
            "\nkey press -> new pixels (ms):",
            {k: round(v["median_ms"]) for k, v in results.items()},
        )
    for name, r in results.items():
        assert r["median_ms"] < 1000, f"{name}: {r['median_ms']:.0f} ms from key to pixels"


def test_lecture_stops_cleanly(lecture):
    _, port, proc = lecture
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    time.sleep(0.5)
    assert not _port_open(port), "Voilà kept running after teachkit lecture stopped"
