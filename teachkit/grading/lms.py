"""Gradebook exports for learning management systems: Canvas's gradebook CSV import.

:func:`canvas_rows` and :func:`write_canvas_csv` write ``OUT/canvas.csv`` in the layout Canvas's
"Import" (Grades → Import) reads. The layout follows Canvas's own importer
(``GradebookImporter`` in ``instructure/canvas-lms``, ``app/models/gradebook_importer.rb``) and
its instructor guide "How do I import grades in the Gradebook?":

* the header starts ``Student, ID, SIS User ID, SIS Login ID, Section`` (the importer checks that
  the first column matches ``Student``, the second ``ID``, the third and fourth ``SIS User ID`` and
  ``SIS Login ID``, and that the last student column is ``Section``), then one column per
  assignment: its title (a new assignment is created) or ``Title (canvas assignment id)`` (an
  existing one is updated);
* a row whose first cell matches ``Points Possible`` gives each assignment's points;
* every other row is a student, found by ``ID`` (Canvas's numeric user id), else by
  ``SIS User ID``, else by ``SIS Login ID``, else by name.

Roster columns fill it as follows (:class:`teachkit.grading.roster.Student`): ``Student`` ← ``name``,
``ID`` ← ``canvas_id`` (blank when the roster has none: Canvas then matches on the SIS columns),
``SIS User ID`` ← ``sis_id``, or else the roster's ``id``, ``SIS Login ID`` ← ``login`` (blank when
absent), ``Section`` ← ``section``.

Examples
--------
>>> from teachkit.grading.roster import Student
>>> rows = canvas_rows("hw01", 15, [(Student("s1", "Ana Lima", "a@x", "A"), 12.5)])
>>> rows[0], rows[1], rows[2]
(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', 'hw01'], ['Points Possible', '', '', '', '', '15'], ['Ana Lima', '', 's1', '', 'A', '12.5'])
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["CANVAS_COLUMNS", "EXPORTS", "canvas_rows", "write_canvas_csv"]

#: the student columns of Canvas's gradebook CSV, in the order its importer requires
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: what ``--export`` accepts
EXPORTS = ("canvas",)


def _number(x: float) -> str:
    return f"{round(float(x), 4):g}"


def canvas_rows(column: str, possible: float, grades: Iterable[tuple]) -> list[list[str]]:
    """The rows of a Canvas gradebook CSV: the header, ``Points Possible``, one row per student.

    Parameters
    ----------
    column : str
        The assignment column's header: a title, or ``Title (id)`` for an existing Canvas assignment.
    possible : float
        The assignment's total points.
    grades : iterable of (Student, float or None)
        Each student's score; None leaves the cell empty (Canvas then changes nothing).

    Returns
    -------
    list of list of str
    """
    if not str(column).strip():
        raise ValueError("the Canvas assignment column needs a title (e.g. the assignment's name)")
    rows = [[*CANVAS_COLUMNS, str(column)], ["Points Possible", "", "", "", "", _number(possible)]]
    for s, score in grades:
        rows.append(
            [
                s.name or s.id,
                s.canvas_id,
                s.sis_id or s.id,
                s.login,
                s.section,
                "" if score is None else _number(score),
            ]
        )
    return rows


def write_canvas_csv(
    path: str | os.PathLike, column: str, possible: float, grades: Iterable[tuple]
) -> Path:
    """Write :func:`canvas_rows` as a UTF-8 CSV file; returns its path."""
    path = Path(path)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(canvas_rows(column, possible, grades))
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path
