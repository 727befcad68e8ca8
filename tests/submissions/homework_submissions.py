"""Student submissions for the homework grading tests, derived from the built notebooks.

A submission is made from the *student* notebook ``exercises/<name>.ipynb`` (what a student
downloads), with its answer cells filled in from the instructor's notebook
``autograder/<name>/<name>.ipynb`` (:func:`filled_notebook`), and then, for a wrong submission,
edited by small text replacements (:class:`Edit`) of the kind students make. Every edit must
match exactly once, so when a master notebook changes, a stale edit fails loudly instead of
silently grading the correct solution.

``SUBMISSIONS[name]`` lists the wrong submissions of each assignment with the score each
question is expected to receive and a phrase of the failing check's message that must be visible
in Otter's output.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` by ``new`` in the one code cell that contains ``old`` (exactly once)."""

    old: str
    new: str

    def apply(self, nb: nbformat.NotebookNode) -> None:
        hits = [c for c in nb.cells if c.cell_type == "code" and self.old in c.source]
        if len(hits) != 1 or hits[0].source.count(self.old) != 1:
            raise AssertionError(
                f"edit {self.old!r} matched {sum(c.source.count(self.old) for c in hits)} times; "
                "the master notebook changed: update tests/submissions/homework_submissions.py"
            )
        hits[0].source = hits[0].source.replace(self.old, self.new)


@dataclass(frozen=True)
class Submission:
    """A wrong submission: what the student did, and what the grader must say."""

    label: str
    edits: tuple[Edit, ...]
    scores: dict[str, float]
    messages: dict[str, str] = field(default_factory=dict)  # question -> phrase in its output


def student_notebook(name: str, root: Path = ROOT) -> nbformat.NotebookNode:
    """The untouched student notebook ``exercises/<name>.ipynb``."""
    return nbformat.read(str(root / "exercises" / f"{name}.ipynb"), as_version=4)


def filled_notebook(name: str, root: Path = ROOT) -> nbformat.NotebookNode:
    """The student notebook with every answer cell filled in from the instructor's notebook."""
    student = student_notebook(name, root)
    solution = nbformat.read(str(root / "autograder" / name / f"{name}.ipynb"), as_version=4)
    if len(student.cells) != len(solution.cells):
        raise AssertionError(f"{name}: student and instructor notebooks differ in cell count")
    filled = copy.deepcopy(student)
    for cell, sol in zip(filled.cells, solution.cells):
        if "otter_answer_cell" in cell.metadata.get("tags", []):
            cell.source = sol.source
    return filled


def wrong_notebook(name: str, submission: Submission, root: Path = ROOT) -> nbformat.NotebookNode:
    """The filled student notebook with the submission's edits applied."""
    nb = filled_notebook(name, root)
    for edit in submission.edits:
        edit.apply(nb)
    return nb


FULL = {
    "hw01-mvnormal-cholesky": {"q1": 3, "q2": 4, "q3": 4, "q4": 4},
}

SUBMISSIONS: dict[str, list[Submission]] = {
    "hw01-mvnormal-cholesky": [
        Submission(
            "upper Cholesky factor: z @ L instead of z @ L.T",
            (Edit("q2_samples = z @ q2_L.T", "q2_samples = z @ q2_L"),),
            {"q1": 3, "q2": 2, "q3": 4, "q4": 4},
            {"q2": "multiply by L.T"},
        ),
        Submission(
            "variances used as standard deviations",
            (Edit("sds = np.sqrt(variances)", "sds = variances"),),
            {"q1": 1.5, "q2": 1, "q3": 4, "q4": 4},
            {"q1": "uses the variances (4, 1) as standard deviations"},
        ),
        Submission(
            "validity judged by the determinant alone",
            (Edit("return bool(np.allclose(R, R.T) and", "return bool(np.linalg.det(R) > 0) or bool("),),
            {"q1": 3, "q2": 4, "q3": 2, "q4": 4},
            {"q3": "not_symmetric (it is not symmetric)"},
        ),
        Submission(
            "LKJ density without its normalising constant",
            (Edit(" / (2 ** (2 * eta - 1) * special.beta(eta, eta))", ""),),
            {"q1": 3, "q2": 4, "q3": 4, "q4": 2},
            {"q4": "the normalising constant is missing or wrong"},
        ),
    ],
}
