"""Fast checks of the student-style submissions (no MCMC, no kernel).

Every style in ``tests/submissions/styles`` must build into a valid notebook of its exercise:
every question answered, every answer cell replaced, the exercise's other cells untouched.
"""

import ast
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "student_styles", ROOT / "tests" / "submissions" / "student_styles.py"
)
student_styles = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student_styles)

STYLES = student_styles.STYLES
ASSIGNMENTS = sorted(p.stem for p in (ROOT / "exercises").glob("*.ipynb"))
CASES = [(a, s) for a, styles in sorted(STYLES.items()) for s in styles]


def _is_answer(cell):
    return cell.cell_type == "code" and student_styles.ANSWER_TAG in cell.metadata.get("tags", [])


def test_every_assignment_has_at_least_three_styles():
    assert ASSIGNMENTS, "no exercises found"
    for assignment in ASSIGNMENTS:
        assert len(STYLES.get(assignment, [])) >= 3, (
            f"{assignment} has styles {STYLES.get(assignment, [])}; at least three are expected"
        )
    assert set(STYLES) <= set(ASSIGNMENTS), f"styles for unknown assignments: {set(STYLES) - set(ASSIGNMENTS)}"


@pytest.mark.parametrize(("assignment", "style"), CASES, ids=[f"{a}/{s}" for a, s in CASES])
def test_style_builds_a_valid_notebook(assignment, style):
    module = student_styles.load_style(assignment, style)
    assert (module.__doc__ or "").strip(), "each style needs a docstring saying who wrote it"

    exercise = nbformat.read(ROOT / "exercises" / f"{assignment}.ipynb", as_version=4)
    nb = student_styles.style_notebook(assignment, style)
    nbformat.validate(nb)

    questions = student_styles.answer_cells(exercise)
    assert set(module.ANSWERS) == set(questions)

    # every answer cell now holds the style's code, which parses and leaves no `...` placeholder
    built = student_styles.answer_cells(nb)
    assert {q: len(v) for q, v in built.items()} == {q: len(v) for q, v in questions.items()}
    for question, indices in built.items():
        for index, source in zip(indices, module.ANSWERS[question], strict=True):
            cell = nb.cells[index]
            assert _is_answer(cell) and cell.source == source
            tree = ast.parse(source, filename=f"{assignment}/{style}:{question}")
            placeholders = [
                node for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and node.value is Ellipsis
            ]
            assert not placeholders, f"{question} still contains a `...` placeholder"

    # the exercise's other cells are all there, unchanged and in order; extras are inserted
    original = [c for c in exercise.cells if not _is_answer(c)]
    kept = [c for c in nb.cells if not _is_answer(c) and c.get("id") in {o.get("id") for o in original}]
    assert [(c.cell_type, c.source, c.metadata) for c in kept] == [
        (c.cell_type, c.source, c.metadata) for c in original
    ]
    extra = getattr(module, "EXTRA", {}) or {}
    n_extra = sum(len(v) for v in extra.values())
    assert len(nb.cells) == len(exercise.cells) + n_extra
    ids = [c.get("id") for c in nb.cells]
    assert len(set(ids)) == len(ids), "cell ids must be unique"

    # extra cells sit after their question's answer cells and before its grader.check
    check = re.compile(r"""grader\.check\(\s*["']([^"']+)["']\s*\)""")
    for question, cells in extra.items():
        last_answer = built[question][-1]
        following = nb.cells[last_answer + 1 : last_answer + 1 + len(cells)]
        assert all(not _is_answer(c) and not check.search(c.source) for c in following)
        assert check.search(nb.cells[last_answer + 1 + len(cells)].source).group(1) == question
        for cell in following:
            if cell.cell_type == "code":
                ast.parse(cell.source)


def _fake_exercise(tmp_path, n_q1_cells=1):
    nb = nbformat.v4.new_notebook()
    answer = {"tags": [student_styles.ANSWER_TAG]}
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nb.cells += [nbformat.v4.new_code_cell("...", metadata=answer) for _ in range(n_q1_cells)]
    nb.cells += [
        nbformat.v4.new_code_cell('grader.check("q1")'),
        nbformat.v4.new_code_cell("...", metadata=answer),
        nbformat.v4.new_code_cell('grader.check("q2")'),
    ]
    (tmp_path / "exercises").mkdir()
    nbformat.write(nb, tmp_path / "exercises" / "hwX.ipynb")
    return tmp_path


def _fake_style(monkeypatch, answers, extra=None):
    module = type("M", (), {"ANSWERS": answers, "EXTRA": extra or {}})
    monkeypatch.setattr(student_styles, "load_style", lambda a, s: module)


def test_changed_exercises_fail_loudly(tmp_path, monkeypatch):
    root = _fake_exercise(tmp_path, n_q1_cells=2)
    _fake_style(monkeypatch, {"q1": ["a = 1", "b = 2"], "q2": ["c = 3"]}, {"q1": ["print(a)"]})
    nb = student_styles.style_notebook("hwX", "fake", root=root)
    assert [c.source for c in nb.cells] == [
        "x = 1", "a = 1", "b = 2", "print(a)", 'grader.check("q1")', "c = 3", 'grader.check("q2")'
    ]

    _fake_style(monkeypatch, {"q1": ["a = 1"], "q2": ["c = 3"]})
    with pytest.raises(AssertionError, match="q1 has 2 answer cell"):
        student_styles.style_notebook("hwX", "fake", root=root)
    _fake_style(monkeypatch, {"q1": ["a = 1", "b = 2"]})
    with pytest.raises(AssertionError, match=r"does not answer \['q2'\]"):
        student_styles.style_notebook("hwX", "fake", root=root)
    _fake_style(monkeypatch, {"q1": ["a = 1", "b = 2"], "q2": ["c = 3"], "q3": ["d = 4"]})
    with pytest.raises(AssertionError, match="q3"):
        student_styles.style_notebook("hwX", "fake", root=root)
    _fake_style(monkeypatch, {"q1": ["a = 1", "b = 2"], "q2": ["c = 3"]}, {"q9": ["print(1)"]})
    with pytest.raises(AssertionError, match="EXTRA"):
        student_styles.style_notebook("hwX", "fake", root=root)
