"""Tests of teachkit.simulate.student: per-student data seeds."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from teachkit import simulate
from teachkit.simulate.student import (
    PLACEHOLDER_ID,
    is_placeholder,
    normalise_student_id,
    require_student_id,
    student_seed,
)

HW = "hw04-covarying-parameters"


def test_the_seed_is_the_documented_formula():
    import hashlib

    digest = hashlib.sha256(b"teachkit-student-seed/v1/hw04-covarying-parameters/s1234567").digest()
    assert student_seed(HW, "s1234567") == int.from_bytes(digest[:4], "big") >> 1
    assert 0 <= student_seed(HW, "s1234567") < 2**31


def test_the_seed_is_the_same_in_every_process():
    # a student's kernel and the grader are different processes with different hash salts
    code = f"from teachkit.simulate import student_seed; print(student_seed({HW!r}, 's1234567'))"
    seeds = set()
    for salt in ("0", "1", "random"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": salt},
        )
        seeds.add(int(out.stdout))
    assert seeds == {student_seed(HW, "s1234567")}


def test_case_and_surrounding_whitespace_do_not_matter():
    assert student_seed(HW, "  S1234567\n") == student_seed(HW, "s1234567")
    assert normalise_student_id(" AbC ") == "abc"
    assert student_seed(HW, "s123 4567") != student_seed(HW, "s1234567")  # inner spaces do


def test_different_students_and_assignments_get_different_data():
    ids = [f"s{n:07d}" for n in range(2000)]
    seeds = {student_seed(HW, i) for i in ids}
    assert len(seeds) == len(ids)
    assert student_seed(HW, "s1") != student_seed("hw03-varying-effects", "s1")
    a = simulate.ozone(seed=student_seed(HW, "s1"), size="homework")
    b = simulate.ozone(seed=student_seed(HW, "s2"), size="homework")
    assert not a.data.equals(b.data)
    again = simulate.ozone(seed=student_seed(HW, "s1"), size="homework")
    assert a.data.equals(again.data) and a.truth == again.truth


@pytest.mark.parametrize(
    "value",
    [
        PLACEHOLDER_ID,
        "",
        "   ",
        "...",
        "xxx",
        "TODO",
        "<your id>",
        "student_id",
        "YOUR ID",
        None,
        123,
        ...,
    ],
)
def test_placeholders_are_refused_with_a_sentence(value):
    assert is_placeholder(value)
    with pytest.raises(
        ValueError, match=r"STUDENT_ID is .*placeholder: set it to your own student ID"
    ):
        require_student_id(value)
    with pytest.raises(ValueError, match="STUDENT_ID"):
        student_seed(HW, value)


@pytest.mark.parametrize("value", ["s1234567", "ana.lopez", "12345", "u0042"])
def test_real_ids_are_accepted(value):
    assert not is_placeholder(value)
    assert require_student_id(value) == value.casefold()


def test_an_unnamed_assignment_is_refused():
    with pytest.raises(ValueError, match="assignment must be the assignment's name"):
        student_seed("", "s1")
