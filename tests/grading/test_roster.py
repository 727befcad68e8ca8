"""The roster: parsing and its errors, matching submissions by file name and by Gradescope's
export metadata, the notebook's declared STUDENT_ID and the ID check (nothing is graded here)."""

from __future__ import annotations

import json
import zipfile

import pytest

from teachkit.grading.roster import (
    DeclaredId,
    Roster,
    Student,
    declared_student_id,
    id_check,
    match_submissions,
    name_matches,
    read_gradescope_metadata,
    read_roster,
)
from teachkit.grading.submission import find_submissions


def _roster(tmp_path, text: str, name: str = "roster.csv"):
    p = tmp_path / name
    p.write_text(text)
    return read_roster(p)


def _nb(*sources: str) -> dict:
    return {
        "cells": [{"cell_type": "code", "source": s, "outputs": []} for s in sources],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_roster_columns_any_case_and_order_with_optional_section(tmp_path):
    r = _roster(
        tmp_path,
        "\ufeffEmail, NAME ,Id,Section,Canvas_ID,extra\nana@u.edu,Ana Lima, s1 ,A,101,x\n"
        "bo@u.edu,Bo Chen,s2,,,\n\n",
    )
    assert [(s.id, s.name, s.email, s.section, s.canvas_id) for s in r.students] == [
        ("s1", "Ana Lima", "ana@u.edu", "A", "101"),
        ("s2", "Bo Chen", "bo@u.edu", "", ""),
    ]
    assert (
        r.has_section and r.get(" S1") is r.students[0] and r.by_email("BO@u.edu") is r.students[1]
    )
    assert not _roster(tmp_path, "id,name,email\ns1,A,a@x\n", "r2.csv").has_section


@pytest.mark.parametrize(
    "text, words",
    [
        ("id,name\ns1,Ana\n", ["roster.csv", "no column 'email'", "id,name,email"]),
        ("id,name,email\ns1,Ana,a@x\n,Bo,b@x\n", ["roster.csv, line 3", "id is empty"]),
        ("id,name,email\ns1,Ana,a@x\n\nS1,Bo,b@x\n", ["line 4", "'S1' is already used on line 2"]),
        ('{"id": "s1"}', ["not a CSV file"]),
        ("", ["is empty"]),
        ('id,name,email\ns1,"Ana,a@x\n', ["not valid CSV"]),
    ],
)
def test_roster_errors_are_sentences_naming_file_and_line(tmp_path, text, words):
    with pytest.raises(ValueError) as err:
        _roster(tmp_path, text)
    for w in words:
        assert w in str(err.value), str(err.value)


def test_roster_that_is_not_text_or_does_not_exist(tmp_path):
    (tmp_path / "roster.xlsx").write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(ValueError, match="not a CSV file"):
        read_roster(tmp_path / "roster.xlsx")
    (tmp_path / "latin.csv").write_bytes("id,name,email\ns1,Jos\xe9,j@x\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        read_roster(tmp_path / "latin.csv")
    with pytest.raises(ValueError, match="does not exist"):
        read_roster(tmp_path / "nope.csv")


def test_file_name_rule():
    r = Roster([Student("s1", "A", "a@x"), Student("s12", "B", "b@x"), Student("s1_b", "C", "c@x")])
    got = {
        n: (name_matches(n, r).id if name_matches(n, r) else None)
        for n in [
            "s1",
            "S1",
            "s1_hw04",
            "s1-late",
            "s1.v2",
            "s12",
            "s12_hw",
            "s1_b",
            "s1_b-2",
            "s10",
            "xs1",
            "hw_s1",
        ]
    }
    assert got == {
        "s1": "s1",
        "S1": "s1",
        "s1_hw04": "s1",
        "s1-late": "s1",
        "s1.v2": "s1",
        "s12": "s12",
        "s12_hw": "s12",
        "s1_b": "s1_b",
        "s1_b-2": "s1_b",
        "s10": None,
        "xs1": None,
        "hw_s1": None,
    }


def test_matching_folders_files_and_unmatched(tmp_path):
    for rel in ["s1.ipynb", "s2/hw.ipynb", "S3_hw04.ipynb", "nobody.ipynb"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(json.dumps(_nb("x = 1")))
    r = Roster([Student(s, s.upper(), f"{s}@x") for s in ("s1", "s2", "s3", "s4")])
    subs = find_submissions([tmp_path])
    got = {sid: [s.id for s in who] for sid, who in match_submissions(subs, r).items()}
    assert got == {"S3_hw04": ["s3"], "nobody": [], "s1": ["s1"], "s2_hw": ["s2"]}


def _export_zip(path, metadata: str, folders: dict[str, dict]):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("assignment_99_export/submission_metadata.yml", metadata)
        for folder, nb in folders.items():
            zf.writestr(f"assignment_99_export/{folder}/hw01.ipynb", json.dumps(nb))


# the layout of Gradescope's "Export Submissions": Ruby-symbol keys, one entry per submission folder
METADATA = """\
submission_101:
  :submitters:
  - :name: Ana Lima
    :sid: S1
    :email: ana@u.edu
  :created_at: 2026-11-30 10:00:00.000000000 -08:00
  :score: 12.0
submission_102:
  :submitters:
  - :name: Bo Chen
    :sid: ''
    :email: BO@u.edu
  - :name: Cy Diaz
    :sid: s3
    :email: cy@u.edu
submission_103:
  :submitters:
  - :name: Zed
    :sid: z9
    :email: z@else.edu
"""


def test_gradescope_export_metadata_in_a_zip_and_unpacked(tmp_path):
    r = Roster(
        [
            Student("s1", "Ana Lima", "ana@u.edu"),
            Student("s2", "Bo Chen", "bo@u.edu"),
            Student("s3", "Cy Diaz", "cy@u.edu"),
        ]
    )
    folders = {f"submission_{n}": _nb("x = 1") for n in (101, 102, 103)}
    z = tmp_path / "export.zip"
    _export_zip(z, METADATA, folders)
    meta = read_gradescope_metadata([z])
    assert meta["submission_101"] == [{"name": "Ana Lima", "sid": "S1", "email": "ana@u.edu"}]
    subs = find_submissions([z])
    got = {sid: [s.id for s in who] for sid, who in match_submissions(subs, r, meta).items()}
    assert got == {"submission_101": ["s1"], "submission_102": ["s2", "s3"], "submission_103": []}
    # the same export unpacked into a folder
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(z) as zf:
        zf.extractall(unpacked)
    meta2 = read_gradescope_metadata([unpacked])
    assert meta2 == meta
    got2 = {
        sid: [s.id for s in who]
        for sid, who in match_submissions(find_submissions([unpacked]), r, meta2).items()
    }
    assert sorted(map(tuple, got2.values())) == sorted(map(tuple, got.values()))


def test_gradescope_metadata_that_is_not_yaml_is_a_sentence(tmp_path):
    (tmp_path / "submission_metadata.yml").write_text("submission_1: [unclosed\n")
    with pytest.raises(ValueError, match="not readable YAML"):
        read_gradescope_metadata([tmp_path])


def test_declared_student_id_is_read_statically():
    assert declared_student_id(
        _nb("import numpy as np", 'STUDENT_ID = "s42"  # mine', "STUDENT_ID = 's1'")
    ) == DeclaredId(True, "s42", 1)
    assert declared_student_id(_nb("STUDENT_ID: str = 's7'")).value == "s7"
    assert declared_student_id(_nb("STUDENT_ID = input()")) == DeclaredId(True, None, 0)
    assert declared_student_id(_nb("STUDENT_ID = 1234")).value == 1234
    assert declared_student_id(_nb("MY_STUDENT_ID = 's1'", "print(STUDENT_ID)")).found is False
    # never run: a line that would do harm if executed is only read
    assert declared_student_id(_nb("STUDENT_ID = __import__('os').system('false')")).value is None
    assert declared_student_id(json.dumps(_nb("STUDENT_ID = 's9'")).encode()).value == "s9"
    assert declared_student_id(b"not json").found is False
    # the whole cell is parsed: two statements on a line, a magic above it
    assert (
        declared_student_id(_nb("%matplotlib inline\nSTUDENT_ID = 's5'; DATA_SEED = 3")).value
        == "s5"
    )
    assert declared_student_id(_nb("STUDENT_ID = (\n    's6'\n)")).value == "s6"
    # a cell that is not Python: the line alone is read
    assert declared_student_id(_nb("STUDENT_ID = 's8'\nthis is not python")).value == "s8"


def test_id_check_values():
    r = Roster([Student("s1", "Ana", "a@x"), Student("s2", "Bo", "b@x")])
    ana = [r.students[0]]
    assert id_check(DeclaredId(True, "s1"), ana, r) == "ok"
    assert id_check(DeclaredId(True, " S1 "), ana, r) == "ok"
    assert id_check(DeclaredId(True, "s2"), ana, r) == "mismatch: notebook says s2, the ID of Bo"
    assert id_check(DeclaredId(True, "s999"), ana, r) == "mismatch: notebook says s999"
    assert id_check(DeclaredId(True, "your-student-id"), ana, r) == "placeholder"
    assert id_check(DeclaredId(True, 1234), ana, r) == "placeholder"  # not a string
    assert id_check(DeclaredId(False), ana, r) == "absent"
    assert id_check(DeclaredId(True, "s1"), [], r) == "unmatched: notebook says s1"
    assert id_check(DeclaredId(True, "s2"), r.students, r) == "ok"  # a group submission


def _fake_result(rid, total=15.0, origin=""):
    from teachkit.grading.feedback import Result

    return Result(rid, "ok", total, 15.0, {"q1": total}, 1.0, "", "h", "k", origin=origin)


def test_gradebook_with_roster_columns_and_missing_rows(tmp_path):
    from teachkit.grading.feedback import Gradebook

    r = Roster(
        [Student("s1", "Ana", "a@x", "A"), Student("s2", "Bo", "b@x", "B")], has_section=True
    )
    book = Gradebook(
        "hw",
        ["q1"],
        [_fake_result("s1_hw")],
        possible=15.0,
        has_section=True,
        people={
            "s1_hw": {
                "student": "s1",
                "name": "Ana",
                "email": "a@x",
                "section": "A",
                "id_check": "ok",
            }
        },
        missing=[r.students[1]],
    )
    book.to_csv(tmp_path / "gradebook.csv")
    import csv

    rows = list(csv.DictReader((tmp_path / "gradebook.csv").open()))
    assert list(rows[0])[:6] == ["id", "student", "name", "email", "section", "total"]
    assert rows[0]["id_check"] == "ok" and rows[0]["status"] == "ok"
    assert (
        rows[1] | {"versions": ""} == rows[1]
        and rows[1]["student"] == "s2"
        and rows[1]["status"] == "missing"
    )
    assert rows[1]["total"] == "0" and rows[1]["possible"] == "15.0" and rows[1]["section"] == "B"
    # without a roster: the gradebook's columns are as before
    plain = Gradebook("hw", ["q1"], [_fake_result("s1_hw")]).fields()
    assert plain == [
        "id",
        "total",
        "possible",
        "q1",
        "status",
        "seconds",
        "reason",
        "sandbox",
        "versions",
    ]


def test_only_names_submissions_or_roster_students(tmp_path):
    from teachkit.grading.batch import _choose, _kept_rows
    from teachkit.grading.submission import Submission

    subs = [
        Submission("s1_hw", b"{}", str(tmp_path / "s1_hw.ipynb")),
        Submission("stranger", b"{}", str(tmp_path / "stranger.ipynb")),
    ]
    r = Roster([Student("s1", "Ana", "a@x"), Student("s2", "Bo", "b@x")])
    assert _choose(["S1_HW"], subs, r, {}) == {"s1_hw"}
    assert _choose(["s1", "stranger"], subs, r, {}) == {"s1_hw", "stranger"}
    with pytest.raises(ValueError, match="--only s2: roster student Bo has no submission"):
        _choose(["s2"], subs, r, {})
    with pytest.raises(
        ValueError, match="--only zz: no submission has this id and no roster student"
    ):
        _choose(["zz"], subs, r, {})
    # rows of the previous gradebook not given this time are kept from the result cache
    import dataclasses
    import json

    cache = tmp_path / ".results"
    cache.mkdir()
    (tmp_path / "gradebook.csv").write_text("id,total\nold,3\n,0\ns1_hw,15\n")
    (cache / "old.json").write_text(json.dumps(dataclasses.asdict(_fake_result("old", 3.0))))
    kept = _kept_rows(tmp_path, cache, {"s1_hw", "stranger"})
    assert [(k.id, k.total, k.skipped) for k in kept] == [("old", 3.0, True)]
