"""Grading tier: a class of hw01 graded with a roster, the integrity report, Canvas, ``--only``.

Six roster students and one stranger, on ``hw01-mvnormal-cholesky`` (NumPy only: seconds a
notebook). Each notebook gets a ``STUDENT_ID = "..."`` line at the top of its first code cell
(hw01 ships without one; the grader reads it from the JSON, never by running it):

- s1 (Ana) answers in one style, declares ``s1``: ``ok``;
- s2 (Bo) answers in another, declares ``S2`` (case ignored): ``ok``, file ``s2/hw01.ipynb``;
- s3 (Cy) hands in s2's notebook with its own ID: ``ok``, but ``shared-code`` with s2;
- s4 (Di) answers in a third style and declares s1's ID: ``mismatch`` and ``foreign-id``;
- s5 (Ed) keeps the placeholder ``your-student-id``: ``placeholder``;
- s6 (Fa) hands in nothing: a ``missing`` row with total 0;
- ``stranger.ipynb`` (the blank exercise, no ID line) matches nobody: graded, ``unmatched``.

Then s4 fixes the ID and only s4 is regraded (``only=["s4"]``): its row changes, every other row
stays byte for byte.
"""

from __future__ import annotations

import copy
import csv
import json
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "submissions"))
import homework_submissions as hs
import student_styles as ss

from teachkit import grading
from teachkit.grading.lms import CANVAS_COLUMNS

pytestmark = pytest.mark.grading

NAME = "hw01-mvnormal-cholesky"
ROOT = hs.ROOT
FULL = float(sum(hs.FULL[NAME].values()))
ROSTER = """ID,Name,Email,Section
s1,Ana Lima,ana@uni.edu,A
s2,Bo Chen,bo@uni.edu,A
s3,Cy Diaz,cy@uni.edu,B
s4,Di Eng,di@uni.edu,B
s5,Ed Fox,ed@uni.edu,A
s6,Fa Gil,fa@uni.edu,B
"""


def with_id(nb: nbformat.NotebookNode, student_id: str | None) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose first code cell starts with ``STUDENT_ID = "<id>"``."""
    nb = copy.deepcopy(nb)
    if student_id is not None:
        cell = next(c for c in nb.cells if c.cell_type == "code")
        cell.source = f"STUDENT_ID = {student_id!r}\n" + cell.source
    return nb


def _write(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def _rows(path: Path) -> list[dict]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _grade(cls: Path, out: Path, roster: Path, **kwargs):
    """Grade the class folder as ``teachkit grade ... --roster`` does (hw01 needs no warm-up)."""
    return grading.grade(
        ROOT / "autograder" / NAME,
        [cls],
        timeout=120,
        out=out,
        progress=False,
        warm=False,
        roster=roster,
        **kwargs,
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    styles = ss.STYLES[NAME]
    assert len(styles) >= 3, styles
    bo = with_id(ss.style_notebook(NAME, styles[1]), "S2")
    cls = root / "class"
    _write(with_id(ss.style_notebook(NAME, styles[0]), "s1"), cls / "s1.ipynb")
    _write(bo, cls / "s2" / "hw01.ipynb")
    _write(with_id(bo, "s3"), cls / "s3_hw01.ipynb")
    _write(with_id(ss.style_notebook(NAME, styles[2]), "s1"), cls / "s4-final.ipynb")
    _write(with_id(hs.filled_notebook(NAME), "your-student-id"), cls / "S5.ipynb")
    _write(hs.student_notebook(NAME), cls / "stranger.ipynb")
    (root / "roster.csv").write_text(ROSTER)
    out = root / "out"
    book = _grade(cls, out, root / "roster.csv", workers=2, export="canvas")
    return dict(root=root, cls=cls, out=out, book=book, styles=styles)


def test_gradebook_has_the_roster_columns_and_id_checks(graded):
    rows = _rows(graded["out"] / "gradebook.csv")
    assert list(rows[0])[:6] == ["id", "student", "name", "email", "section", "total"]
    assert "id_check" in rows[0]
    by_student = {r["student"] or r["id"]: r for r in rows}
    assert set(by_student) == {"s1", "s2", "s3", "s4", "s5", "s6", "stranger"}
    check = {k: r["id_check"] for k, r in by_student.items()}
    assert check == {
        "s1": "ok",
        "s2": "ok",
        "s3": "ok",
        "s4": "mismatch: notebook says s1, the ID of Ana Lima",
        "s5": "placeholder",
        "s6": "",
        "stranger": "unmatched",
    }
    for s in ("s1", "s2", "s3", "s4", "s5"):
        assert by_student[s]["status"] == "ok", by_student[s]
        assert float(by_student[s]["total"]) == FULL, by_student[s]
    assert by_student["s2"]["id"] == "s2_hw01" and by_student["s2"]["email"] == "bo@uni.edu"
    assert by_student["s6"]["status"] == "missing" and float(by_student["s6"]["total"]) == 0
    assert by_student["s6"]["name"] == "Fa Gil" and by_student["s6"]["section"] == "B"
    assert by_student["stranger"]["status"] == "ok" and float(by_student["stranger"]["total"]) == 0
    assert [s.id for s in graded["book"].missing] == ["s6"]


def test_integrity_report_flags_the_copy_and_the_borrowed_id(graded):
    rows = _rows(graded["out"] / "integrity.csv")
    assert list(rows[0]) == ["kind", "students", "submissions", "evidence"]
    kinds = {(r["kind"], r["students"]) for r in rows}
    assert ("shared-code", "s2; s3") in kinds, rows
    assert ("foreign-id", "s4; s1") in kinds, rows
    assert ("shared-id", "s1; s4") in kinds, rows
    # the honest students do not share code with anybody: each wrote their own answers
    shared = [r for r in rows if r["kind"] == "shared-code"]
    assert len(shared) == 1, shared
    assert "identical" in shared[0]["evidence"]
    # hw01 fits nothing, so no draws to compare
    assert not any(r["kind"] in ("identical-draws", "same-data") for r in rows)


def test_logs_beside_the_feedback(graded):
    log = json.loads((graded["out"] / "logs" / "s1.json").read_text())
    assert log["status"] == "ok" and log["total"] == FULL
    assert log["declared_student_id"] == {"found": True, "value": "s1"}
    assert log["cells_run"] and all(
        {"cell", "seconds", "status"} <= set(c) for c in log["cells_run"]
    )
    assert {c["status"] for c in log["cells_run"]} == {"ok"}
    assert set(log["graded_at"]) == set(hs.FULL[NAME])
    assert log["sandbox"] and log["versions"].get("teachkit")
    assert log["fingerprints"].get("STUDENT_ID")
    assert (graded["out"] / "feedback" / "s1.md").is_file()


def test_canvas_csv_follows_canvas_import_format(graded):
    with (graded["out"] / "canvas.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    # Canvas's GradebookImporter: Student, ID, SIS User ID, SIS Login ID, Section, then assignments
    assert rows[0] == [*CANVAS_COLUMNS, NAME]
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == FULL
    body = {r[2]: r for r in rows[2:]}
    assert list(body) == ["s1", "s2", "s3", "s4", "s5", "s6"]  # roster order, the stranger left out
    assert body["s1"][0] == "Ana Lima" and body["s1"][4] == "A"
    assert float(body["s4"][5]) == FULL and float(body["s6"][5]) == 0


def test_only_regrades_one_student_and_keeps_every_other_row(graded):
    out, cls = graded["out"], graded["cls"]
    before = {r["id"] or r["student"]: r for r in _rows(out / "gradebook.csv")}
    fixed = with_id(ss.style_notebook(NAME, graded["styles"][2]), "s4")
    _write(fixed, cls / "s4-final.ipynb")
    with pytest.raises(ValueError, match="nobody"):
        _grade(cls, out, graded["root"] / "roster.csv", only=["nobody"])
    book = _grade(cls, out, graded["root"] / "roster.csv", only=["s4"])
    after = {r["id"] or r["student"]: r for r in _rows(out / "gradebook.csv")}
    assert set(after) == set(before)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"s4-final"}, changed
    assert after["s4-final"]["id_check"] == "ok" and float(after["s4-final"]["total"]) == FULL
    assert sum(not r.skipped for r in book.results) == 1
    kinds = {r["kind"] for r in _rows(out / "integrity.csv")}
    assert "foreign-id" not in kinds and "shared-code" in kinds
