"""teachkit.grading.gradescope: the autograder zip's run_autograder on Gradescope's folder layout.

Fast tier: results.json from synthetic results (Otter's visibility rules), finding the notebook,
the failure paths (never a crash, always results.json), the committed zips' scripts. Grading
tier: the committed hw01 zip's real ``run_autograder`` on a Gradescope layout under a temporary
root (``source/`` = the unpacked zip, ``submission/``, ``results/``), on the solution, a blank
exercise, and the solution without bubblewrap (a container without namespaces).
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from teachkit.grading import gradescope
from teachkit.grading.assignment import Assignment, load_assignment
from teachkit.grading.feedback import Result
from teachkit.grading.versions import RECORDED, grading_versions, parse_constraints, versions_line

ROOT = Path(__file__).resolve().parents[2]
HW01 = "hw01-mvnormal-cholesky"
ZIPS = sorted((ROOT / "autograder").glob("*/autograder.zip"))

OK_TEST = ("OK_FORMAT = True\ntest = {'name': 'q1', 'points': 2, 'suites': [{'cases': ["
           "{'code': '>>> 1', 'hidden': False}, {'code': '>>> 2', 'hidden': True}]}]}")
PUBLIC_ONLY = ("OK_FORMAT = True\ntest = {'name': 'q2', 'points': 1, 'suites': [{'cases': ["
               "{'code': '>>> 1', 'hidden': False}]}]}")


def _result(**kw):
    cases = {"q1": [{"name": "q1 - 1", "hidden": False, "points": 1.0, "passed": True, "message": ""},
                    {"name": "q1 - 2", "hidden": True, "points": 1.0, "passed": False, "message": "expected 2"}],
             "q2": [{"name": "q2 - 1", "hidden": False, "points": 1.0, "passed": False, "message": "got 0\nnot 1"}]}
    base = {"id": "ana", "status": "ok", "total": 1.0, "possible": 3.0, "scores": {"q1": 1.0, "q2": 0.0},
            "seconds": 2.5, "reason": "", "sha256": "abc", "key": "k",
            "feedback": "# Feedback for ana\n\n**Score: 1 / 3**\n\n## Questions\n", "sandbox": "bwrap",
            "cases": cases, "sections": {"q1": "### q1: 1 / 2\n", "q2": "### q2: 0 / 1\n"},
            "versions": {"teachkit": "0.1.0", "pymc": "6.4.0"}}
    return Result(**(base | kw))


def _assignment(**config):
    return Assignment("hw", {"q1": OK_TEST, "q2": PUBLIC_ONLY}, (), {"assignment_name": "hw", **config})


# --------------------------------------------------------------------------------------------
# results.json: Otter's semantics


def test_results_json_follows_otter_with_show_hidden():
    out = gradescope.results_json(_result(), _assignment(show_hidden=True), note="sandbox note")
    tests = {t["name"]: t for t in out["tests"]}
    assert list(tests) == ["Public Tests", "q1", "q2", "teachkit: how this submission was graded"]
    assert out["score"] == 1.0 and out["execution_time"] == 2
    assert [(tests[q]["score"], tests[q]["max_score"]) for q in ("q1", "q2")] == [(1.0, 2.0), (0.0, 1.0)]
    assert {tests[q]["visibility"] for q in ("q1", "q2")} == {"after_published"}
    public = tests["Public Tests"]
    assert public["visibility"] == "visible" and public["status"] == "failed"
    assert "q1: all public tests passed" in public["output"] and "not 1" in public["output"]
    assert "expected 2" not in public["output"]  # a hidden case's message is not in the public summary
    how = tests["teachkit: how this submission was graded"]
    assert how["visibility"] == "hidden" and "sandbox: bwrap" in how["output"] and "sandbox note" in how["output"]
    assert "teachkit 0.1.0; pymc 6.4.0" in how["output"]
    assert out["extra_data"]["teachkit"]["versions"] == {"teachkit": "0.1.0", "pymc": "6.4.0"}
    assert "stdout_visibility" not in out
    json.dumps(out)  # plain data


def test_results_json_hides_questions_without_show_hidden_and_applies_otter_score_options():
    out = gradescope.results_json(_result(), _assignment())
    assert {t["visibility"] for t in out["tests"] if t["name"] in ("q1", "q2")} == {"hidden"}
    assert out["tests"][0]["name"] == "Public Tests"
    scaled = gradescope.results_json(_result(), _assignment(points_possible=30, show_stdout=True))
    assert scaled["score"] == 10.0 and scaled["stdout_visibility"] == "after_published"
    assert gradescope.results_json(_result(), _assignment(score_threshold=0.3))["score"] == 3.0
    assert gradescope.results_json(_result(), _assignment(score_threshold=0.5))["score"] == 0
    no_summary = gradescope.results_json(_result(), _assignment(show_hidden=True, force_public_test_summary=False))
    assert "Public Tests" not in [t["name"] for t in no_summary["tests"]]


def test_show_all_public_makes_questions_visible_only_when_no_case_is_hidden():
    public = Assignment("hw", {"q2": PUBLIC_ONLY}, (), {"show_all_public": True})
    r = _result(scores={"q2": 1.0}, total=1.0, possible=1.0)
    assert [t["visibility"] for t in gradescope.results_json(r, public)["tests"] if t["name"] == "q2"] == ["visible"]
    mixed = gradescope.results_json(_result(), _assignment(show_all_public=True))
    assert [t["visibility"] for t in mixed["tests"] if t["name"] == "q1"] == ["hidden"]


def test_a_submission_that_was_not_graded_gets_zero_and_the_reason():
    r = _result(status="timeout", reason="it ran past 420 s", cases={}, sections={}, total=0.0,
                scores={}, feedback="# Feedback\n\n**Status: timeout.** it ran past 420 s\n\n## Questions\n")
    out = gradescope.results_json(r, _assignment())
    tests = {t["name"]: t for t in out["tests"]}
    assert out["score"] == 0 and "it ran past 420 s" in out["output"]
    assert tests["Public Tests"]["output"] == "Not graded: it ran past 420 s"
    assert tests["q1"]["score"] == 0 and "it ran past 420 s" in tests["q1"]["output"]


# --------------------------------------------------------------------------------------------
# the folders and the failure paths (in-process, nothing is run)


def test_paths_default_to_autograder_and_are_overridable(monkeypatch, tmp_path):
    for k in ("ROOT", "SOURCE", "SUBMISSION", "RESULTS"):
        monkeypatch.delenv(f"TEACHKIT_GRADESCOPE_{k}", raising=False)
    assert gradescope.gradescope_paths()["results"] == Path("/autograder/results")
    monkeypatch.setenv("TEACHKIT_GRADESCOPE_ROOT", str(tmp_path))
    monkeypatch.setenv("TEACHKIT_GRADESCOPE_SUBMISSION", str(tmp_path / "elsewhere"))
    p = gradescope.gradescope_paths()
    assert p["source"] == tmp_path / "source" and p["submission"] == tmp_path / "elsewhere"


def test_find_notebook_like_otter_with_clear_reasons(tmp_path):
    a = _assignment()
    assert gradescope.find_notebook(tmp_path / "none", a)[0] is None
    (tmp_path / "notes.txt").write_text("x")
    path, why = gradescope.find_notebook(tmp_path, a)
    assert path is None and "no Jupyter notebook" in why and "notes.txt" in why
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "hw.ipynb").write_text("{}")
    assert gradescope.find_notebook(tmp_path, a)[0] == tmp_path / "sub" / "hw.ipynb"  # an unpacked zip
    (tmp_path / "a.ipynb").write_text(json.dumps({"metadata": {"otter": {"assignment_name": "hw"}}}))
    (tmp_path / "b.ipynb").write_text(json.dumps({"metadata": {}}))
    assert gradescope.find_notebook(tmp_path, a)[0] == tmp_path / "a.ipynb"  # the one for this assignment
    (tmp_path / "b.ipynb").write_text(json.dumps({"metadata": {"otter": {"assignment_name": "hw"}}}))
    path, why = gradescope.find_notebook(tmp_path, a)
    assert path is None and "2 notebooks" in why


def _layout(tmp_path, files: dict) -> Path:
    root = tmp_path / "gs"
    with zipfile.ZipFile(ROOT / "autograder" / HW01 / "autograder.zip") as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir()
    for name, data in files.items():
        (root / "submission" / name).write_bytes(data)
    return root


@pytest.mark.parametrize("files, status, words", [
    ({"answers.txt": b"my answers"}, "invalid-notebook", "no Jupyter notebook"),
    ({"hw01.ipynb": b"\x89PNG not json"}, "invalid-notebook", "not a Jupyter notebook"),
    ({"hw01.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": "x = 1"}], "nbformat": 4,
                                "metadata": {"otter": {"assignment_name": "hw09"}}}).encode()},
     "wrong-assignment", "hw09"),
])
def test_broken_submissions_get_a_score_and_a_reason(tmp_path, files, status, words):
    root = _layout(tmp_path, files)
    out = gradescope.run(root=root)
    written = json.loads((root / "results" / "results.json").read_text())
    assert written == out and out["score"] == 0
    assert out["extra_data"]["teachkit"]["status"] == status and words in out["output"]
    assert len([t for t in out["tests"] if "max_score" in t]) == 4  # every question, at 0


def test_an_internal_failure_still_writes_results_json(tmp_path):
    (tmp_path / "submission").mkdir()  # no source/: the autograder itself is broken
    out = gradescope.run(root=tmp_path)
    assert out["score"] == 0 and out["tests"][0]["name"] == "Autograder Failed"
    assert out["tests"][1]["visibility"] == "hidden" and "ValueError" in out["tests"][1]["output"]
    assert json.loads((tmp_path / "results" / "results.json").read_text()) == out


def test_run_autograder_writes_results_json_even_when_python_cannot_start(tmp_path):
    root = _layout(tmp_path, {"hw01.ipynb": b"{}"})
    env = os.environ | {"TEACHKIT_GRADESCOPE_ROOT": str(root), "TEACHKIT_PYTHON": str(tmp_path / "no-python")}
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=root, env=env,
                          check=False, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    out = json.loads((root / "results" / "results.json").read_text())
    assert out["score"] == 0 and "could not start" in out["output"]


# --------------------------------------------------------------------------------------------
# the committed zips


@pytest.mark.parametrize("zip_path", ZIPS, ids=[z.parent.name for z in ZIPS])
def test_committed_zips_grade_with_teachkit_and_install_pinned_versions(zip_path):
    with zipfile.ZipFile(zip_path) as zf:
        run, setup = zf.read("run_autograder").decode(), zf.read("setup.sh").decode()
        env = yaml.safe_load(zf.read("environment.yml"))
        pins = parse_constraints(zf.read("constraints.txt").decode())
    commands = [ln for ln in run.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert any("-m teachkit.grading.gradescope" in ln for ln in commands)
    assert not any("run_otter.py" in ln for ln in commands)  # Otter's runner is no longer called
    assert "apt-get install -y bubblewrap" in setup
    assert "teachkit.grading.versions --verify /autograder/source/constraints.txt" in setup
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert pip[0] == "-c /autograder/source/constraints.txt"
    installed = grading_versions()
    assert {name: pins.get(name) for name in RECORDED} == installed  # what grades here is what is pinned


# --------------------------------------------------------------------------------------------
# grading tier: the real run_autograder on hw01 (NumPy only, no MCMC)


def _run_autograder(tmp_path, files: dict, **env) -> tuple[dict, str]:
    root = _layout(tmp_path, files)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")  # as Gradescope does
    full_env = os.environ | {"TEACHKIT_GRADESCOPE_ROOT": str(root), "TEACHKIT_PYTHON": sys.executable} | env
    proc = subprocess.run(["bash", str(root / "run_autograder")], cwd=root, env=full_env,
                          check=False, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text()), proc.stdout + proc.stderr


def _entries(out):
    return {t["name"]: t for t in out["tests"]}


@pytest.mark.grading
def test_run_autograder_gives_the_solution_full_marks_in_bubblewrap(tmp_path):
    a = load_assignment(ROOT / "autograder" / HW01)
    solution = (ROOT / "autograder" / HW01 / f"{HW01}.ipynb").read_bytes()
    out, log = _run_autograder(tmp_path, {f"{HW01}.ipynb": solution})
    tests = _entries(out)
    assert out["score"] == sum(a.possible.values()) == 15
    for q, points in a.possible.items():
        assert tests[q]["score"] == tests[q]["max_score"] == points
        assert tests[q]["visibility"] == ("after_published" if a.config.get("show_hidden") else "hidden")
    assert tests["Public Tests"]["status"] == "passed" and tests["Public Tests"]["visibility"] == "visible"
    how = tests["teachkit: how this submission was graded"]["output"]
    assert "sandbox: bwrap" in how and versions_line(grading_versions()) in how
    assert out["extra_data"]["teachkit"] == {"status": "ok", "reason": "", "sandbox": "bwrap",
                                              "versions": grading_versions()}
    assert "NO OS SANDBOX" not in log


@pytest.mark.grading
def test_run_autograder_gives_a_blank_exercise_zero_with_reasons(tmp_path):
    blank = (ROOT / "exercises" / f"{HW01}.ipynb").read_bytes()
    out, _ = _run_autograder(tmp_path, {f"{HW01}.ipynb": blank})
    tests = _entries(out)
    assert out["score"] == 0 and "Cells that raised an error" in out["output"]
    assert all(tests[q]["score"] == 0 and "failed" in tests[q]["output"] for q in ("q1", "q2", "q3", "q4"))
    assert tests["Public Tests"]["status"] == "failed"


@pytest.mark.grading
def test_run_autograder_without_namespaces_falls_back_loudly_and_still_grades(tmp_path):
    solution = (ROOT / "autograder" / HW01 / f"{HW01}.ipynb").read_bytes()
    out, log = _run_autograder(tmp_path, {f"{HW01}.ipynb": solution}, TEACHKIT_SANDBOX="none")
    assert out["score"] == 15
    assert "WARNING: NO OS SANDBOX" in log
    how = _entries(out)["teachkit: how this submission was graded"]
    assert how["visibility"] == "hidden" and "NO OS SANDBOX" in how["output"]
    assert out["extra_data"]["teachkit"]["sandbox"].startswith("none")
