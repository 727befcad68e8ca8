"""The worked example of ``docs/authoring.md``: the café assignment, with a data set per student.

``docs/examples/cafe/`` is a teachkit project of its own (``solutions/``, ``exercises/``,
``autograder/``), built with ``teachkit build --root docs/examples/cafe``. Fast tests: its
committed outputs are what its master builds, its calibration spec applies, the guide names
what ships. Grading tier: a class of the café assignment graded with a roster, as the guide does:

- s1001 and s1002 hand in the solution with their own IDs: full marks, on different data;
- s1003 hands in s1001's notebook unchanged (s1001's ID and data): full marks by the tests (the
  fit is right for the data it used), ``mismatch`` in the gradebook, ``foreign-id``,
  ``identical-draws`` and ``same-data`` flags with s1001 in ``integrity.csv``;
- s1004 keeps the placeholder: 0, ``placeholder``, and the sentence of ``require_student_id``;
- s1005 and s1006 hand in the spec's wrong submissions with their own IDs: exactly their scores;
- ``otter run`` gives the solution full marks too.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from teachkit import sample_submissions
from teachkit.course.calibrate import _with_student_id, candidates
from teachkit.course.calibration_spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "cafe"
NAME = "cafe-waiting-times"
AUTOGRADER = EXAMPLE / "autograder" / NAME
FULL = {"q0": 0.0, "q1": 3.0, "q2": 3.0}


def test_the_committed_example_is_what_its_master_builds():
    from teachkit.course.build import check

    assert check(root=EXAMPLE) == []


def test_the_example_spec_applies_and_the_guide_describes_what_ships():
    spec = load_spec(NAME, EXAMPLE)
    assert len(spec.wrong) >= 2
    labels = [c.label for c in candidates(NAME, root=EXAMPLE)]
    assert labels[0] == "solution" and len(labels) == 1 + len(spec.wrong)
    guide = (ROOT / "docs" / "authoring.md").read_text()
    for phrase in (
        "teachkit build --root docs/examples/cafe",
        f"teachkit calibrate {NAME} --root docs/examples/cafe",
        "student_seed",
        "STUDENT_ID",
        "--roster",
    ):
        assert phrase in guide, phrase
    student = nbformat.read(str(EXAMPLE / "exercises" / f"{NAME}.ipynb"), as_version=4)
    assert any(
        c.source.strip() == "STUDENT_ID = ..." for c in student.cells
    )  # the student fills it
    assert not any("instructor-demo" in c.source for c in student.cells)


def _class(folder: Path) -> tuple[list[Path], Path]:
    solution, *wrong = candidates(NAME, root=EXAMPLE)
    solution = solution.data
    notebooks = {
        "s1001": _with_student_id(solution, "s1001"),
        "s1002": _with_student_id(solution, "s1002"),
        "s1003": _with_student_id(solution, "s1001"),  # s1001's notebook, handed in by s1003
        "s1004": (
            nbformat.writes(sample_submissions.student_notebook(NAME, EXAMPLE)) + "\n"
        ).encode(),
        "s1005": _with_student_id(wrong[0].data, "s1005"),
        "s1006": _with_student_id(wrong[1].data, "s1006"),
    }
    folder.mkdir(parents=True)
    paths = []
    for sid, data in notebooks.items():
        (folder / f"{sid}.ipynb").write_bytes(data)
        paths.append(folder / f"{sid}.ipynb")
    roster = folder.parent / "roster.csv"
    roster.write_text(
        "id,name,email\n" + "".join(f"{s},Student {s},{s}@uni.edu\n" for s in notebooks)
    )
    return paths, roster


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from teachkit import grading

    base = tmp_path_factory.mktemp("cafe-class")
    paths, roster = _class(base / "class")
    book = grading.grade(
        AUTOGRADER,
        paths,
        workers=2,
        timeout=900,
        out=base / "out",
        progress=False,
        roster=roster,
        root=EXAMPLE,
    )
    with (base / "out" / "gradebook.csv").open(newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    with (base / "out" / "integrity.csv").open(newline="") as fh:
        flags = list(csv.DictReader(fh))
    return book, rows, flags, base


def _scores(row: dict) -> dict:
    return {q: float(row[q]) for q in FULL}


@pytest.mark.grading
@pytest.mark.slow
def test_every_student_graded_on_their_own_data(graded):
    book, rows, _, _ = graded
    for sid in ("s1001", "s1002", "s1003"):
        assert _scores(rows[sid]) == FULL, (sid, rows[sid])
    results = {r.id: r for r in book.results}
    data = {sid: results[sid].fingerprints for sid in ("s1001", "s1002", "s1003")}
    assert data["s1001"] and data["s1001"] != data["s1002"]  # two IDs, two data sets
    assert rows["s1001"]["id_check"] == "ok" and rows["s1002"]["id_check"] == "ok"


@pytest.mark.grading
@pytest.mark.slow
def test_a_copied_notebook_is_flagged_never_penalised(graded):
    _, rows, flags, _ = graded
    assert rows["s1003"]["id_check"].startswith("mismatch: notebook says s1001")
    kinds = {f["kind"] for f in flags if "s1003" in f["students"] and "s1001" in f["students"]}
    assert {"foreign-id", "identical-draws", "same-data"} <= kinds, flags
    assert not any("s1002" in f["students"] for f in flags), flags


@pytest.mark.grading
@pytest.mark.slow
def test_a_placeholder_id_gets_zero_and_a_sentence(graded):
    _, rows, _, base = graded
    assert float(rows["s1004"]["total"]) == 0 and rows["s1004"]["id_check"] == "placeholder"
    feedback = (base / "out" / "feedback" / "s1004.md").read_text()
    assert "set it to your own student ID" in feedback


@pytest.mark.grading
@pytest.mark.slow
def test_wrong_submissions_get_their_scores(graded):
    _, rows, _, base = graded
    spec = load_spec(NAME, EXAMPLE)
    for sid, wrong in zip(("s1005", "s1006"), spec.wrong):
        got = _scores(rows[sid])
        for q in FULL:
            assert any(abs(got[q] - a) < 1e-9 for a in wrong.allowed(q)), (wrong.label, q, got)
        feedback = (base / "out" / "feedback" / f"{sid}.md").read_text()
        for q, phrase in wrong.messages.items():
            assert phrase in feedback, (wrong.label, q, phrase)


@pytest.mark.grading
@pytest.mark.slow
def test_otter_run_gives_the_solution_full_marks(tmp_path):
    sub = tmp_path / f"{NAME}.ipynb"
    sub.write_bytes(_with_student_id(candidates(NAME, root=EXAMPLE)[0].data, "s2001"))
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "otter", "run", "-a", str(AUTOGRADER / "autograder.zip"), "-o",
         str(out), "--no-logo", str(sub)],
        capture_output=True, text=True, timeout=1200, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    results = json.loads((out / "results.json").read_text())
    scores = {t["name"]: t["score"] for t in results["tests"] if "score" in t}
    assert scores == FULL, scores
