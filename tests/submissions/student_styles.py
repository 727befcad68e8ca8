"""Correct homework submissions written in different students' styles.

Each file ``styles/<assignment>/<style>.py`` holds one student's answers to one exercise:

``ANSWERS``
    ``{"q1": [source of answer cell 1, ...], ...}``: one string per answer cell (a code cell
    tagged ``otter_answer_cell``) of every question, in order. An answer cell belongs to the
    question of the next ``grader.check("qN")`` cell.
``EXTRA`` (optional)
    ``{"q2": [cell, ...]}``: cells the student added after that question's last answer cell
    (prints, summaries, plots, a cell that raises). A cell is a string (code) or a dict
    ``{"markdown": text}``.

:func:`style_notebook` puts one style into a fresh copy of ``exercises/<assignment>.ipynb``;
every other cell of the exercise stays as it is. If the exercise changes (a question gains or
loses an answer cell, a question is renamed), building fails with an ``AssertionError`` that says
which style and question no longer fit.
"""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
STYLES_DIR = Path(__file__).resolve().parent / "styles"
ANSWER_TAG = "otter_answer_cell"
_CHECK = re.compile(r"""grader\.check\(\s*["']([^"']+)["']\s*\)""")


def _discover(styles_dir: Path = STYLES_DIR) -> dict[str, list[str]]:
    styles: dict[str, list[str]] = {}
    if not styles_dir.is_dir():
        return styles
    for folder in sorted(p for p in styles_dir.iterdir() if p.is_dir()):
        names = sorted(
            f.stem for f in folder.glob("*.py") if not f.name.startswith(("_", "."))
        )
        if names:
            styles[folder.name] = names
    return styles


#: ``{assignment: [style names]}``, discovered from the ``styles`` folder.
STYLES: dict[str, list[str]] = _discover()


def load_style(assignment: str, style: str):
    """Import ``styles/<assignment>/<style>.py`` and return the module."""
    path = STYLES_DIR / assignment / f"{style}.py"
    assert path.is_file(), (
        f"no style {style!r} for {assignment!r}: {path} does not exist "
        f"(known styles: {STYLES.get(assignment, [])})"
    )
    spec = importlib.util.spec_from_file_location(
        f"student_style_{assignment.replace('-', '_')}_{style}", path
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert isinstance(getattr(module, "ANSWERS", None), dict), f"{path} defines no ANSWERS dict"
    return module


def answer_cells(nb) -> dict[str, list[int]]:
    """``{question: [indices of its answer cells]}``, questions in notebook order.

    An answer cell (tagged ``otter_answer_cell``) belongs to the question of the next
    ``grader.check("qN")`` cell.
    """
    questions: dict[str, list[int]] = {}
    pending: list[int] = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if ANSWER_TAG in cell.get("metadata", {}).get("tags", []):
            pending.append(i)
            continue
        match = _CHECK.search(cell.source)
        if match and pending:
            questions.setdefault(match.group(1), []).extend(pending)
            pending = []
    assert not pending, (
        f"answer cells {pending} are not followed by a grader.check cell; "
        "the exercise's layout changed"
    )
    return questions


def _extra_cell(item, where: str):
    if isinstance(item, str):
        return nbformat.v4.new_code_cell(item)
    if isinstance(item, dict) and set(item) == {"markdown"}:
        return nbformat.v4.new_markdown_cell(item["markdown"])
    raise AssertionError(f"{where}: an extra cell must be a string or {{'markdown': text}}")


def style_notebook(assignment: str, style: str, root=ROOT) -> nbformat.NotebookNode:
    """The exercise ``<root>/exercises/<assignment>.ipynb`` answered in ``style``.

    Replaces the answer cells question by question with the style's ``ANSWERS`` and inserts
    its ``EXTRA`` cells after each question's last answer cell. Raises ``AssertionError`` if a
    question of the exercise is not answered, an answered question is not in the exercise, or
    the number of answer cells of a question differs from the style's list.
    """
    module = load_style(assignment, style)
    answers, extra = module.ANSWERS, getattr(module, "EXTRA", {}) or {}
    where = f"style {assignment}/{style}"
    path = Path(root) / "exercises" / f"{assignment}.ipynb"
    assert path.is_file(), f"{where}: the exercise {path} does not exist"
    nb = nbformat.read(path, as_version=4)
    cells = answer_cells(nb)

    missing = [q for q in cells if q not in answers]
    unknown = [q for q in answers if q not in cells]
    assert not missing, f"{where} does not answer {missing} (the exercise asks {list(cells)})"
    assert not unknown, f"{where} answers {unknown}, which the exercise does not ask ({list(cells)})"
    unknown_extra = [q for q in extra if q not in cells]
    assert not unknown_extra, f"{where}: EXTRA names unknown questions {unknown_extra}"

    for question, indices in cells.items():
        sources = answers[question]
        assert isinstance(sources, (list, tuple)) and all(isinstance(s, str) for s in sources), (
            f"{where}: ANSWERS[{question!r}] must be a list of source strings"
        )
        assert len(sources) == len(indices), (
            f"{where}: {question} has {len(indices)} answer cell(s) in the exercise but the "
            f"style gives {len(sources)}"
        )
        for index, source in zip(indices, sources, strict=True):
            cell = nb.cells[index]
            cell.source = source
            cell.outputs = []
            cell.execution_count = None

    # insert extra cells from the bottom up so that earlier indices stay valid
    for question, indices in sorted(cells.items(), key=lambda kv: -kv[1][-1]):
        new = [
            _extra_cell(item, f"{where}, EXTRA[{question!r}][{k}]")
            for k, item in enumerate(extra.get(question, []))
        ]
        at = indices[-1] + 1
        nb.cells[at:at] = new

    nb = copy.deepcopy(nb)
    nbformat.validate(nb)
    return nb
