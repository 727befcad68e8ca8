"""Per-submission grading time with and without the compile warm-up (`teachkit warmup`).

Each case starts from its own *empty* PyTensor compile cache (a fresh ``base_compiledir``, so
nothing from this machine's cache helps) and runs ``teachkit grade --warmup no`` in a new
process, side by side:

1. **no warm-up**: the first correct submission compiles every model it fits; a second one
   then grades in the cache the first one filled (what every later submission of a class sees);
2. **after ``teachkit warmup``**: the reference models are compiled first (timed), then one
   correct submission is graded.

The submission is the student notebook with the instructor's answers filled in
(:func:`teachkit.sample_submissions.filled_notebook`). Run under the MCMC lock::

    flock /tmp/teachkit-mcmc.lock .venv/bin/python benchmarks/warmup_effect.py \\
        --assignment hw03-varying-effects --presets ozone

Writes ``benchmarks/results/warmup_effect.md`` (``--out``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env(cache: Path) -> dict[str, str]:
    return dict(os.environ, PYTENSOR_FLAGS=f"base_compiledir={cache},blas__ldflags=")


def grade_one(name: str, sub: Path, env: dict, timeout: float) -> tuple[float, float, str]:
    """(seconds the gradebook reports, total score, status) for one submission."""
    from grading_throughput import time_teachkit  # this folder is on sys.path when run

    _, info = time_teachkit(ROOT / "autograder" / name, [sub], 1, timeout, env=env)
    (total,) = info["totals"].values()
    return float(info["seconds"][0]), float(total), str(info["statuses"][0])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--assignment", default="hw03-varying-effects")
    ap.add_argument(
        "--presets",
        nargs="+",
        default=None,
        help="presets `teachkit warmup` compiles (default: all, as `teachkit grade` does)",
    )
    ap.add_argument("--timeout", type=float, default=1200)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "warmup_effect.md"))
    args = ap.parse_args(argv)

    import nbformat

    from teachkit.sample_submissions import filled_notebook

    work = Path(tempfile.mkdtemp(prefix="tk-warmup-effect-"))
    try:
        subs = []
        for i in (1, 2):
            p = work / f"good-{i}.ipynb"
            nbformat.write(filled_notebook(args.assignment, ROOT), str(p))
            subs.append(p)
        rows = []
        env_a = _env(work / "cache-none")
        s1 = grade_one(args.assignment, subs[0], env_a, args.timeout)
        rows.append(("no warm-up: first submission (compiles everything)", *s1))
        s2 = grade_one(args.assignment, subs[1], env_a, args.timeout)
        rows.append(("no warm-up: next submission (cache filled by the first)", *s2))
        env_b = _env(work / "cache-warm")
        cmd = [sys.executable, "-m", "teachkit", "warmup"]
        if args.presets:
            cmd += ["--presets", *args.presets]
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env_b, cwd=ROOT, check=True, capture_output=True)
        warm_s = time.perf_counter() - t0
        s3 = grade_one(args.assignment, subs[0], env_b, args.timeout)
        rows.append(("after `teachkit warmup`: first submission", *s3))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        "# Grading time per submission, with and without the compile warm-up",
        "",
        f"Assignment `{args.assignment}`, one correct submission (instructor's answers in the student "
        f"notebook); each case from an empty compile cache; `teachkit grade --workers 1 --warmup no`. "
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"date {time.strftime('%Y-%m-%d')}.",
        "",
        "| case | seconds per submission | score | status |",
        "| --- | ---: | ---: | --- |",
    ]
    lines += [f"| {case} | {s:.0f} | {total:g} | {status} |" for case, s, total, status in rows]
    presets = " ".join(args.presets) if args.presets else "all presets"
    lines += [
        "",
        f"`teachkit warmup` ({presets}) itself took {warm_s:.0f} s from the empty cache: paid once "
        "per grading machine or image, not per submission.",
        "",
    ]
    text = "\n".join(lines)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
