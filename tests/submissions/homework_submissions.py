"""Student submissions for the homework grading tests, derived from the built notebooks.

A submission is made from the *student* notebook ``exercises/<name>.ipynb`` (what a student
downloads), with its answer cells filled in from the instructor's notebook
``autograder/<name>/<name>.ipynb`` (:func:`filled_notebook`), and then, for a wrong submission,
edited by small text replacements of the kind students make. Every edit must match exactly
once, so when a master notebook changes, a stale edit fails loudly instead of silently grading
the correct solution.

``SUBMISSIONS[name]`` lists the wrong submissions of each assignment, with the score each
question is expected to receive and a phrase of the failing check's message that must be visible
in the output. They are read from ``solutions/calibration/<name>.toml``, the same file that
``teachkit calibrate`` grades over many seeds: the tests and the calibration share one source.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from teachkit import sample_submissions
from teachkit.course.build import assignment_names
from teachkit.course.calibration_spec import WrongSubmission, load_spec

ROOT = Path(__file__).resolve().parents[2]

#: A wrong submission (label, edits, expected scores, messages, note).
Submission = WrongSubmission


def student_notebook(name: str, root: Path = ROOT) -> nbformat.NotebookNode:
    """The untouched student notebook ``exercises/<name>.ipynb``."""
    return sample_submissions.student_notebook(name, root)


def filled_notebook(name: str, root: Path = ROOT) -> nbformat.NotebookNode:
    """The student notebook with every answer cell filled in from the instructor's notebook."""
    return sample_submissions.filled_notebook(name, root)


def wrong_notebook(name: str, submission: Submission, root: Path = ROOT) -> nbformat.NotebookNode:
    """The filled student notebook with the submission's edits applied."""
    return sample_submissions.with_edits(filled_notebook(name, root), *submission.edits)


FULL = {
    "hw01-mvnormal-cholesky": {"q1": 3, "q2": 4, "q3": 4, "q4": 4},
    "hw02-grants-binomial": {"q0": 0, "q1": 3, "q2": 4, "q3": 5, "q4": 3},
    "hw03-varying-effects": {"q0": 0, "q1": 3, "q2": 4, "q3": 5, "q4": 3, "q5": 3, "q6": 3},
    "hw04-covarying-parameters": {"q0": 0, "q1": 4, "q2": 6, "q3": 5, "q4": 3},
}

SUBMISSIONS: dict[str, list[Submission]] = {
    name: list(load_spec(name, ROOT).wrong) for name in assignment_names(ROOT)
}
