"""teachkit calibrate: the spec files, the report's bar, and a real calibration of a toy assignment."""

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from teachkit import sample_submissions
from teachkit.course import calibration_report as cr
from teachkit.course.build import assignment_names
from teachkit.course.calibrate import Candidate, calibrate, read_runs, runs_path
from teachkit.course.calibration_spec import WrongSubmission, load_spec, parse_spec, to_toml
from teachkit.sample_submissions import Edit

ROOT = Path(__file__).resolve().parents[2]
TOY = ROOT / "tests" / "fixtures" / "toy-assignment" / "dist"


# -- the spec files --------------------------------------------------------------------------


@pytest.mark.parametrize("name", assignment_names(ROOT))
def test_every_shipped_spec_loads_and_its_edits_apply_exactly_once(name):
    spec = load_spec(name, ROOT)
    assert spec.wrong, f"solutions/calibration/{name}.toml lists no wrong submission"
    filled = sample_submissions.filled_notebook(name, ROOT)
    for w in spec.wrong:
        edited = sample_submissions.with_edits(filled, *w.edits)  # AssertionError when stale
        assert edited != filled
        # every question of the notebook, q0 (the student ID, 0 points) included when it has one
        first = 0 if "q0" in w.scores else 1
        assert set(w.scores) == {f"q{i}" for i in range(first, first + len(w.scores))}, w.label


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        (
            "[[wrong]]\nscores = {q1 = 0}\n[[wrong.edits]]\nold = 'a'\nnew = 'b'\n",
            "give it a label",
        ),
        ("[[wrong]]\nlabel = 'x'\nscores = {q1 = 0}\n", "needs [[wrong.edits]]"),
        ("[[wrong]]\nlabel = 'x'\n[[wrong.edits]]\nold = 'a'\nnew = 'b'\n", "needs scores"),
        (
            "[[wrong]]\nlabel = 'x'\nscores = {q1 = 'zero'}\n[[wrong.edits]]\nold = 'a'\nnew = 'b'\n",
            "must be a number",
        ),
        (
            "[[wrong]]\nlabel = 'x'\nscores = {q1 = []}\n[[wrong.edits]]\nold = 'a'\nnew = 'b'\n",
            "empty list",
        ),
        (
            "[[wrong]]\nlabel = 'x'\nscore = {q1 = 0}\nscores = {q1 = 0}\n[[wrong.edits]]\nold = 'a'\nnew = 'b'\n",
            "unknown keys ['score']",
        ),
        ("wrongs = []\n", "unknown keys ['wrongs']"),
        ("rewrites = ['nothing-here/*.ipynb']\n", "matches no file"),
        ("[[wrong]\n", "not valid TOML"),
    ],
)
def test_a_malformed_spec_gets_a_sentence_that_names_the_problem(text, phrase, tmp_path):
    with pytest.raises(ValueError, match="spec.toml") as err:
        parse_spec(text, base=tmp_path, source="spec.toml")
    assert phrase in str(err.value)


def test_to_toml_round_trips_multiline_edits_quotes_and_allowed_scores():
    w = WrongSubmission(
        "a 'quoted' \"label\"",
        (Edit('x = "1"\n    y = 2', "\nz = '''3'''\n"),),
        {"q1": 1.5, "q2": (0.0, 1.0)},
        {"q1": 'say "hi"'},
        "a note",
    )
    assert parse_spec(to_toml([w], header="head\nline")).wrong == (w,)


# -- the report's bar ------------------------------------------------------------------------


def _run(label, kind, seed, passed=True, score=2.0, message="R-hat of mu is 1.03"):
    return {
        "label": label,
        "kind": kind,
        "seed": seed,
        "status": "ok",
        "reason": "",
        "scores": {"q1": score},
        "cases": {"q1": {"test_a": True, "test_b": passed}},
        "case_points": {"q1": {"test_a": 1, "test_b": 1}},
        "failures": {} if passed else {"q1": {"test_b": message}},
        "seconds": 3.0,
        "versions": {"pymc": "6"},
        "sandbox": "bwrap",
        "finished": "2026-12-02",
    }


def _candidates(scores=(1.0,)):
    wrong = WrongSubmission(
        "b only", (Edit("a", "b"),), {"q1": scores if len(scores) > 1 else scores[0]}
    )
    return [Candidate("solution", "solution", b""), Candidate("wrong one", "wrong", b"", wrong)]


def test_the_bar_is_met_only_with_enough_seeds_and_every_rate_above_it():
    runs = [_run("solution", "solution", s) for s in range(1, 51)]
    runs += [_run("wrong one", "wrong", s, passed=False, score=1.0) for s in range(1, 51)]
    rep = cr.analyse("hw", _candidates(), runs)
    assert rep.met, rep.problems
    assert "**Met.**" in cr.render(rep)
    few = cr.analyse("hw", _candidates(), [r for r in runs if r["seed"] <= 49])
    assert not few.met and any("49 seeds" in p for p in few.problems)


def test_correct_work_failing_one_seed_in_fifty_is_a_warning_with_its_message():
    runs = [_run("solution", "solution", s, passed=s != 7) for s in range(1, 51)]
    runs += [_run("wrong one", "wrong", s, passed=False, score=1.0) for s in range(1, 51)]
    rep = cr.analyse("hw", _candidates(), runs)
    assert not rep.met
    assert rep.warnings == [
        "correct work fails q1 test_b: the solution fails it in 1 of 50 seeds (98% pass; the bar is 99%). "
        'Most common message: "R-hat of mu is 1.03"'
    ]
    assert "| q1 | `test_b` | 1 | 98% |" in cr.render(rep)


def test_a_wrong_submission_must_get_an_allowed_score_in_95_percent_of_seeds():
    runs = [_run("solution", "solution", s) for s in range(1, 51)]
    runs += [
        _run("wrong one", "wrong", s, passed=s > 3, score=1.0 if s > 3 else 2.0)
        for s in range(1, 51)
    ]
    rep = cr.analyse("hw", _candidates(), runs)
    assert not rep.met
    assert rep.problems == [
        "wrong submission 'wrong one': q1 got an expected score (1) in only 47 of 50 seeds "
        "(94%; the bar is 95%); scores seen: 1 (47x), 2 (3x)"
    ]
    allowed = cr.analyse("hw", _candidates(scores=(1.0, 2.0)), runs)
    assert allowed.met, allowed.problems


def test_a_run_that_timed_out_counts_as_failing_every_case_of_correct_work():
    runs = [_run("solution", "solution", s) for s in range(1, 51)]
    runs[0] |= {"status": "timeout", "reason": "the notebook ran longer than 600 s", "cases": {}}
    runs += [_run("wrong one", "wrong", s, passed=False, score=1.0) for s in range(1, 51)]
    rep = cr.analyse("hw", _candidates(), runs)
    assert any("test_a" in w and "status timeout" in w for w in rep.warnings), rep.warnings


def test_a_per_student_notebook_gets_one_made_up_student_per_seed():
    from teachkit.course.calibrate import (
        _is_per_student,
        _with_student_id,
        calibration_student_id,
    )

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell('STUDENT_ID = "in markdown: not code"'),
        nbformat.v4.new_code_cell(
            'import numpy as np\nSTUDENT_ID = "your-student-id"  # yours\nx = 1'
        ),
        nbformat.v4.new_code_cell("MY_STUDENT_ID = 'not this one'\nprint(STUDENT_ID)"),
    ]
    data = (nbformat.writes(nb) + "\n").encode()
    assert _is_per_student(data)
    out = nbformat.reads(_with_student_id(data, calibration_student_id(3)).decode(), as_version=4)
    assert out.cells[1].source == 'import numpy as np\nSTUDENT_ID = "calib0003"  # yours\nx = 1'
    assert out.cells[0].source == nb.cells[0].source and out.cells[2].source == nb.cells[2].source
    nb.cells[1].source = "STUDENT_ID = ...  # fill in"  # Otter Assign's "# SOLUTION" blank
    data = (nbformat.writes(nb) + "\n").encode()
    out = nbformat.reads(_with_student_id(data, "calib0001").decode(), as_version=4)
    assert out.cells[1].source == 'STUDENT_ID = "calib0001"  # fill in'
    nb.cells = nb.cells[:1]
    assert not _is_per_student((nbformat.writes(nb) + "\n").encode())


def test_the_report_names_the_students_of_a_per_student_calibration():
    runs = [_run("solution", "solution", s) | {"student_id": f"calib{s:04d}"} for s in (1, 2)]
    text = cr.render(cr.analyse("hw", _candidates()[:1], runs))
    assert "`STUDENT_ID` set to calib0001–calib0002, one per seed" in text
    assert "the data set is the notebook's own" not in text


# -- a real calibration (grading tier) ---------------------------------------------------------


def _toy_project(root: Path) -> None:
    """The toy assignment laid out as a teachkit project, with a seed variable and a spec."""
    ag = root / "autograder" / "toy-assignment"
    shutil.copytree(TOY / "autograder", ag)
    (ag / "autograder.zip").unlink()
    (ag / "otter_config.json").write_text(
        json.dumps({"assignment_name": "toy-assignment", "seed": 1, "seed_variable": "SEED"})
    )
    for src, dest in (
        (TOY / "student" / "toy.ipynb", root / "exercises" / "toy-assignment.ipynb"),
        (TOY / "autograder" / "toy.ipynb", ag / "toy-assignment.ipynb"),
    ):
        nb = nbformat.read(str(src), as_version=4)
        cell = next(c for c in nb.cells if "data = np.random" in c.source)
        cell.source = "SEED = 0\n" + cell.source
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(dest))
    # a "correct" rewrite that a changed design breaks at every fourth seed
    rewrite = sample_submissions.filled_notebook("toy-assignment", root)
    cell = next(c for c in rewrite.cells if "q3_z =" in c.source)
    cell.source = "q3_z = (data - data.mean()) / data.std(ddof=1 if SEED % 4 else 0)"
    (root / "solutions" / "calibration" / "toy").mkdir(parents=True)
    nbformat.write(rewrite, str(root / "solutions" / "calibration" / "toy" / "fragile.ipynb"))
    (root / "solutions" / "calibration" / "toy-assignment.toml").write_text(
        'rewrites = ["toy/*.ipynb"]\n\n'
        '[[wrong]]\nlabel = "median for the mean"\nscores = { q1 = 1, q2 = 2, q3 = 1 }\n'
        '[[wrong.edits]]\nold = "q1_mean = data.mean()"\nnew = "q1_mean = float(np.median(data))"\n'
    )


@pytest.mark.grading
def test_calibrate_grades_every_seed_warns_about_fragile_correct_work_and_resumes(tmp_path, capsys):
    from teachkit.cli import main

    _toy_project(tmp_path)
    code = main(
        [
            "calibrate",
            "toy-assignment",
            "--root",
            str(tmp_path),
            "--seeds",
            "4",
            "--workers",
            "2",
            "--no-progress",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1  # 4 seeds are below the bar, and the fragile rewrite fails seed 4
    runs = read_runs(runs_path("toy-assignment", tmp_path))
    assert sorted((r["label"], r["seed"]) for r in runs) == sorted(
        (lab, s)
        for lab in ("solution", "rewrite fragile", "median for the mean")
        for s in range(1, 5)
    )
    assert all(r["status"] == "ok" and r["sandbox"] for r in runs)
    fragile = {r["seed"]: r["cases"]["q3"] for r in runs if r["label"] == "rewrite fragile"}
    assert [all(fragile[s].values()) for s in range(1, 5)] == [
        True,
        True,
        True,
        False,
    ]  # the seed reached it
    assert (
        "WARNING: correct work fails q3" in err
        and "rewrite fragile fails it in 1 of 4 seeds" in err
    )
    report = (tmp_path / "autograder" / "toy-assignment" / "calibration.md").read_text()
    assert "| median for the mean | 4 | q1 | 1 | 100% | 1 (4x) |" in report
    assert "**Not met**" in report and "graded over 4 seeds; the bar needs at least 50" in report
    # a second call grades only the seeds it lacks; --report-only grades nothing
    cal = calibrate("toy-assignment", root=tmp_path, seeds=5, workers=2, progress=False)
    assert len(cal.runs) == 15 and len(read_runs(runs_path("toy-assignment", tmp_path))) == 15
    again = calibrate("toy-assignment", root=tmp_path, seeds=5, report_only=True, progress=False)
    assert [r["seed"] for r in again.runs] == [r["seed"] for r in cal.runs]


def test_calibrate_refuses_an_assignment_without_a_seed_or_a_build(tmp_path):
    with pytest.raises(ValueError, match="no built assignment 'nope'"):
        calibrate("nope", root=tmp_path)
    _toy_project(tmp_path)
    (tmp_path / "autograder" / "toy-assignment" / "otter_config.json").write_text(
        '{"assignment_name": "toy-assignment"}'
    )
    with pytest.raises(ValueError, match="sets no seed"):
        calibrate("toy-assignment", root=tmp_path)
    with pytest.raises(ValueError, match="seeds must be at least 1"):
        calibrate("toy-assignment", root=tmp_path, seeds=0)


def test_the_command_line_turns_a_bad_assignment_into_a_sentence_and_exit_2(tmp_path, capsys):
    from teachkit.cli import main

    assert main(["calibrate", "hw99", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert (
        "teachkit calibrate: error: no built assignment 'hw99'" in err and "teachkit build" in err
    )


# -- the committed calibrations ---------------------------------------------------------------

CAFE = ROOT / "docs" / "examples" / "cafe"  # the authoring guide's worked example
CALIBRATED = [
    (n, root)
    for root in (ROOT, CAFE)
    for n in assignment_names(root)
    if (root / "autograder" / n / "calibration.md").is_file()
]


@pytest.mark.parametrize(("name", "root"), CALIBRATED, ids=[n for n, _ in CALIBRATED])
def test_a_committed_calibration_is_what_its_runs_say(name, root):
    """calibration.md is generated: regenerating it from calibration-runs.jsonl gives the same
    file, so nobody edited it by hand and every run still matches the notebooks and tests."""
    from teachkit.course.calibrate import grading_versions

    runs = read_runs(runs_path(name, root))
    recorded = {json.dumps(r.get("versions"), sort_keys=True) for r in runs}
    if recorded != {json.dumps(grading_versions(), sort_keys=True)}:
        pytest.skip(
            f"{name} was calibrated with other versions than these: run teachkit calibrate {name}"
        )
    cal = calibrate(name, root=root, report_only=True, write=False, progress=False)
    assert len(cal.runs) == len(runs), (
        f"{len(runs) - len(cal.runs)} recorded runs of {name} no longer match its notebooks or tests: "
        f"run teachkit calibrate {name}"
    )
    assert cal.text == (root / "autograder" / name / "calibration.md").read_text()
