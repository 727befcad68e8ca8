"""The Canvas export, checked against Canvas's documented gradebook import.

What Canvas's importer requires (``GradebookImporter`` of ``instructure/canvas-lms``,
``app/models/gradebook_importer.rb``, and Canvas's guide "How do I import grades in the
Gradebook?"): a header row whose columns are ``Student``, ``ID``, then ``SIS User ID`` and ``SIS
Login ID``, with ``Section`` as the last student column, then one column per assignment; a row whose
first cell matches ``Points Possible`` holding each assignment's points; students found by ``ID``,
else ``SIS User ID``, else ``SIS Login ID``, else name. :func:`canvas_import` below reads a file
the way that importer does, so the test fails if our layout drifts from it.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys

import pytest

from teachkit.grading.lms import CANVAS_COLUMNS, canvas_rows, write_canvas_csv
from teachkit.grading.roster import Student

#: Canvas's documented student columns of a gradebook CSV, in order
DOCUMENTED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_import(path) -> dict:
    """Parse a gradebook CSV as Canvas's GradebookImporter does (header checks, Points Possible)."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    assert len(header) > 3 and re.search("Student", header[0]) and re.search("ID", header[1])
    student_columns = 3
    if re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        student_columns += 2
    assert re.search("Section", header[student_columns - 1]), (
        "the last student column must be Section"
    )
    assignments = header[student_columns:]
    points, students = {}, []
    for row in rows[1:]:
        if re.search("Points Possible", row[0]):
            points = dict(zip(assignments, row[student_columns:], strict=True))
            continue
        students.append(
            {
                "name": row[0],
                "id": row[1],
                "sis_user_id": row[2],
                "sis_login_id": row[3],
                "section": row[4],
                "grades": dict(zip(assignments, row[student_columns:], strict=True)),
            }
        )
    return {"assignments": assignments, "points": points, "students": students}


def test_columns_are_canvas_documented_columns():
    assert list(CANVAS_COLUMNS) == DOCUMENTED


def test_canvas_csv_reads_back_as_canvas_would(tmp_path):
    students = [
        (
            Student(
                "s1", "Lima, Ana", "ana@u.edu", "A", canvas_id="1001", sis_id="20261", login="alima"
            ),
            12.5,
        ),
        (Student("s2", "Bo Chen", "bo@u.edu"), 0.0),
        (Student("s3", 'Cy "The" Diaz', "cy@u.edu", "B"), None),
    ]
    p = write_canvas_csv(tmp_path / "canvas.csv", "Homework 1 (4521)", 15, students)
    got = canvas_import(p)
    assert got["assignments"] == ["Homework 1 (4521)"]
    assert got["points"] == {"Homework 1 (4521)": "15"}
    assert got["students"][0] == {
        "name": "Lima, Ana",
        "id": "1001",
        "sis_user_id": "20261",
        "sis_login_id": "alima",
        "section": "A",
        "grades": {"Homework 1 (4521)": "12.5"},
    }
    # without Canvas IDs: the roster id is the SIS User ID, login and Canvas ID stay blank
    assert got["students"][1] | {"grades": None} == {
        "name": "Bo Chen",
        "id": "",
        "sis_user_id": "s2",
        "sis_login_id": "",
        "section": "",
        "grades": None,
    }
    assert got["students"][1]["grades"] == {"Homework 1 (4521)": "0"}
    assert got["students"][2]["name"] == 'Cy "The" Diaz' and got["students"][2]["grades"] == {
        "Homework 1 (4521)": ""
    }
    assert p.read_text(encoding="utf-8").splitlines()[1] == "Points Possible,,,,,15"


def test_a_column_needs_a_title():
    with pytest.raises(ValueError, match="needs a title"):
        canvas_rows(" ", 10, [])


def test_export_without_roster_is_a_clear_error(tmp_path):
    from teachkit.grading import grade

    with pytest.raises(ValueError, match="needs a roster.*--roster roster.csv"):
        grade("hw01-mvnormal-cholesky", [tmp_path], export="canvas", out=tmp_path / "out")
    with pytest.raises(ValueError, match="unknown export 'moodle'"):
        grade("hw01-mvnormal-cholesky", [tmp_path], export="moodle", roster=tmp_path / "r.csv")
    assert not (tmp_path / "out").exists()  # nothing was graded or written


def test_cli_says_it_in_one_sentence(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "teachkit",
            "grade",
            "hw01-mvnormal-cholesky",
            str(tmp_path),
            "--export",
            "canvas",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert "teachkit grade: error: --export canvas needs a roster" in r.stderr
    assert "Traceback" not in r.stderr


def test_class_export_takes_each_students_best_and_zero_for_missing(tmp_path):
    """``grade``'s last step on fake results: several submissions of one student, a missing one."""
    from types import SimpleNamespace

    from teachkit.grading.batch import _finish_class
    from teachkit.grading.feedback import Gradebook, Result
    from teachkit.grading.roster import Roster

    def result(rid, total):
        return Result(
            rid, "ok", total, 15.0, {"q1": total}, 1.0, "", "h", "k", origin=f"/x/{rid}.ipynb"
        )

    ros = Roster(
        [Student("s1", "Ana", "a@x"), Student("s2", "Bo", "b@x"), Student("s3", "Cy", "c@x")]
    )
    book = Gradebook("hw", ["q1"], [result("s1", 9.0), result("s1-late", 14.0), result("s2", 3.0)])
    a = SimpleNamespace(
        name="hw", possible={"q1": 15.0}, source=str(tmp_path / "autograder" / "hw")
    )
    _finish_class(book, a, tmp_path, ros, {}, export="canvas", export_column=None, template=None)
    rows = list(csv.reader(open(book.outputs["canvas"], newline="")))
    assert [(r[2], r[5]) for r in rows[2:]] == [("s1", "14"), ("s2", "3"), ("s3", "0")]
    assert [s.id for s in book.missing] == ["s3"]
    assert [f.kind for f in book.flags] == ["several-submissions"]
    assert (tmp_path / "integrity.csv").is_file() and (tmp_path / "gradebook.csv").is_file()
