"""Sample student submissions made from the built notebooks: good, flawed, broken, tampering.

A submission starts from the student notebook ``exercises/<name>.ipynb`` (what a student
downloads) with its answer cells filled in from the instructor's notebook
``autograder/<name>/<name>.ipynb`` (:func:`filled_notebook`); a flawed one then gets small text
edits of the kind students make (:class:`Edit`). Every edit must match exactly once, so when a
master notebook changes, a stale edit fails loudly instead of silently grading the solution.

:func:`demo_class` is the bundled class that ``teachkit demo`` grades.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = [
    "as_student",
    "Edit",
    "DEMO_HW02_ROSTER",
    "demo_class",
    "demo_hw02_class",
    "demo_hw04_class",
    "filled_notebook",
    "student_notebook",
    "with_edits",
]


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` by ``new`` in the one code cell that contains ``old`` (exactly once)."""

    old: str
    new: str

    def apply(self, nb: nbformat.NotebookNode) -> None:
        """Apply the edit in place; ``AssertionError`` unless ``old`` occurs exactly once."""
        hits = [c for c in nb.cells if c.cell_type == "code" and self.old in c.source]
        if len(hits) != 1 or hits[0].source.count(self.old) != 1:
            raise AssertionError(
                f"edit {self.old!r} matched {sum(c.source.count(self.old) for c in hits)} times; "
                "the master notebook changed: update the edit"
            )
        hits[0].source = hits[0].source.replace(self.old, self.new)


def student_notebook(name: str, root: str | Path = ".") -> nbformat.NotebookNode:
    """The untouched student notebook ``<root>/exercises/<name>.ipynb``."""
    return nbformat.read(str(Path(root) / "exercises" / f"{name}.ipynb"), as_version=4)


def filled_notebook(name: str, root: str | Path = ".") -> nbformat.NotebookNode:
    """The student notebook with every answer cell filled in from the instructor's notebook."""
    root = Path(root)
    student = student_notebook(name, root)
    solution = nbformat.read(str(root / "autograder" / name / f"{name}.ipynb"), as_version=4)
    if len(student.cells) != len(solution.cells):
        raise AssertionError(f"{name}: student and instructor notebooks differ in cell count")
    filled = copy.deepcopy(student)
    for cell, sol in zip(filled.cells, solution.cells):
        if "otter_answer_cell" in cell.metadata.get("tags", []):
            cell.source = sol.source
    return filled


def with_edits(nb: nbformat.NotebookNode, *edits: Edit) -> nbformat.NotebookNode:
    """A copy of ``nb`` with ``edits`` applied."""
    nb = copy.deepcopy(nb)
    for edit in edits:
        edit.apply(nb)
    return nb


_TAMPER = """
# Make every check pass and write a results file that claims full marks.
import json, teachkit.checks as c
for _name in ("recovery", "divergences", "convergence", "structure"):
    setattr(c, _name, lambda *a, **k: c.CheckResult(True, "patched", {}))
import otter.test_files.exception_test as _et
_et.ExceptionTestFile.run = lambda self, env: None
open("results.json", "w").write(json.dumps({"total": 15, "possible": 15}))
"""


def demo_class(root: str | Path = ".", name: str = "hw01-mvnormal-cholesky") -> dict[str, bytes]:
    """A small class of submissions to ``hw01-mvnormal-cholesky``: ``{file name: bytes}``.

    ``good`` (the solution), two flawed ones (variances used as sds; the upper Cholesky factor),
    ``blank`` (the untouched student notebook), ``raises`` (an error in the first answer),
    ``not-a-notebook`` (plain text), and ``tampering`` (blank answers plus code that patches the
    checks and Otter and writes a fake results file).

    Examples
    --------
    >>> from pathlib import Path
    >>> import teachkit
    >>> root = Path(teachkit.__file__).parents[1]
    >>> sorted(demo_class(root))  # doctest: +NORMALIZE_WHITESPACE
    ['blank.ipynb', 'flawed-upper-cholesky.ipynb', 'flawed-variances-as-sds.ipynb',
     'good.ipynb', 'not-a-notebook.ipynb', 'raises.ipynb', 'tampering.ipynb']
    """
    good = filled_notebook(name, root)
    blank = student_notebook(name, root)
    tampering = _tampering(blank)
    notebooks = {
        "good": good,
        "flawed-variances-as-sds": with_edits(
            good, Edit("sds = np.sqrt(variances)", "sds = variances")
        ),
        "flawed-upper-cholesky": with_edits(
            good, Edit("q2_samples = z @ q2_L.T", "q2_samples = z @ q2_L")
        ),
        "blank": blank,
        "raises": with_edits(
            good, Edit("sds = np.sqrt(variances)", "sds = np.sqrt(variances) / undefined_name")
        ),
        "tampering": tampering,
    }
    out = _as_files(notebooks)
    out["not-a-notebook.ipynb"] = b"I ran out of time, sorry - will send it tomorrow\n"
    return dict(sorted(out.items()))


#: hw04 written with z of shape (coef, group) and ``chol @ z`` instead of ``z @ chol.T``: the same
#: model, another student's way of writing it (for questions 2 and 3).
_Z_BY_COLUMNS = tuple(
    Edit(
        f'    z = pm.Normal("z", 0, 1, dims=("{g}", "coef"))\n'
        f'    coeffs = pm.Deterministic("coeffs", pt.stack([mu_a, mu_b]) + z @ chol.T, dims=("{g}", "coef"))',
        f'    z = pm.Normal("z", 0, 1, dims=("coef", "{g}"))  # one column per {g}\n'
        f'    coeffs = pm.Deterministic("coeffs", (pt.stack([mu_a, mu_b])[:, None] + chol @ z).T, dims=("{g}", "coef"))',
    )
    for g in ("group", "station")
)

#: hw04 with question 2 left centred (the funnel's divergences stay).
_CENTRED_Q2 = Edit(
    '    z = pm.Normal("z", 0, 1, dims=("group", "coef"))\n'
    '    coeffs = pm.Deterministic("coeffs", pt.stack([mu_a, mu_b]) + z @ chol.T, dims=("group", "coef"))',
    '    coeffs = pm.MvNormal("coeffs", mu=pt.stack([mu_a, mu_b]), chol=chol, dims=("group", "coef"))',
)


def _as_files(notebooks: dict[str, nbformat.NotebookNode]) -> dict[str, bytes]:
    """``{"<name>.ipynb": bytes}`` of ``{name: notebook}``, sorted by file name."""
    return {f"{k}.ipynb": nbformat.writes(v).encode() for k, v in sorted(notebooks.items())}


def _tampering(blank: nbformat.NotebookNode) -> nbformat.NotebookNode:
    tampering = copy.deepcopy(blank)
    answer = [
        i
        for i, c in enumerate(tampering.cells)
        if "otter_answer_cell" in c.metadata.get("tags", [])
    ]
    tampering.cells.insert(answer[0], nbformat.v4.new_code_cell(_TAMPER))
    return tampering


def demo_hw04_class(root: str | Path = ".") -> dict[str, bytes]:
    """A small class of submissions to ``hw04-covarying-parameters``: ``{file name: bytes}``.

    ``correct-lecture-style`` (the solution) and ``correct-z-by-columns`` (the same models with
    ``z`` of shape (coef, group) and ``chol @ z``): full marks; ``centred-q2`` (question 2 left
    centred where the non-centred model is asked: its divergences stay); ``blank``; and
    ``tampering`` (code that patches the checks and Otter and writes a fake results file).
    The homework is per-student: the three filled notebooks carry their own ``STUDENT_ID``
    (``s4001`` to ``s4003``), so each fits its own data; the blank two keep the placeholder.

    Examples
    --------
    >>> from pathlib import Path
    >>> import teachkit
    >>> root = Path(teachkit.__file__).parents[1]
    >>> sorted(demo_hw04_class(root))  # doctest: +NORMALIZE_WHITESPACE
    ['blank.ipynb', 'centred-q2.ipynb', 'correct-lecture-style.ipynb', 'correct-z-by-columns.ipynb',
     'tampering.ipynb']
    """
    name = "hw04-covarying-parameters"
    good = filled_notebook(name, root)
    blank = student_notebook(name, root)
    notebooks = {
        "correct-lecture-style": as_student(good, "s4001"),
        "correct-z-by-columns": as_student(with_edits(good, *_Z_BY_COLUMNS), "s4002"),
        "centred-q2": as_student(with_edits(good, _CENTRED_Q2), "s4003"),
        "blank": blank,
        "tampering": _tampering(blank),
    }
    return _as_files(notebooks)


#: The roster of the per-student sample class of homework 2 (:func:`demo_hw02_class`).
DEMO_HW02_ROSTER = """id,name,email,section
s1001,Ana Lima,ana.lima@example.edu,A
s1002,Bo Chen,bo.chen@example.edu,A
s1003,Cy Diaz,cy.diaz@example.edu,B
s1004,Di Eng,di.eng@example.edu,B
s1005,Ed Fox,ed.fox@example.edu,A
s1006,Fa Gil,fa.gil@example.edu,B
"""


def as_student(nb: nbformat.NotebookNode, student_id: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose question-0 answer cell reads ``STUDENT_ID = '<student_id>'``.

    The cell is found by what it starts with (``STUDENT_ID``), so this works on any filled
    notebook of a per-student homework, whatever ID it held.

    Examples
    --------
    >>> from pathlib import Path
    >>> import teachkit
    >>> nb = filled_notebook("hw02-grants-binomial", Path(teachkit.__file__).parents[1])
    >>> [c.source for c in as_student(nb, "s1001").cells if c.source.startswith("STUDENT_ID")]
    ["STUDENT_ID = 's1001'\\n"]
    """
    out = copy.deepcopy(nb)
    cells = [c for c in out.cells if c.cell_type == "code" and c.source.startswith("STUDENT_ID")]
    if len(cells) != 1:
        raise ValueError(
            f"as_student needs exactly one code cell starting with STUDENT_ID (question 0 of a "
            f"per-student homework); this notebook has {len(cells)}."
        )
    cells[0].source = f"STUDENT_ID = {student_id!r}\n"
    return out


def demo_hw02_class(root: str | Path = ".") -> dict[str, bytes]:
    """A class of ``hw02-grants-binomial`` with per-student data and a roster: ``{file: bytes}``.

    Every student's grant data are simulated from their ``STUDENT_ID``; ``roster.csv`` is
    :data:`DEMO_HW02_ROSTER`. Submissions are named by ID:

    - ``s1001`` (Ana): the solution, her own ID: full marks on her data;
    - ``s1002`` (Bo): his own ID, the DAG misread in question 4 (``q4_path = "direct"``);
    - ``s1003`` (Cy): Ana's notebook, Ana's ID and all: graded on Ana's data (full marks: the
      work is right for the ID it declares), flagged in the gradebook (``mismatch``) and in the
      integrity report (Ana's ID, Ana's data, Ana's draws), never penalised by the flags;
    - ``s1004`` (Di): her own ID, but last year's shared data (``DATA_SEED = 410``): correct models
      of the wrong data, which ``checks.data_match`` catches in every recovery test;
    - ``s1005`` (Ed): the placeholder ID left in: 0 points, and the feedback says what to do;
    - ``s1006`` (Fa) hands in nothing: a ``missing`` row.

    Examples
    --------
    >>> from pathlib import Path
    >>> import teachkit
    >>> root = Path(teachkit.__file__).parents[1]
    >>> sorted(demo_hw02_class(root))  # doctest: +NORMALIZE_WHITESPACE
    ['roster.csv', 's1001.ipynb', 's1002.ipynb', 's1003.ipynb', 's1004.ipynb', 's1005.ipynb']
    """
    name = "hw02-grants-binomial"
    good = filled_notebook(name, root)
    ana = as_student(good, "s1001")
    data_line = f'DATA_SEED = simulate.student_seed("{name}", STUDENT_ID)'
    notebooks = {
        "s1001": ana,
        "s1002": with_edits(
            as_student(good, "s1002"), Edit('q4_path = "mediated"', 'q4_path = "direct"')
        ),
        "s1003": ana,
        "s1004": with_edits(as_student(good, "s1004"), Edit(data_line, "DATA_SEED = 410")),
        "s1005": as_student(good, "your-student-id"),
    }
    out = _as_files(notebooks)
    out["roster.csv"] = DEMO_HW02_ROSTER.encode()
    return dict(sorted(out.items()))
