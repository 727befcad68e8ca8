"""Feedback: one gradebook row and one Markdown file per submission, and the gradebook.

:class:`Result` is what grading a submission produces (the examiner's per-question results
summed, the status, the feedback text); :class:`Gradebook` writes ``gradebook.csv``.

Examples
--------
>>> r = Result("ana", "ok", 2.0, 3.0, {"q1": 2.0, "q2": 0.0}, 1.5, "", "h", "k", sandbox="bwrap")
>>> Gradebook("hw", ["q1", "q2"], [r]).rows()[0]["q1"], render_feedback("ana", "ok", "", {}, {"q1": 2.0}, [], {})[:20]
(2.0, '# Feedback for ana\\n\\n')
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from teachkit.grading.versions import versions_line


@dataclass
class Result:
    """One gradebook row plus the feedback for it."""

    id: str
    status: str
    total: float
    possible: float
    scores: dict
    seconds: float
    reason: str
    sha256: str
    key: str
    feedback: str = ""
    origin: str = ""
    skipped: bool = False
    sandbox: str = ""
    #: ``{question: [{"name", "hidden", "points", "passed", "message"}, ...]}``: each test case's
    #: outcome, for per-case reports (``teachkit calibrate``, Gradescope's results.json).
    cases: dict = field(default_factory=dict)
    #: ``{question: Markdown}``: each question's part of :attr:`feedback` (Gradescope's per-test output).
    sections: dict = field(default_factory=dict)
    #: ``{distribution: version}`` of the grading stack that produced this result
    #: (:func:`teachkit.grading.versions.grading_versions`).
    versions: dict = field(default_factory=dict)
    #: ``{"<global>.posterior" | "<global>.observed_data" | "DATA_SEED" | "STUDENT_ID": hash}``:
    #: fingerprints the examiner computed from the arrays and values it received
    #: (:func:`teachkit.grading.integrity.array_fingerprint`), for the integrity report.
    fingerprints: dict = field(default_factory=dict)
    #: :func:`teachkit.grading.integrity.code_cell_hashes` of the notebook (read, not run).
    code_cells: list = field(default_factory=list)
    #: the notebook's ``STUDENT_ID`` line, read statically: ``{"found": bool, "value": str or None}``
    #: (:func:`teachkit.grading.roster.declared_student_id`; a non-string literal is None).
    declared: dict = field(default_factory=dict)
    #: what ``OUT/logs/ID.json`` holds besides the rest of this result: the cells run (index,
    #: seconds, status), where each question was graded, the notebook's peak memory.
    log: dict = field(default_factory=dict)


def _where(at) -> str:
    if at == "end":
        return "graded after the last cell"
    if isinstance(at, int):
        return f"graded at `grader.check` in cell {at + 1}"
    return ""


def render_question(q: str, res: dict | None, possible: float, reason: str = "",
                    formats: dict | None = None) -> str:
    """One question's part of the feedback (Markdown): its score, where it was graded, and every
    failed check with its message. A hidden OK-format check's transcript is left out (it would
    show the doctest's code and expected output)."""
    if res is None:
        return f"### {q}: 0 / {possible:g}\n\nNot graded: " + (reason or "no results.") + "\n"
    lines = [f"### {q}: {res['score']:g} / {res['possible']:g}", ""]
    where = _where(res.get("at"))
    failed = [c for c in res["cases"] if not c["passed"]]
    if not failed:
        lines += ["All checks passed" + (f" ({where})." if where else "."), ""]
    elif where:
        lines += [f"({where[0].upper() + where[1:]}.)", ""]
    for c in res["cases"]:
        if c["passed"] and c.get("success_message"):
            lines += [f"- check `{c['name']}` passed: {c['success_message']}", ""]
    for c in failed:
        kind = "hidden check" if c["hidden"] else "check"
        lines.append(f"- {kind} `{c['name']}` failed" + (f": {c['failure_message']}" if c.get("failure_message") else ""))
        if c["hidden"] and (formats or {}).get(q) == "ok":
            continue  # a hidden doctest's transcript would show its code and expected output
        lines += ["", "  ```", *("  " + ln for ln in c["message"].strip().splitlines()[-12:]), "  ```", ""]
    return "\n".join(lines).rstrip() + "\n"


def render_sections(questions: dict, possible: dict, reason: str = "", formats: dict | None = None) -> dict:
    """``{question: Markdown}`` of :func:`render_question` for every question, in order."""
    return {q: render_question(q, questions.get(q), possible[q], reason, formats) for q in sorted(possible)}


def render_feedback(sid: str, status: str, reason: str, questions: dict, possible: dict, cell_errors: list,
              problems: dict, formats: dict | None = None, versions: dict | None = None,
              sandbox: str = "") -> str:
    total = sum(q.get("score", 0) for q in questions.values())
    lines = [f"# Feedback for {sid}", "", f"**Score: {total:g} / {sum(possible.values()):g}**", ""]
    if status != "ok":
        lines += [f"**Status: {status}.** {reason}", ""]
    if cell_errors:
        lines += ["## Cells that raised an error", ""]
        for e in cell_errors[:20]:
            cell = e.get("cell")
            lines.append(f"- cell {cell + 1 if isinstance(cell, int) else '?'}: "
                         f"`{e.get('error')}`: {str(e.get('message', ''))[:200]}")
        lines.append("")
    lines += ["## Questions", ""]
    for section in render_sections(questions, possible, reason, formats).values():
        lines += [section.rstrip("\n"), ""]
    if versions:
        lines += ["---", "", f"_Graded by {versions_line(versions)}"
                  + (f"; sandbox: {sandbox}" if sandbox else "") + "._"]
    return "\n".join(lines).rstrip() + "\n"


def case_summary(questions: dict) -> dict:
    """Each question's test cases as plain data: name, hidden, points, passed, message (short)."""
    return {q: [{"name": c.get("name", ""), "hidden": bool(c.get("hidden")), "points": float(c.get("points") or 0),
                 "passed": bool(c.get("passed")), "message": str(c.get("message") or "")[-2000:]}
                for c in res.get("cases", [])]
            for q, res in (questions or {}).items()}


@dataclass
class Gradebook:
    """All results of a grading run, in submission order.

    With a roster (:mod:`teachkit.grading.roster`), ``people`` holds each result's students and
    ID check (``{result id: {"student", "name", "email", "section", "id_check"}}``) and
    ``missing`` the roster students without a submission; the CSV then gains the columns
    ``student, name, email`` (``section`` when the roster has one) and ``id_check``, and a row
    with status ``missing`` and total 0 for each missing student.
    """

    assignment: str
    questions: list
    results: list
    people: dict | None = None
    missing: list = field(default_factory=list)
    has_section: bool = False
    possible: float | None = None
    #: the integrity report's flags (:func:`teachkit.grading.integrity.integrity_flags`)
    flags: list = field(default_factory=list)
    #: ``{"gradebook": path, "integrity": path, "canvas": path, ...}``: the files written
    outputs: dict = field(default_factory=dict)

    def fields(self) -> list[str]:
        """The CSV's columns."""
        if self.people is None:
            return ["id", "total", "possible", *self.questions, "status", "seconds", "reason", "sandbox", "versions"]
        who = ["student", "name", "email", *(["section"] if self.has_section else [])]
        return ["id", *who, "total", "possible", *self.questions, "status", "id_check", "seconds", "reason",
                "sandbox", "versions"]

    def rows(self) -> list[dict]:
        """Gradebook rows: id, total, one column per question, status, seconds, reason, sandbox, versions
        (and the roster's columns, see the class docstring)."""
        rows = []
        for r in self.results:
            row = {"id": r.id, "total": round(r.total, 4), "possible": round(r.possible, 4)}
            row |= {q: round(r.scores.get(q, 0.0), 4) for q in self.questions}
            row |= {"status": r.status, "seconds": r.seconds, "reason": r.reason, "sandbox": r.sandbox,
                    "versions": versions_line(r.versions or {})}
            if self.people is not None:
                row |= {k: v for k, v in (self.people.get(r.id) or {}).items() if k in self.fields()}
            rows.append(row)
        possible = self.possible if self.possible is not None else (
            self.results[0].possible if self.results else 0.0)
        for s in self.missing:
            row = {"id": "", "student": s.id, "name": s.name, "email": s.email, "total": 0,
                   "possible": round(possible, 4), **{q: 0 for q in self.questions}, "status": "missing",
                   "id_check": "", "seconds": 0, "reason": "no submission matched this roster student",
                   "sandbox": "", "versions": ""}
            if self.has_section:
                row["section"] = s.section
            rows.append(row)
        return rows

    def to_csv(self, path: str | os.PathLike) -> Path:
        """Write ``gradebook.csv``."""
        path = Path(path)
        fields = self.fields()
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(self.rows())
        path.write_text(buf.getvalue())
        return path

    def by_id(self) -> dict:
        return {r.id: r for r in self.results}
