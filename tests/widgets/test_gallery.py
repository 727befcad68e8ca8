"""The gallery notebook and `teachkit lecture`: fast checks, plus the nbclient (notebook) tier."""

import json
import shutil
import socket
import sys
from pathlib import Path

import nbformat
import pytest

from teachkit import cli
from teachkit.widgets import gallery
from teachkit.widgets.gallery import DEMOS, GALLERY_NOTEBOOK, free_port, voila_command

ROOT = Path(__file__).resolve().parents[2]


def test_gallery_notebook_ships_one_cell_per_demo_and_no_latex():
    nb = nbformat.read(GALLERY_NOTEBOOK, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for name, _ in DEMOS:
        assert f"{name}_explorer()" in code
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "$" not in markdown  # MathJax would come from a CDN: the page must work offline
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_voila_command_binds_localhost_and_uses_the_offline_template():
    cmd = voila_command(GALLERY_NOTEBOOK, 8877)
    assert cmd[:3] == [sys.executable, "-m", "voila"]
    assert "--Voila.ip=127.0.0.1" in cmd and "--port=8877" in cmd and "--no-browser" in cmd
    assert "--template=teachkit" in cmd
    root = gallery._template_root()
    try:
        conf = json.loads((root / "voila/templates/teachkit/conf.json").read_text())
        assert conf == {"base_template": "lab"}
    finally:
        shutil.rmtree(root)


def test_offline_template_strips_every_cdn_link_of_voilas_lab_template():
    voila_share = Path(sys.prefix) / "share/jupyter/voila/templates/lab/index.html.j2"
    if not voila_share.exists():
        pytest.skip("voila's lab template is not installed")
    links = [
        ln.strip()
        for ln in voila_share.read_text().splitlines()
        if "<link" in ln and "https://" in ln
    ]
    assert links, "voila's lab template changed: re-check which CDN links it has"
    for link in links:
        assert f"replace('{link}'" in gallery._TEMPLATE.replace("\\\n", "")


def test_free_port_is_bindable():
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_lecture_command_line():
    args = cli.build_parser().parse_args(["lecture", "--port", "8899", "--no-browser"])
    assert args.port == 8899 and args.no_browser
    assert args._run is cli._run_lecture
    args = cli.build_parser().parse_args(["lecture"])
    assert args.port is None and not args.no_browser


def test_serve_explains_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="TCP port"), gallery.serve(port=70000):
        pass
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ValueError, match="already in use"), gallery.serve(port=port):
            pass
    with (
        pytest.raises(ValueError, match="no notebook"),
        gallery.serve(notebook=tmp_path / "missing.ipynb"),
    ):
        pass


def test_missing_voila_gives_an_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "voila", None)
    with pytest.raises(ImportError, match="pip install voila"):
        gallery._require_voila()


def test_missing_ipympl_gives_an_install_hint(monkeypatch):
    from teachkit.widgets._figure import choose_backend

    monkeypatch.setitem(sys.modules, "ipympl.backend_nbagg", None)
    with pytest.raises(ImportError, match="pip install ipympl"):
        choose_backend("ipympl")


@pytest.mark.notebook
def test_gallery_notebook_executes_with_nbclient():
    from nbclient import NotebookClient

    nb = nbformat.read(GALLERY_NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    views = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert len(views) == len(DEMOS)
