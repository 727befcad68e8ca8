"""What a calibration's runs show, and ``calibration.md``.

The bar every graded test must meet, over at least :data:`MIN_SEEDS` seeds:

- correct work (the solution and every rewrite) passes each test case in at least
  :data:`CORRECT_PASS` of the seeds;
- each wrong submission gets one of its expected scores on each question in at least
  :data:`WRONG_AS_EXPECTED` of the seeds (it loses the points for what it got wrong).

:func:`analyse` turns runs (as :mod:`teachkit.course.calibrate` records them) into a
:class:`Report`; :func:`render` writes it as Markdown. Both depend on the runs alone, so the
report is reproducible from ``calibration-runs.jsonl``.

Examples
--------
>>> from teachkit.course.calibrate import Candidate
>>> runs = [{"label": "solution", "kind": "solution", "seed": s, "status": "ok", "scores": {"q1": 2.0},
...          "cases": {"q1": {"test_a": True, "test_b": s != 3}}, "case_points": {"q1": {"test_a": 1, "test_b": 1}},
...          "failures": {"q1": {"test_b": "R-hat of mu is 1.02"}} if s == 3 else {}, "seconds": 1.0,
...          "versions": {}, "sandbox": "bwrap", "finished": "2026-12-02"} for s in range(1, 5)]
>>> r = analyse("hw", [Candidate("solution", "solution", b"")], runs)
>>> r.met
False
>>> print(r.warnings[0])
correct work fails q1 test_b: the solution fails it in 1 of 4 seeds (75% pass; the bar is 99%). Most common message: "R-hat of mu is 1.02"
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import median

__all__ = ["CORRECT_PASS", "MIN_SEEDS", "WRONG_AS_EXPECTED", "Report", "analyse", "render"]

MIN_SEEDS = 50
CORRECT_PASS = 0.99
WRONG_AS_EXPECTED = 0.95


@dataclass
class Report:
    """A calibration's findings; ``met`` is whether every test meets the bar."""

    name: str
    labels: list[str]
    kinds: dict[str, str]
    seeds: list[int]
    runs_per_label: dict[str, int]
    cases: list[tuple[str, str, float]]  # (question, case, points), in test order
    passes: dict[tuple[str, str, str], tuple[int, int]]  # (label, question, case) -> (passed, runs)
    expected: dict[str, dict[str, tuple]] = field(
        default_factory=dict
    )  # wrong label -> question -> allowed
    as_expected: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    seen: dict[tuple[str, str], Counter] = field(default_factory=dict)
    statuses: dict[str, Counter] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    sandboxes: list[str] = field(default_factory=list)
    commits: list[str] = field(default_factory=list)
    dates: tuple[str, str] = ("", "")
    #: the made-up students of a per-student assignment (``"calib0001–calib0050"``), else ""
    students: str = ""

    @property
    def met(self) -> bool:
        return not self.problems


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.0f}%" if n else "–"


def analyse(name: str, candidates: list, runs: list[dict], tests: dict | None = None) -> Report:
    """Pass rates, expected scores met, and the bar's verdict, from a calibration's runs.

    ``tests`` (``{question: test file source}``) orders each question's cases as its test file
    does; without it they are sorted by name.
    """
    labels = [c.label for c in candidates]
    kinds = {c.label: c.kind for c in candidates}
    by_label: dict[str, list[dict]] = {lab: [] for lab in labels}
    for r in runs:
        if r["label"] in by_label:
            by_label[r["label"]].append(r)
    cases: list[tuple[str, str, float]] = []
    for r in runs:
        for q in sorted(r.get("cases", {})):
            for case in r["cases"][q]:
                key = (q, case, float(r.get("case_points", {}).get(q, {}).get(case, 0)))
                if key[:2] not in {c[:2] for c in cases}:
                    cases.append(key)
    order = {q: i for i, q in enumerate(sorted({c[0] for c in cases}))}

    def where(c: tuple) -> tuple:
        src = (tests or {}).get(c[0], "")
        at = src.find(f"def {c[1]}(")
        return (order[c[0]], at if at >= 0 else len(src), c[1])

    cases.sort(key=where)
    rep = Report(
        name,
        labels,
        kinds,
        sorted({r["seed"] for r in runs}),
        {lab: len(rs) for lab, rs in by_label.items()},
        cases,
        {},
    )
    messages: dict[tuple[str, str, str], Counter] = {}
    for lab, rs in by_label.items():
        rep.statuses[lab] = Counter(r["status"] for r in rs)
        rep.seconds[lab] = median(r["seconds"] for r in rs) if rs else 0.0
        for q, case, _ in cases:
            passed = sum(bool(r.get("cases", {}).get(q, {}).get(case, False)) for r in rs)
            rep.passes[(lab, q, case)] = (passed, len(rs))
            for r in rs:
                msg = r.get("failures", {}).get(q, {}).get(case)
                if not r.get("cases", {}).get(q, {}).get(case, False):
                    msg = msg or (
                        f"status {r['status']}: {r.get('reason', '')}"
                        if r["status"] != "ok"
                        else "failed"
                    )
                    messages.setdefault((lab, q, case), Counter())[msg[:200]] += 1
    for c in candidates:
        if c.kind != "wrong":
            continue
        w = c.wrong
        rep.expected[c.label] = {q: w.allowed(q) for q in w.scores}
        if w.note:
            rep.notes[c.label] = w.note
        for q in w.scores:
            got = [float(r["scores"].get(q, 0.0)) for r in by_label[c.label]]
            ok = sum(any(abs(g - a) < 1e-9 for a in w.allowed(q)) for g in got)
            rep.as_expected[(c.label, q)] = (ok, len(got))
            rep.seen[(c.label, q)] = Counter(got)
    all_runs = [r for rs in by_label.values() for r in rs]
    if all_runs:
        rep.versions = all_runs[-1].get("versions", {})
        rep.sandboxes = sorted({r.get("sandbox", "") for r in all_runs if r.get("sandbox")})
        rep.commits = sorted({r.get("commit") or "unknown" for r in all_runs})
        dates = sorted(r.get("finished", "") for r in all_runs)
        rep.dates = (dates[0], dates[-1])
        ids = sorted({r["student_id"] for r in all_runs if r.get("student_id")})
        if ids:
            rep.students = ids[0] if len(ids) == 1 else f"{ids[0]}–{ids[-1]}, one per seed"
    # the bar
    for lab in labels:
        n = rep.runs_per_label[lab]
        if n < MIN_SEEDS:
            rep.problems.append(f"{lab}: graded over {n} seeds; the bar needs at least {MIN_SEEDS}")
        if kinds[lab] == "wrong":
            continue
        for q, case, _ in cases:
            k, n = rep.passes[(lab, q, case)]
            if n and k / n < CORRECT_PASS:
                common = messages.get((lab, q, case), Counter()).most_common(1)
                line = (
                    f"correct work fails {q} {case}: the {lab} fails it in {n - k} of {n} seeds "
                    f"({_pct(k, n)} pass; the bar is {CORRECT_PASS:.0%})"
                )
                if common:
                    line += f'. Most common message: "{common[0][0]}"'
                rep.problems.append(line)
                rep.warnings.append(line)
    for (lab, q), (k, n) in rep.as_expected.items():
        if n and k / n < WRONG_AS_EXPECTED:
            seen = ", ".join(f"{s:g} ({m}x)" for s, m in sorted(rep.seen[(lab, q)].items()))
            rep.problems.append(
                f"wrong submission {lab!r}: {q} got an expected score "
                f"({_allowed(rep.expected[lab][q])}) in only {k} of {n} seeds ({_pct(k, n)}; "
                f"the bar is {WRONG_AS_EXPECTED:.0%}); scores seen: {seen}"
            )
    return rep


def _allowed(allowed: tuple) -> str:
    return " or ".join(f"{a:g}" for a in allowed)


def render(rep: Report) -> str:
    """``calibration.md``: the verdict, every test case's pass rate, the wrong submissions' scores."""
    n_seeds = len(rep.seeds)
    seeds = f"{rep.seeds[0]}–{rep.seeds[-1]}" if rep.seeds else "none"
    lines = [
        f"# Calibration of {rep.name}",
        "",
        f"Written by `teachkit calibrate {rep.name}` from `calibration-runs.jsonl` (regenerate with "
        "`--report-only`). Every notebook was graded by the real engine (the sandbox, examiner and limits of "
        f"`teachkit grade`) once per sampler seed: the seed variable set to {seeds} ({n_seeds} seeds); "
        + (
            f"each seed also a different student's data set (`STUDENT_ID` set to {rep.students})."
            if rep.students
            else "the data set is the notebook's own."
        ),
        "",
        f"- graded: {rep.dates[0]}"
        + (f" to {rep.dates[1]}" if rep.dates[1] != rep.dates[0] else ""),
        "- sandbox: " + (", ".join(rep.sandboxes) or "–"),
        "- teachkit commit: " + (", ".join(rep.commits) or "–"),
        "- versions: " + (", ".join(f"{k} {v}" for k, v in sorted(rep.versions.items())) or "–"),
        "",
        "## Verdict",
        "",
    ]
    if rep.met:
        lines.append(
            f"**Met.** Over {n_seeds} seeds, correct work passes every test case in at least "
            f"{CORRECT_PASS:.0%} of the seeds and every wrong submission gets its expected score on every "
            f"question in at least {WRONG_AS_EXPECTED:.0%}."
        )
    else:
        lines.append(
            f"**Not met** (bar: at least {MIN_SEEDS} seeds; correct work passes each test case in "
            f"≥ {CORRECT_PASS:.0%} of seeds; each wrong submission gets its expected score on each "
            f"question in ≥ {WRONG_AS_EXPECTED:.0%}):"
        )
        lines += [""] + [f"- {p}" for p in rep.problems]
    correct = [lab for lab in rep.labels if rep.kinds[lab] != "wrong"]
    wrong = [lab for lab in rep.labels if rep.kinds[lab] == "wrong"]
    lines += ["", "## Correct work: pass rate of every test case", ""]
    lines += [
        "| question | test case | points | "
        + " | ".join(f"{lab} (n={rep.runs_per_label[lab]})" for lab in correct)
        + " |",
        "| --- | --- | ---: | " + " | ".join("---:" for _ in correct) + " |",
    ]
    for q, case, pts in rep.cases:
        cells = [_pct(*rep.passes[(lab, q, case)]) for lab in correct]
        lines.append(f"| {q} | `{case}` | {pts:g} | " + " | ".join(cells) + " |")
    if wrong:
        lines += [
            "",
            "## Wrong submissions: expected scores",
            "",
            "| submission | n | question | expected | as expected | scores seen |",
            "| --- | ---: | --- | --- | ---: | --- |",
        ]
        for lab in wrong:
            for q, allowed in rep.expected[lab].items():
                k, n = rep.as_expected[(lab, q)]
                seen = ", ".join(f"{s:g} ({m}x)" for s, m in sorted(rep.seen[(lab, q)].items()))
                lines.append(f"| {lab} | {n} | {q} | {_allowed(allowed)} | {_pct(k, n)} | {seen} |")
        lines += ["", "Why these scores:", ""]
        lines += [f"- *{lab}*: {rep.notes[lab]}" for lab in wrong if lab in rep.notes] or [
            "- (no notes)"
        ]
        lines += [
            "",
            "## Wrong submissions: pass rate of every test case",
            "",
            "| question | test case | " + " | ".join(f"W{i + 1}" for i in range(len(wrong))) + " |",
            "| --- | --- | " + " | ".join("---:" for _ in wrong) + " |",
        ]
        for q, case, _ in rep.cases:
            lines.append(
                f"| {q} | `{case}` | "
                + " | ".join(_pct(*rep.passes[(lab, q, case)]) for lab in wrong)
                + " |"
            )
        lines += [""] + [f"- W{i + 1}: {lab}" for i, lab in enumerate(wrong)]
    lines += [
        "",
        "## Runs",
        "",
        "| notebook | runs | statuses | median seconds |",
        "| --- | ---: | --- | ---: |",
    ]
    for lab in rep.labels:
        st = ", ".join(f"{s} {m}" for s, m in sorted(rep.statuses[lab].items())) or "–"
        lines.append(f"| {lab} | {rep.runs_per_label[lab]} | {st} | {rep.seconds[lab]:.0f} |")
    return "\n".join(lines) + "\n"
