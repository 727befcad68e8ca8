"""Grading tier: ``otter run`` with each committed autograder zip on real submissions.

- the solution (the student notebook with every answer filled in) scores full marks;
- the untouched student notebook scores 0 and the grader still produces a report;
- wrong submissions of the kinds students make (``tests/submissions/homework_submissions.py``)
  get the expected score per question, and the failing check's message is in the output;
- correct submissions in other students' styles (``tests/submissions/styles/``) score full marks.

``tests/test_homework_teachkit_grade.py`` grades the same notebooks with ``teachkit grade``.

Run it under the MCMC lock, which the tests themselves do not take (a child ``flock`` on the
same file would wait for its own parent)::

    flock /tmp/teachkit-mcmc.lock .venv/bin/python -m pytest -m grading tests/test_homework_grading.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "submissions"))
import homework_submissions as hs
import student_styles as ss

pytestmark = pytest.mark.grading

ROOT = hs.ROOT
GRADED = sorted(hs.FULL)


def otter_run(name: str, nb: nbformat.NotebookNode, tmp_path: Path) -> dict:
    """Grade ``nb`` with ``autograder/<name>/autograder.zip``; return per-question results."""
    sub = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, str(sub))
    out = tmp_path / "out"
    out.mkdir()
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "otter", "run", "-a", str(ROOT / "autograder" / name / "autograder.zip"),
         "-o", str(out), "--no-logo", str(sub)],
        capture_output=True, text=True, timeout=1200, cwd=tmp_path, check=False,
    )
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, f"otter run crashed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    results = json.loads((out / "results.json").read_text())
    by_q = {t["name"]: t for t in results["tests"] if "score" in t}
    print(f"otter run {name}: {elapsed:.1f} s; scores {{{', '.join(f'{q}: {t['score']}' for q, t in by_q.items())}}}")
    return by_q


def _class(name: str) -> dict[str, nbformat.NotebookNode]:
    notebooks = {"solution": hs.filled_notebook(name), "blank": hs.student_notebook(name)}
    for i, sub in enumerate(hs.SUBMISSIONS[name]):
        notebooks[f"wrong-{i}"] = hs.wrong_notebook(name, sub)
    for style in ss.STYLES.get(name, []):
        notebooks[f"style-{style}"] = ss.style_notebook(name, style)
    return notebooks


_RESULTS: dict[str, dict] = {}


@pytest.fixture
def graded(tmp_path_factory):
    """``graded(name) -> {id: per-question results}``: every notebook of ``name`` through
    ``otter run``, two at a time (each is one process), once per session."""

    def get(name: str) -> dict:
        if name not in _RESULTS:
            notebooks = _class(name)
            folders = {sid: tmp_path_factory.mktemp(f"{name}-{sid}") for sid in notebooks}
            with ThreadPoolExecutor(max_workers=2) as pool:
                futures = {sid: pool.submit(otter_run, name, nb, folders[sid]) for sid, nb in notebooks.items()}
                _RESULTS[name] = {sid: f.result() for sid, f in futures.items()}
        return _RESULTS[name]

    return get


@pytest.mark.parametrize("name", GRADED)
def test_solution_scores_full_marks(name, graded):
    results = graded(name)["solution"]
    scores = {q: t["score"] for q, t in results.items()}
    assert scores == pytest.approx(hs.FULL[name]), {q: t["output"] for q, t in results.items()
                                                    if t["score"] < t["max_score"]}


@pytest.mark.parametrize("name", GRADED)
def test_untouched_student_notebook_scores_zero(name, graded):
    results = graded(name)["blank"]
    assert set(results) == set(hs.FULL[name])
    assert all(t["score"] == 0 for t in results.values()), {q: t["score"] for q, t in results.items()}
    assert all(t["max_score"] == hs.FULL[name][q] for q, t in results.items())


CASES = [(name, i, sub) for name in GRADED for i, sub in enumerate(hs.SUBMISSIONS[name])]


@pytest.mark.parametrize(("name", "index", "submission"), CASES, ids=[f"{n}:{s.label}" for n, _, s in CASES])
def test_wrong_submission_gets_partial_score(name, index, submission, graded):
    results = graded(name)[f"wrong-{index}"]
    scores = {q: t["score"] for q, t in results.items()}
    assert not submission.mismatches(scores), (submission.mismatches(scores), {q: t["output"][-1500:] for q, t in results.items()})
    for question, phrase in submission.messages.items():
        assert phrase in results[question]["output"], results[question]["output"]


STYLES = [(name, style) for name in GRADED for style in ss.STYLES.get(name, [])]


@pytest.mark.parametrize(("name", "style"), STYLES, ids=[f"{n}:{s}" for n, s in STYLES])
def test_correct_work_in_another_style_gets_full_marks(name, style, graded):
    results = graded(name)[f"style-{style}"]
    scores = {q: t["score"] for q, t in results.items()}
    assert scores == pytest.approx(hs.FULL[name]), {q: t["output"][-1500:] for q, t in results.items()
                                                    if t["score"] < t["max_score"]}
