"""teachkit.grading.assignment, .submission and .feedback: reading autograders, finding and
checking submissions, the gradebook."""

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from teachkit import grading

TOY = Path(__file__).parents[1] / "fixtures" / "toy-assignment" / "dist" / "autograder"


def test_load_assignment_from_folder_and_zip_agree():
    a = grading.load_assignment(TOY)
    b = grading.load_assignment(TOY / "autograder.zip")
    assert a.tests == b.tests and a.names == b.names == ("q1_mean", "q2_summary", "q3_z")
    assert a.possible == {"q1": 2.0, "q2": 2.0, "q3": 1.0}
    assert a.fingerprint == b.fingerprint


def test_load_assignment_explains_a_wrong_path(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        grading.load_assignment(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no tests/ folder"):
        grading.load_assignment(tmp_path / "empty")


def test_find_submissions_from_files_folders_and_gradescope_zip(tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ana.ipynb").write_text("{}")
    (tmp_path / "class" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "class" / ".ipynb_checkpoints" / "ana-checkpoint.ipynb").write_text("{}")
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as zf:
        zf.writestr("submission_101/hw.ipynb", "{}")
        zf.writestr("submission_102/hw.ipynb", "{}")
        zf.writestr("submission_metadata.yml", "x")
    (tmp_path / "ana.txt").write_text("not a notebook")
    subs = grading.find_submissions([tmp_path / "class", tmp_path / "export.zip", tmp_path / "ana.txt"])
    assert [s.id for s in subs] == ["ana", "submission_101", "submission_102", "ana-2"]


@pytest.mark.parametrize("data, status", [
    (b"", "invalid-notebook"),
    (b"\x89PNG....", "invalid-notebook"),
    (b'{"a": 1}', "invalid-notebook"),
    (b'{"cells": [], "nbformat": 4, "metadata": {}}', "invalid-notebook"),
    (b'{"cells": [{"cell_type": "code", "source": "x=1"}], "nbformat": 4,'
     b' "metadata": {"otter": {"assignment_name": "other"}}}', "wrong-assignment"),
    (b'{"cells": [{"cell_type": "code", "source": "x=1"}], "nbformat": 4, "metadata": {}}', "ok"),
])
def test_parse_notebook_statuses(data, status):
    a = grading.load_assignment(TOY)
    assert grading.parse_notebook(data, a)[1] == status


def test_gradebook_csv_has_one_column_per_question(tmp_path):
    r = grading.Result("ana", "ok", 3.0, 5.0, {"q1": 2.0, "q2": 1.0}, 1.5, "", "h", "k",
                       versions={"teachkit": "0.1.0", "pymc": "6.4.0"})
    path = grading.Gradebook("toy", ["q1", "q2"], [r]).to_csv(tmp_path / "g.csv")
    df = pd.read_csv(path)
    assert list(df.columns) == ["id", "total", "possible", "q1", "q2", "status", "seconds", "reason", "sandbox",
                                "versions"]
    assert df.loc[0, "q1"] == 2.0 and df.loc[0, "status"] == "ok"
    assert df.loc[0, "versions"] == "teachkit 0.1.0; pymc 6.4.0"
