"""Grading tier: every Otter test format on student functions, and `teachkit grade` == `otter run`.

The fixture course (``tests/fixtures/functions-course``) has OK-format doctests and python-format
tests on functions, generators, classes, modules, ``env`` and data; each submission's
per-question scores were worked out by hand (``course.SUBMISSIONS``). Both graders must give
exactly those. ``otter run`` runs sequentially, two at a time: about two minutes.
"""

import importlib.util
import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.grading

HERE = Path(__file__).parents[1] / "fixtures" / "functions-course"
_spec = importlib.util.spec_from_file_location("functions_course", HERE / "course.py")
course = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course)


def _otter_scores(zip_path: Path, nb: Path, out: Path) -> dict:
    out.mkdir(parents=True)
    r = subprocess.run([str(Path(sys.executable).parent / "otter"), "run", "-a", str(zip_path), "-o", str(out),
                        str(nb)], capture_output=True, text=True, timeout=600)
    res = out / "results.json"
    assert res.exists(), r.stdout[-2000:] + r.stderr[-2000:]
    tests = json.loads(res.read_text())["tests"]
    return {t["name"]: float(t["score"]) for t in tests if t.get("name") in course.POSSIBLE}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    expected = course.write_submissions(root / "class")
    out = root / "out"
    r = subprocess.run([sys.executable, "-m", "teachkit", "grade", str(course.AUTOGRADER), str(root / "class"),
                        "--out", str(out), "--workers", "2", "--timeout", "120", "--no-progress"],
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    book = pd.read_csv(out / "gradebook.csv")
    book["id"] = book["id"].str.removesuffix(f"_{course.NAME}")
    book = book.set_index("id")
    zip_path = course.autograder_zip(root / "autograder.zip")
    with ThreadPoolExecutor(2) as pool:
        futures = {sid: pool.submit(_otter_scores, zip_path, root / "class" / sid / f"{course.NAME}.ipynb",
                                    root / "otter" / sid)
                   for sid in expected}
        otter = {sid: f.result() for sid, f in futures.items()}
    yield dict(expected=expected, book=book, otter=otter, out=out)
    shutil.rmtree(root, ignore_errors=True)


def test_teachkit_gives_the_hand_worked_scores(graded):
    book = graded["book"]
    got = {sid: {q: float(book.loc[sid, q]) for q in course.POSSIBLE} for sid in graded["expected"]}
    assert got == graded["expected"]
    assert set(book["status"]) == {"ok"} and set(book["possible"]) == {sum(course.POSSIBLE.values())}


def test_otter_run_gives_the_same_scores(graded):
    assert graded["otter"] == graded["expected"]


def test_feedback_shows_messages_and_hides_hidden_doctests(graded):
    def feedback(sid):
        return (graded["out"] / "feedback" / f"{sid}_{course.NAME}.md").read_text()

    fb = feedback("q2-off-by-one")
    assert "fib() should give a generator starting 0, 1, 1, 2, 3" in fb  # a failure message
    assert "[55, 89, 144]" not in fb  # a hidden doctest's expected output stays hidden
    ok = feedback("correct")
    assert "The 11th to 13th Fibonacci numbers are right." in ok  # a success message
    assert "graded at `grader.check` in cell" in ok
    late = feedback("q1-late")
    assert "### q1: 0 / 2" in late
