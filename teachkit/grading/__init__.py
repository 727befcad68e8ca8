"""Grading: a submission's path as named steps, and a whole class.

A submission passes through

1. :mod:`~teachkit.grading.submission`: found in a file, folder or zip, parsed, checked
   (``invalid-notebook``, ``wrong-assignment``) without running anything;
2. :mod:`~teachkit.grading.sandboxed_run`: the notebook runs alone in the OS sandbox
   (:mod:`~teachkit.grading.sandbox`, bubblewrap or a guarded fallback) under time and memory
   limits (:mod:`~teachkit.grading.limits`), pausing at every ``grader.check`` to answer the
   examiner about its objects (:mod:`~teachkit.grading.answers`);
3. :mod:`~teachkit.grading.examination`: a second sandboxed process holds the tests (read from
   the :mod:`~teachkit.grading.assignment` before any notebook ran) and runs them, OK and python
   format alike, on copied data and on proxies, over a data-only wire
   (:mod:`~teachkit.grading.wire`); scores come only from here;
4. :mod:`~teachkit.grading.feedback`: a gradebook row and a Markdown feedback file.

:mod:`~teachkit.grading.pipeline` drives one submission through these steps,
:mod:`~teachkit.grading.batch` a class (workers, Dask, a result cache, the progress bar),
:mod:`~teachkit.grading.gradescope` one submission inside a Gradescope container (the autograder
zip's ``run_autograder``, writing ``results.json``). Around a class: :mod:`~teachkit.grading.roster`
(students, which submission is whose, the declared STUDENT_ID), :mod:`~teachkit.grading.integrity`
(``integrity.csv``: signals, never penalties) and :mod:`~teachkit.grading.lms` (``canvas.csv``). :mod:`~teachkit.grading.versions` records
the versions that grade and pins them in every autograder zip (``constraints.txt``).

The names below are imported lazily, so that the notebook's and the examiner's processes,
which import submodules, do not pay for the grader's imports.

Examples
--------
>>> from pathlib import Path
>>> from teachkit import grading
>>> toy = Path(grading.__file__).parents[2] / "tests/fixtures/toy-assignment/dist/autograder"
>>> a = grading.load_assignment(toy)
>>> a.name, a.formats
('toy-assignment', {'q1': 'python', 'q2': 'python', 'q3': 'python'})
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Assignment": "assignment", "load_assignment": "assignment", "GRADER_VERSION": "assignment",
    "Submission": "submission", "find_submissions": "submission", "parse_notebook": "submission",
    "MAX_NOTEBOOK_BYTES": "submission",
    "Result": "feedback", "Gradebook": "feedback", "render_feedback": "feedback",
    "grade_one": "pipeline", "STATUSES": "pipeline",
    "grade": "batch", "warmup": "batch",
    "Sandbox": "sandbox", "resolve_sandbox": "sandbox", "integrity_snapshot": "sandbox",
    "Roster": "roster", "Student": "roster", "read_roster": "roster", "match_submissions": "roster",
    "declared_student_id": "roster", "id_check": "roster",
    "integrity_flags": "integrity", "write_integrity_csv": "integrity",
    "canvas_rows": "lms", "write_canvas_csv": "lms",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"teachkit.grading.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'teachkit.grading' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_EXPORTS])
