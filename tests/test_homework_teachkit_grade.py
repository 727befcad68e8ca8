"""Grading tier: ``teachkit grade`` grades every homework as a fair instructor would.

For each assignment one class is graded the way an instructor grades it (``teachkit.grading.grade``,
two workers, the real sandbox and clean test process):

- the solution (the student notebook with every answer filled in): full marks;
- the untouched student notebook: 0;
- every wrong sample submission (``tests/submissions/homework_submissions.py``): exactly its
  expected score per question, the same scores that ``otter run`` gives it
  (``tests/test_homework_grading.py``);
- every correct submission written in another student's style
  (``tests/submissions/styles/``, written from the exercises and the lecture only): full marks.

And the flagship assignment's solution gets the same grade with a cold compile cache as in the class
(warm).

Run under the MCMC lock, which the tests themselves do not take::

    flock /tmp/teachkit-mcmc.lock .venv/bin/python -m pytest -m grading tests/test_homework_teachkit_grade.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "submissions"))
import homework_submissions as hs
import student_styles as ss

from teachkit import grading

pytestmark = [pytest.mark.grading, pytest.mark.slow]

ROOT = hs.ROOT
ASSIGNMENTS = sorted(hs.FULL)
_BOOKS: dict[str, dict] = {}


def _class(name: str) -> dict[str, nbformat.NotebookNode]:
    notebooks = {"solution": hs.filled_notebook(name), "blank": hs.student_notebook(name)}
    for i, sub in enumerate(hs.SUBMISSIONS[name]):
        notebooks[f"wrong-{i}"] = hs.wrong_notebook(name, sub)
    for style in ss.STYLES.get(name, []):
        notebooks[f"style-{style}"] = ss.style_notebook(name, style)
    return notebooks


def _grade(name: str, notebooks: dict, folder: Path, **kwargs) -> dict:
    folder.mkdir(parents=True)
    paths = []
    for sid, nb in notebooks.items():
        path = folder / f"{sid}.ipynb"
        nbformat.write(nb, str(path))
        paths.append(path)
    kwargs.setdefault("warm", None)  # as `teachkit grade` does: reference models and the instructor's notebook
    book = grading.grade(ROOT / "autograder" / name, paths, workers=2, timeout=900, out=folder / "out",
                         progress=False, **kwargs)
    rows = book.by_id()
    for sid, row in rows.items():
        print(f"{name} {sid}: {row.status} {row.total}/{row.possible} {row.scores} ({row.seconds:.0f} s)")
    return rows


@pytest.fixture
def graded(tmp_path_factory):
    """``graded(name) -> {id: Result}``: the whole class of ``name``, graded once per session."""

    def get(name: str) -> dict:
        if name not in _BOOKS:
            _BOOKS[name] = _grade(name, _class(name), tmp_path_factory.mktemp(name) / "class")
        return _BOOKS[name]

    return get


def _failed_messages(row) -> str:
    return row.feedback[-4000:]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_gets_full_marks(name, graded):
    row = graded(name)["solution"]
    assert row.status == "ok", row.reason
    assert row.scores == pytest.approx(hs.FULL[name]), _failed_messages(row)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_blank_exercise_gets_zero(name, graded):
    row = graded(name)["blank"]
    assert row.status == "ok", row.reason
    assert set(row.scores) == set(hs.FULL[name])
    assert row.total == 0, row.scores


WRONG = [(name, i, sub) for name in ASSIGNMENTS for i, sub in enumerate(hs.SUBMISSIONS[name])]


@pytest.mark.parametrize(("name", "index", "submission"), WRONG,
                         ids=[f"{n}:{s.label[:40]}" for n, _, s in WRONG])
def test_wrong_submission_gets_its_expected_score(name, index, submission, graded):
    row = graded(name)[f"wrong-{index}"]
    assert not submission.mismatches(row.scores), (submission.mismatches(row.scores), _failed_messages(row))
    for question, phrase in submission.messages.items():
        assert phrase in row.feedback, (question, phrase, _failed_messages(row))


STYLES = [(name, style) for name in ASSIGNMENTS for style in ss.STYLES.get(name, [])]


@pytest.mark.parametrize(("name", "style"), STYLES, ids=[f"{n}:{s}" for n, s in STYLES])
def test_correct_work_in_another_style_gets_full_marks(name, style, graded):
    row = graded(name)[f"style-{style}"]
    assert row.status == "ok", row.reason
    assert row.scores == pytest.approx(hs.FULL[name]), _failed_messages(row)


def test_every_mcmc_homework_has_three_styles():
    for name in ASSIGNMENTS:
        assert len(ss.STYLES.get(name, [])) >= 3, f"{name} has styles {ss.STYLES.get(name)}"


def test_cold_and_warm_compile_cache_give_the_same_grade(tmp_path, monkeypatch, graded):
    name = "hw04-covarying-parameters"
    # warm: the class's solution, graded as `teachkit grade` grades it (the reference models and the
    # instructor's notebook compiled first; tests/grading/test_solution_warmup.py checks that step).
    # Taken before the cache is switched, so that the class is graded with the usual cache.
    warm = graded(name)["solution"]
    # cold: an empty compile cache, whatever the notebook imports first, and no warm-up at all
    monkeypatch.setenv("PYTENSOR_FLAGS", f"base_compiledir={tmp_path / 'cache'},blas__ldflags=")
    cold = _grade(name, {"solution": hs.filled_notebook(name)}, tmp_path / "cold", warm=False)["solution"]
    assert cold.scores == warm.scores == pytest.approx(hs.FULL[name]), (cold.feedback, warm.feedback)
