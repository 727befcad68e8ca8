"""Grading throughput: `teachkit grade` with 1 and 2 workers vs plain sequential `otter run`.

Grades N copies of a correct submission and N copies of a wrong (blank) one, and reports
submissions per hour. The effect of the compile warm-up is measured by ``warmup_effect.py``.

Run under the MCMC lock (it executes notebooks)::

    flock /tmp/teachkit-mcmc.lock .venv/bin/python benchmarks/grading_throughput.py --copies 4

Writes a Markdown table to ``benchmarks/results/grading_throughput.md`` (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "fixtures" / "toy-assignment" / "dist"


def make_class(folder: Path, good: Path, blank: Path, copies: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(copies):
        for kind, src in (("good", good), ("wrong", blank)):
            p = folder / f"{kind}-{i:03d}.ipynb"
            shutil.copy(src, p)
            paths.append(p)
    return paths


def time_teachkit(
    assignment: Path,
    subs: list[Path],
    workers: int,
    timeout: float,
    env=None,
    sandbox: str = "auto",
) -> tuple[float, dict]:
    out = Path(tempfile.mkdtemp(prefix="tk-bench-"))
    try:
        t0 = time.perf_counter()
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "teachkit",
                "grade",
                str(assignment),
                *map(str, subs),
                "--workers",
                str(workers),
                "--timeout",
                str(timeout),
                "--out",
                str(out),
                "--no-progress",
                "--warmup",
                "no",
                "--sandbox",
                sandbox,
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        wall = time.perf_counter() - t0
        if r.returncode != 0:
            raise RuntimeError(r.stderr[-2000:])
        import pandas as pd

        df = pd.read_csv(out / "gradebook.csv")
        return wall, {
            "totals": df.set_index("id")["total"].to_dict(),
            "seconds": df["seconds"].tolist(),
            "statuses": df["status"].tolist(),
        }
    finally:
        shutil.rmtree(out, ignore_errors=True)


def time_otter(zip_path: Path, subs: list[Path]) -> tuple[float, list]:
    totals = []
    t0 = time.perf_counter()
    for s in subs:
        out = Path(tempfile.mkdtemp(prefix="tk-bench-otter-"))
        try:
            r = subprocess.run(
                [
                    str(Path(sys.executable).parent / "otter"),
                    "run",
                    "-a",
                    str(zip_path),
                    "-o",
                    str(out),
                    str(s),
                ],
                capture_output=True,
                text=True,
            )
            res = out / "results.json"
            if res.exists():  # Gradescope format: one entry per question under "tests"
                data = json.loads(res.read_text())
                totals.append(round(sum(t.get("score", 0) for t in data.get("tests", [])), 4))
            else:
                totals.append(f"fail {r.returncode}")
        finally:
            shutil.rmtree(out, ignore_errors=True)
    return time.perf_counter() - t0, totals


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--assignment", default=str(TOY / "autograder"))
    ap.add_argument(
        "--good", default=str(TOY / "autograder" / "toy.ipynb"), help="a correct notebook"
    )
    ap.add_argument(
        "--blank", default=None, help="a wrong notebook (default: the exercise/student notebook)"
    )
    ap.add_argument("--copies", type=int, default=4, help="copies of each (total 2x)")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "grading_throughput.md"))
    ap.add_argument("--skip-otter", action="store_true", help="time teachkit grade only")
    ap.add_argument("--sandbox", default="auto", choices=("auto", "bwrap", "none"))
    args = ap.parse_args(argv)
    assignment = Path(args.assignment)
    blank = (
        Path(args.blank)
        if args.blank
        else (
            TOY / "student" / "toy.ipynb"
            if assignment == TOY / "autograder"
            else ROOT / "exercises" / f"{assignment.name}.ipynb"
        )
    )
    zips = sorted(assignment.glob("*.zip")) if assignment.is_dir() else [assignment]
    work = Path(tempfile.mkdtemp(prefix="tk-bench-class-"))
    rows = []
    # the steady state of grading a class: `teachkit grade` first runs the instructor's notebook
    # into the compile cache (once per notebook and versions); that one-off cost is reported apart
    from teachkit.grading import load_assignment
    from teachkit.grading.solution_warmup import warm_from_solution

    warmed = warm_from_solution(load_assignment(assignment), quiet=False)
    try:
        subs = make_class(work, Path(args.good), blank, args.copies)
        n = len(subs)
        if not args.skip_otter:
            wall_o, totals_o = time_otter(zips[0], subs)
            rows.append(
                (
                    "plain `otter run`, sequential",
                    1,
                    wall_o,
                    n,
                    str(sorted(set(map(str, totals_o)))),
                )
            )
        for w in (1, 2):
            wall, info = time_teachkit(assignment, subs, w, args.timeout, sandbox=args.sandbox)
            rows.append(
                (
                    f"`teachkit grade --workers {w}`",
                    w,
                    wall,
                    n,
                    str(sorted(set(info["totals"].values()))),
                )
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    warm_note = (
        f"Before timing, the instructor's notebook warmed the compile cache ({warmed:.0f} s, once; "
        "0 = already done with these versions)."
        if warmed is not None
        else "No compile warm-up applies."
    )
    lines = [
        "# Grading throughput",
        "",
        f"Assignment: `{assignment.relative_to(ROOT) if assignment.is_relative_to(ROOT) else assignment}`; "
        f"{args.copies} correct + {args.copies} wrong submissions; machine: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; date {time.strftime('%Y-%m-%d')}. "
        "Other sessions may have shared the cores; treat differences under ~20% as noise. "
        + warm_note,
        "",
        "| how | workers | wall time (s) | submissions | submissions / hour | totals seen |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for how, w, wall, n, totals in rows:
        lines.append(f"| {how} | {w} | {wall:.1f} | {n} | {3600 * n / wall:.0f} | {totals} |")
    text = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
