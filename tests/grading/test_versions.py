"""teachkit.grading.versions: recorded versions, the constraints file, its verification."""

import subprocess
import sys
from pathlib import Path

from teachkit.grading import versions
from teachkit.grading.feedback import render_feedback

ROOT = Path(__file__).resolve().parents[2]


def test_recorded_versions_are_the_installed_ones():
    import numpy
    import pymc

    v = versions.grading_versions()
    assert list(v) == list(versions.RECORDED)
    assert v["numpy"] == numpy.__version__ and v["pymc"] == pymc.__version__


def test_constraints_pin_the_whole_grading_closure_exactly():
    text = versions.constraints_text()
    pins = versions.parse_constraints(text)
    assert text == versions.constraints_text()  # deterministic
    for name, version in versions.grading_versions().items():
        assert pins[name] == version
    # dependencies of dependencies too (PyTensor's compiler, ArviZ's parts, Otter's own)
    assert {"numba", "llvmlite", "scipy", "arviz-base", "nbformat", "fica"} <= set(pins)
    assert not any(name in pins for name in ("pytest", "ruff", "voila"))  # dev tools are not grading
    assert versions.mismatches(text) == []


def test_verify_names_every_version_that_differs(tmp_path):
    pinned = tmp_path / "constraints.txt"
    pinned.write_text("numpy==0.0.1\nnot-a-real-dist==1.0\n" + versions.constraints_text().split("numpy==")[0])
    proc = subprocess.run([sys.executable, "-m", "teachkit.grading.versions", "--verify", str(pinned)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "numpy: " in proc.stderr and "0.0.1 pinned" in proc.stderr
    assert "not-a-real-dist: not installed installed, 1.0 pinned" in proc.stderr


def test_pip_accepts_the_constraints_inside_a_requirements_file(tmp_path):
    """conda writes environment.yml's pip list into a requirements file: ``-c FILE`` must work there."""
    from teachkit.course.build import build_wheel

    wheel = build_wheel(tmp_path)
    (tmp_path / "constraints.txt").write_text(versions.constraints_text())
    (tmp_path / "req.txt").write_text(f"-c {tmp_path / 'constraints.txt'}\n{wheel}\n")
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--no-deps",
                           "-r", str(tmp_path / "req.txt")], check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "constraints.txt").write_text("teachkit==0.0.0\n")  # a wheel that breaks the pin is refused
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--no-deps",
                           "-r", str(tmp_path / "req.txt")], check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0


def test_feedback_says_which_versions_graded_it():
    v = versions.grading_versions()
    text = render_feedback("ana", "ok", "", {}, {"q1": 1.0}, [], {}, versions=v, sandbox="bwrap")
    assert text.rstrip().endswith(f"_Graded by {versions.versions_line(v)}; sandbox: bwrap._")
