"""Grading tier: a class of hw02 with per-student data, graded with a roster.

Homework 2 simulates each student's grant data from their ``STUDENT_ID``
(``simulate.student_seed``) and its hidden tests recompute that student's truth. Five notebooks
and a roster of six:

- s1 (Ana) and s2 (Bo) answer in their own styles with their own IDs: full marks, each graded
  against their own data;
- s3 (Cy) hands in Bo's notebook unchanged, ``STUDENT_ID = "s2"`` included: graded against Bo's
  data (full marks: the work is correct for the ID it declares), and flagged three ways, none a
  penalty: ``mismatch`` in the gradebook, ``foreign-id`` and ``shared-id``, and the two fits are
  on the same data (``same-data``) with the same code (``shared-code``);
- s4 (Di) declares her own ID but fits Ana's data (her data seed computed from ``"s1"``):
  ``checks.data_match`` takes the recovery points, and the integrity report shows ``same-data``
  with Ana;
- s5 (Ed) keeps the placeholder: 0 points, the placeholder message in the feedback, no crash;
- s6 (Fa) hands in nothing: a ``missing`` row.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "submissions"))
import homework_submissions as hs
import student_styles as ss

from teachkit import grading, sample_submissions

pytestmark = pytest.mark.grading

NAME = "hw02-grants-binomial"
FULL = hs.FULL[NAME]
ROSTER = """id,name,email
s1,Ana Lima,ana@uni.edu
s2,Bo Chen,bo@uni.edu
s3,Cy Diaz,cy@uni.edu
s4,Di Eng,di@uni.edu
s5,Ed Fox,ed@uni.edu
s6,Fa Gil,fa@uni.edu
"""
#: the exercise's data line, which every student runs
DATA_LINE = f'DATA_SEED = simulate.student_seed("{NAME}", STUDENT_ID)'


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("per-student-class")
    styles = ss.STYLES[NAME]
    cls = root / "class"
    cls.mkdir()
    notebooks = {
        "s1.ipynb": sample_submissions.as_student(ss.style_notebook(NAME, styles[0]), "s1"),
        "s2.ipynb": sample_submissions.as_student(ss.style_notebook(NAME, styles[1]), "s2"),
        "s3.ipynb": sample_submissions.as_student(ss.style_notebook(NAME, styles[1]), "s2"),
        "s4.ipynb": sample_submissions.with_edits(
            sample_submissions.as_student(ss.style_notebook(NAME, styles[2]), "s4"),
            sample_submissions.Edit(DATA_LINE, DATA_LINE.replace("STUDENT_ID)", '"s1")')),
        ),
        "s5.ipynb": sample_submissions.as_student(hs.filled_notebook(NAME), "your-student-id"),
    }
    for file, nb in notebooks.items():
        nbformat.write(nb, str(cls / file))
    (root / "roster.csv").write_text(ROSTER)
    out = root / "out"
    book = grading.grade(
        hs.ROOT / "autograder" / NAME,
        [cls],
        workers=2,
        timeout=600,
        out=out,
        progress=False,
        roster=root / "roster.csv",
    )
    with (out / "gradebook.csv").open(newline="") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    with (out / "integrity.csv").open(newline="") as fh:
        flags = list(csv.DictReader(fh))
    return dict(out=out, book=book, rows=rows, flags=flags)


def _scores(row: dict) -> dict:
    return {q: float(row[q]) for q in FULL}


def test_each_student_is_graded_on_their_own_data(graded):
    rows = graded["rows"]
    assert set(rows) == {"s1", "s2", "s3", "s4", "s5", "s6"}
    for s in ("s1", "s2", "s3"):
        assert rows[s]["status"] == "ok", rows[s]
        assert _scores(rows[s]) == pytest.approx(FULL), (s, rows[s])
    assert {s: rows[s]["id_check"] for s in rows} == {
        "s1": "ok",
        "s2": "ok",
        "s3": "mismatch: notebook says s2, the ID of Bo Chen",
        "s4": "ok",
        "s5": "placeholder",
        "s6": "",
    }
    assert rows["s6"]["status"] == "missing" and float(rows["s6"]["total"]) == 0


def test_a_fit_on_a_classmates_data_loses_the_recovery_points(graded):
    di = graded["rows"]["s4"]
    assert di["status"] == "ok", di
    # every recovery test fails on data_match; the questions graded on her own fits keep theirs
    assert _scores(di) == pytest.approx({"q0": 0, "q1": 1, "q2": 2, "q3": 2, "q4": 3}), di
    feedback = (graded["out"] / "feedback" / "s4.md").read_text()
    assert "not this assignment's" in feedback


def test_a_placeholder_id_scores_zero_with_the_reason(graded):
    ed = graded["rows"]["s5"]
    assert ed["status"] == "ok" and float(ed["total"]) == 0, ed
    feedback = (graded["out"] / "feedback" / "s5.md").read_text()
    assert "placeholder" in feedback and "STUDENT_ID" in feedback


def test_integrity_report_flags_the_copy_and_the_borrowed_data(graded):
    kinds = {(f["kind"], f["students"]) for f in graded["flags"]}
    assert ("same-data", "s2; s3") in kinds, graded["flags"]
    assert ("same-data", "s1; s4") in kinds, graded["flags"]
    assert ("shared-code", "s2; s3") in kinds, graded["flags"]
    assert ("foreign-id", "s3; s2") in kinds, graded["flags"]
    # the honest students' fits are on data of their own, each shared with nobody
    same = {f["students"] for f in graded["flags"] if f["kind"] == "same-data"}
    assert same == {"s2; s3", "s1; s4"}, graded["flags"]
    # evidence, never a penalty: Cy's copy of a correct notebook keeps its full marks
    assert float(graded["rows"]["s3"]["total"]) == sum(FULL.values())
