"""The instructor's notebook warms the grader's compile cache once per notebook and versions."""

import json

import nbformat
import pytest

from teachkit.grading.assignment import Assignment
from teachkit.grading.solution_warmup import solution_notebook, warm_from_solution


def _assignment(tmp_path, code, tests="import pymc"):
    folder = tmp_path / "ag"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(folder / "hw.ipynb"))
    return Assignment("hw", {"q1": tests}, (), {}, source=str(folder))


@pytest.mark.notebook
def test_the_solution_runs_once_in_the_graders_cache_then_a_stamp_skips_it(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("PYTENSOR_FLAGS", f"base_compiledir={cache}")
    a = _assignment(tmp_path, "import os, pathlib  # pymc\n"
                              "cache = os.environ['PYTENSOR_FLAGS'].split(',')[0].split('=', 1)[1]\n"
                              "pathlib.Path(cache, 'ran.txt').write_text(os.environ['PYTENSOR_FLAGS'])\n"
                              "raise RuntimeError('a failing cell does not stop the warm-up')\n"
                              "")
    assert solution_notebook(a) == tmp_path / "ag" / "hw.ipynb"
    seconds = warm_from_solution(a)
    assert seconds and seconds > 0
    assert f"base_compiledir={cache}" in (cache / "ran.txt").read_text()  # the grader's cache
    assert sorted(p.name for p in (tmp_path / "ag").iterdir()) == ["hw.ipynb"]  # it ran in a copy
    (stamp,) = cache.glob("teachkit-solution-*.json")
    assert json.loads(stamp.read_text())["notebook"].endswith("hw.ipynb")
    (cache / "ran.txt").unlink()
    assert warm_from_solution(a) == 0.0 and not (cache / "ran.txt").exists()


def test_nothing_to_warm_without_models_or_without_a_notebook(tmp_path):
    a = _assignment(tmp_path, "x = 1", tests="assert q1 == 1")
    assert warm_from_solution(a) is None
    assert solution_notebook(Assignment("hw", {}, (), {}, source=str(tmp_path / "nowhere"))) is None


def test_a_relative_assignment_folder_gives_an_absolute_notebook(tmp_path, monkeypatch):
    a = _assignment(tmp_path, "x = 1")
    monkeypatch.chdir(tmp_path)
    relative = Assignment("hw", a.tests, (), {}, source="ag")
    assert solution_notebook(relative) == (tmp_path / "ag" / "hw.ipynb").resolve()
