"""The README's main job, end to end: `teachkit demo` simulates, fits, builds, grades, reports."""

import csv
import re

import pytest

from teachkit.cli import main


@pytest.mark.slow
@pytest.mark.grading
def test_demo_runs_end_to_end(tmp_path, capsys):
    out = tmp_path / "demo-output"
    assert main(["demo", "--out", str(out), "--seed", "2021"]) == 0
    printed = capsys.readouterr().out

    # the lecture's point: the centred fit diverges, the non-centred one does not
    assert re.search(r"divergences, centred\s+FAIL", printed)
    assert re.search(r"divergences, non-centred\s+PASS", printed)
    assert "recovery of the truth by the non-centred fit" in printed
    for name in ("trace-centred", "trace-noncentred", "shrinkage", "rho"):
        assert (out / "plots" / f"{name}.png").stat().st_size > 10_000

    # every assignment built; the sample class graded with the expected verdicts
    for hw in ("hw01-mvnormal-cholesky", "hw02-grants-binomial", "hw04-covarying-parameters"):
        assert (out / "build" / "exercises" / f"{hw}.ipynb").is_file()
    rows = {r["id"]: r for r in csv.DictReader(open(out / "grading" / "gradebook.csv"))}
    assert float(rows["good"]["total"]) == float(rows["good"]["possible"]) > 0
    assert float(rows["blank"]["total"]) == 0
    assert float(rows["tampering"]["total"]) == 0
    assert rows["not-a-notebook"]["status"] == "invalid-notebook"
    for flawed in ("flawed-upper-cholesky", "flawed-variances-as-sds", "raises"):
        assert 0 < float(rows[flawed]["total"]) < float(rows[flawed]["possible"])
    assert (out / "grading" / "feedback" / "flawed-variances-as-sds.md").read_text().count(
        "failed"
    ) >= 1

    # homework 2's class: per-student data and a roster; the copy is flagged, never penalised
    rows = {r["student"]: r for r in csv.DictReader(open(out / "hw02-grading" / "gradebook.csv"))}
    assert set(rows) == {f"s100{i}" for i in range(1, 7)}
    assert float(rows["s1001"]["total"]) == float(rows["s1001"]["possible"]) == 15, rows["s1001"]
    assert float(rows["s1002"]["total"]) == 14 and float(rows["s1002"]["q4"]) == 2, rows["s1002"]
    assert float(rows["s1003"]["total"]) == 15, rows["s1003"]
    assert rows["s1003"]["id_check"].startswith("mismatch: notebook says s1001")
    assert float(rows["s1004"]["total"]) == 8, rows["s1004"]
    assert rows["s1005"]["id_check"] == "placeholder" and float(rows["s1005"]["total"]) == 0
    assert rows["s1006"]["status"] == "missing" and rows["s1006"]["name"] == "Fa Gil"
    flags = list(csv.DictReader(open(out / "hw02-grading" / "integrity.csv")))
    kinds = {(f["kind"], f["students"]) for f in flags}
    assert {("foreign-id", "s1003; s1001"), ("same-data", "s1001; s1003")} <= kinds, flags
    assert "placeholder" in (out / "hw02-grading" / "feedback" / "s1005.md").read_text()

    # homework 4's class: correct work in two styles, centred where non-centred is asked, blank, tampering
    rows = {r["id"]: r for r in csv.DictReader(open(out / "hw04-grading" / "gradebook.csv"))}
    for correct in ("correct-lecture-style", "correct-z-by-columns"):
        assert float(rows[correct]["total"]) == float(rows[correct]["possible"]) == 18, rows[
            correct
        ]
    assert float(rows["centred-q2"]["q2"]) < 6 and float(rows["centred-q2"]["q1"]) == 4, rows[
        "centred-q2"
    ]
    assert "diverged" in (out / "hw04-grading" / "feedback" / "centred-q2.md").read_text()
    assert float(rows["blank"]["total"]) == 0 and float(rows["tampering"]["total"]) == 0
    # per-student: the three filled notebooks fit their own IDs' data, so none shares another's
    kinds = {f["kind"] for f in csv.DictReader(open(out / "hw04-grading" / "integrity.csv"))}
    assert not kinds & {"same-data", "identical-draws", "shared-id"}, kinds

    report = (out / "report.html").read_text()
    assert report.count("<img") == 4 and "gradebook.csv" in report
    assert "Grading a sample class of hw04-covarying-parameters" in report
    assert "Grading a sample class of hw02-grants-binomial" in report and "integrity.csv" in report
    assert "Look at:" in printed and str(out / "report.html") in printed
