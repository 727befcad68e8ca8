"""The architecture and the lint gate, in the fast tier so that every test run enforces them.

- import-linter's contracts (``[tool.importlinter]`` in pyproject.toml): the layers
  covariance <- simulate <- models <- fit <- checks <- grading <- course <- demo <- cli, widgets
  apart; a wrong-way import fails here with the offending line;
- ``ruff check`` and ``ruff format --check`` (``[tool.ruff]``);
- no import-time side effects: importing every public package configures nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; install the dev extras: pip install -e '.[dev]'")
    return str(path)


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_import_contracts_are_kept():
    proc = _run(_tool("lint-imports"), "--no-cache")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "broken" in proc.stdout and " 0 broken" in proc.stdout


def test_ruff_check_is_clean():
    proc = _run(_tool("ruff"), "check", ".")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_ruff_format_is_clean():
    proc = _run(_tool("ruff"), "format", "--check", ".")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_importing_the_packages_has_no_side_effects(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTENSOR_FLAGS"}
    code = (
        "import os, sys\n"
        "import teachkit, teachkit.covariance, teachkit.simulate, teachkit.models, teachkit.fit\n"
        "import teachkit.fit.sampling, teachkit.fit.pytensor_config, teachkit.fit.reference_warmup\n"
        "import teachkit.checks, teachkit.checks.provenance, teachkit.course.build, teachkit.cli\n"
        "assert 'PYTENSOR_FLAGS' not in os.environ, os.environ['PYTENSOR_FLAGS']\n"
        "heavy = [m for m in ('pymc', 'pytensor', 'nutpie', 'arviz') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    "package",
    ["covariance", "simulate", "models", "fit", "checks", "widgets", "course", "grading", "demo"],
)
def test_every_package_declares_its_public_names(package):
    import importlib

    module = importlib.import_module(f"teachkit.{package}")
    names = getattr(module, "__all__", None)
    assert names is not None, f"teachkit.{package} declares no __all__"
    for name in names:
        assert hasattr(module, name), f"teachkit.{package}.__all__ names {name!r}, which is missing"
