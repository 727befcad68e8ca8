"""The widget gallery: all five demos, in a notebook served by Voilà (``teachkit lecture``).

:func:`demo_tabs` returns the demos as tabs for use in a notebook; :data:`GALLERY_NOTEBOOK` is
the notebook ``teachkit lecture`` serves; :func:`serve` runs Voilà on it on 127.0.0.1.

The page needs no internet: Voilà's stock "lab" template links Font Awesome from a CDN (and
nothing of the demos uses it), so the page is rendered with a small template, ``teachkit``,
that extends "lab" without those links. MathJax is not used either (the notebook has no LaTeX).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

__all__ = ["DEMOS", "GALLERY_NOTEBOOK", "demo_tabs", "free_port", "serve", "voila_command"]

#: The gallery notebook shipped with teachkit (one cell per demo).
GALLERY_NOTEBOOK = Path(str(resources.files("teachkit.widgets").joinpath("gallery.ipynb")))

#: (name, title) of every demo, in the gallery's order; name is the function without
#: ``_explorer`` and the screenshot's file name.
DEMOS = (
    ("mvnormal", "Multivariate normal"),
    ("cholesky", "Cholesky factor"),
    ("correlation", "Impossible correlations"),
    ("lkj", "LKJ(η) prior"),
    ("shrinkage", "2-D shrinkage"),
)

# Voilà's "lab" template minus the two Font Awesome <link>s (CDN requests).
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block notebook_css -%}
{%- set css = super() -%}
{{ css | replace('<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/\
fontawesome-free@^5/css/all.min.css" type="text/css" />', '')
      | replace('<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/\
fontawesome-free@^5/css/v4-shims.min.css" type="text/css" />', '') }}
{%- endblock notebook_css -%}
"""


def demo_tabs(*, backend: str = "auto"):
    """All five demos as tabs of one widget.

    Parameters
    ----------
    backend : {"auto", "ipympl", "agg"}
        Passed to every demo.

    Returns
    -------
    ipywidgets.Tab
        Its ``demos`` attribute maps each name of :data:`DEMOS` to the demo.

    Examples
    --------
    >>> tabs = demo_tabs(backend="agg")
    >>> list(tabs.demos) == [name for name, _ in DEMOS], len(tabs.children)
    (True, 5)
    """
    import ipywidgets as w

    from teachkit import widgets

    demos = {name: getattr(widgets, f"{name}_explorer")(backend=backend) for name, _ in DEMOS}
    tabs = w.Tab(children=list(demos.values()), titles=[title for _, title in DEMOS])
    tabs.demos = demos
    return tabs


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now.

    Examples
    --------
    >>> 1024 <= free_port() <= 65535
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _require_voila() -> None:
    try:
        import voila  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "`teachkit lecture` serves the widget gallery with Voilà, which is not installed. "
            "Install it with `pip install voila ipympl` (or `pip install teachkit[lecture]`)."
        ) from exc


def _template_root() -> Path:
    """Write the offline Voilà template to a temporary Jupyter data dir; return that dir."""
    root = Path(tempfile.mkdtemp(prefix="teachkit-voila-"))
    tdir = root / "voila" / "templates" / "teachkit"
    tdir.mkdir(parents=True)
    (tdir / "conf.json").write_text(json.dumps({"base_template": "lab"}))
    (tdir / "index.html.j2").write_text(_TEMPLATE)
    return root


def voila_command(notebook: Path, port: int) -> list[str]:
    """The command line that serves ``notebook`` on 127.0.0.1:``port``."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--template=teachkit",
        "--theme=light",
        "--strip_sources=True",
        "--show_tracebacks=True",
    ]


def _wait_until_up(port: int, proc: subprocess.Popen, timeout: float) -> None:
    """Wait until Voilà accepts connections (a TCP probe: a GET of the page would run it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"Voilà exited with code {proc.returncode} before serving the gallery; "
                "its output above says why"
            )
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"Voilà did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


@contextlib.contextmanager
def serve(
    *,
    port: int | None = None,
    notebook: Path | None = None,
    timeout: float = 60.0,
    quiet: bool = False,
):
    """Serve the gallery with Voilà on 127.0.0.1 for the duration of a ``with`` block.

    Parameters
    ----------
    port : int, optional
        TCP port; a free one when omitted.
    notebook : path, optional
        Notebook to serve instead of :data:`GALLERY_NOTEBOOK`.
    timeout : float
        Seconds to wait for Voilà to answer.
    quiet : bool
        Send Voilà's log to a file instead of the terminal.

    Yields
    ------
    str
        The URL of the page.

    Raises
    ------
    ImportError
        If Voilà is not installed (the message says how to install it).
    """
    _require_voila()
    if port is None:
        port = free_port()
    elif not 0 < int(port) < 65536:
        raise ValueError(f"port must be a TCP port number between 1 and 65535; got {port}")
    else:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", int(port)))
            except OSError:
                raise ValueError(
                    f"port {port} is already in use on 127.0.0.1; pick another with --port, "
                    "or leave it out to get a free one"
                ) from None
    notebook = Path(notebook or GALLERY_NOTEBOOK)
    if not notebook.is_file():
        raise ValueError(f"there is no notebook at {notebook}; pass an existing .ipynb file")
    root = _template_root()
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(root), env.get("JUPYTER_PATH")]))
    env.pop("MPLBACKEND", None)  # the demos choose ipympl in the kernel
    log = open(root / "voila.log", "wb") if quiet else None  # noqa: SIM115
    proc = subprocess.Popen(
        voila_command(notebook, port),
        env=env,
        cwd=notebook.parent,
        # Voilà's log goes to stderr (or the log file): stdout carries only teachkit's messages
        stdout=log if quiet else sys.stderr,
        stderr=subprocess.STDOUT if quiet else None,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(port, proc, timeout)
        yield url
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if log is not None:
            log.close()
        shutil.rmtree(root, ignore_errors=True)
