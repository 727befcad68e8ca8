"""Per-submission cost of the OS sandbox: the same notebooks graded with and without bubblewrap.

Grades a correct and a blank toy submission (NumPy only, so that the notebook's own work is
small and the sandbox's share is as large as it gets) ``--rounds`` times in three modes: bare
(no sandbox, guard or hash), ``sandbox="none"`` and ``sandbox="bwrap"``, interleaved (forward,
then backward) so that load from other jobs hits all alike, one submission at a time. Also times the parts the
sandbox adds: starting a Python process inside ``bwrap`` and copying the compile cache.

Run under the MCMC lock (it executes notebooks)::

    flock /tmp/teachkit-mcmc.lock .venv/bin/python benchmarks/sandbox_overhead.py --rounds 6

Writes ``benchmarks/results/sandbox_overhead.md`` (``--out``).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "fixtures" / "toy-assignment" / "dist"


def _median(xs):
    return statistics.median(xs) if xs else float("nan")


def time_process_start(repeat: int) -> tuple[float, float]:
    """Median seconds to run ``python -I -c pass`` directly and inside the sandbox."""
    from teachkit.grading import sandbox as sb

    direct, boxed = [], []
    with tempfile.TemporaryDirectory() as work:
        sb.give_to_sandbox(work)
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-I", "-c", "pass"], check=True)
            direct.append(time.perf_counter() - t)
            cmd = sb.bwrap_command(
                [sys.executable, "-I", "-c", "pass"], sb.process_mounts(work), cwd=sb.INSIDE
            )
            t = time.perf_counter()
            subprocess.run(cmd, check=True)
            boxed.append(time.perf_counter() - t)
    return _median(direct), _median(boxed)


def time_cache_copy(repeat: int) -> tuple[float, float]:
    """Median seconds to make a private copy of the compile cache, and its size in MB."""
    from teachkit.grading import sandbox as sb

    src = sb.host_compile_cache()
    size = sb._tree_mb(src) if src else 0.0
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            sb.private_caches(d)
            times.append(time.perf_counter() - t)
    return _median(times), size


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "sandbox_overhead.md"))
    args = ap.parse_args(argv)
    from teachkit import grading
    from teachkit.grading import sandbox as sb

    problem = sb.probe_bwrap()
    if problem:
        print(f"bubblewrap does not work here: {problem}", file=sys.stderr)
        return 1
    a = grading.load_assignment(TOY / "autograder")
    subs = grading.find_submissions(
        [TOY / "autograder" / "toy.ipynb", TOY / "student" / "toy.ipynb"]
    )
    modes = {  # name: grade_one options
        "bare": dict(sandbox="none", guard=False, check_integrity=False),
        "none": dict(sandbox="none"),
        "bwrap": dict(sandbox="bwrap"),
    }
    seconds: dict[str, list[float]] = {m: [] for m in modes}
    totals: dict[str, set] = {m: set() for m in modes}
    grading.grade_one(subs[0], a, timeout=120, sandbox="none")  # warm the file system cache once
    for r in range(args.rounds):
        order = list(modes) if r % 2 == 0 else list(reversed(modes))
        for mode in order:
            for s in subs:
                res = grading.grade_one(s, a, timeout=120, **modes[mode])
                seconds[mode].append(res.seconds)
                totals[mode].add((s.id, res.status, res.total))
    start_direct, start_boxed = time_process_start(20)
    copy_s, cache_mb = time_cache_copy(5)
    med = {m: _median(v) for m, v in seconds.items()}
    diffs = sorted(b - n for n, b in zip(seconds["bare"], seconds["bwrap"]))
    version = subprocess.run(["bwrap", "--version"], capture_output=True, text=True).stdout.split()[
        -1
    ]
    lines = [
        "# Sandbox overhead",
        "",
        f"Toy assignment (`tests/fixtures/toy-assignment`), a correct and a blank submission, "
        f"{args.rounds} interleaved rounds per mode, one submission at a time; machine: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, bubblewrap {version}; "
        f"date {time.strftime('%Y-%m-%d')}. Other sessions may have shared the cores.",
        "",
        "Modes: *bare* = no sandbox, no audit-hook guard, no integrity hash (the floor); "
        "*none* = `--sandbox none` (guard + hash of all of teachkit and Otter, twice per "
        "submission); *bwrap* = `--sandbox bwrap` (the default where it works).",
        "",
        "| | bare | `--sandbox none` | `--sandbox bwrap` | bwrap - bare | bwrap / bare |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| seconds per submission, median (gradebook) | {med['bare']:.2f} | {med['none']:.2f} | "
        f"{med['bwrap']:.2f} | {med['bwrap'] - med['bare']:+.2f} | {med['bwrap'] / med['bare']:.2f} |",
        f"| paired difference bwrap - bare, median (min, max) | | | | {_median(diffs):+.2f} "
        f"({diffs[0]:+.2f}, {diffs[-1]:+.2f}) | |",
        f"| `python -I -c pass`, median of 20 | {start_direct * 1000:.0f} ms | | {start_boxed * 1000:.0f} ms | "
        f"{(start_boxed - start_direct) * 1000:+.0f} ms | {start_boxed / start_direct:.2f} |",
        f"| private copy of the compile cache ({cache_mb:.0f} MB), per process whose code mentions "
        f"PyMC/PyTensor (not the toy's) | | | {copy_s * 1000:.0f} ms | | |",
        "",
        f"Scores identical in all modes: {totals['none'] == totals['bwrap'] == totals['bare']} "
        f"({sorted(totals['bwrap'])}).",
    ]
    text = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
