"""The ``teachkit`` command line: ``simulate | warmup | build | calibrate | grade | lecture | demo``.

argparse only: each sub-command is declared by one ``_add_<name>`` function and run by one
``_run_<name>`` function, which turns the parsed arguments into keyword arguments of a library
function (imported lazily, so that a missing optional dependency only affects the command that
needs it) and prints its result. Defaults shown in ``--help`` are read from those functions'
signatures, never retyped. :func:`main` configures PyTensor before any command imports it, turns
SIGTERM into ``KeyboardInterrupt`` (so that a stopped command cleans up like Ctrl-C) and prints
a bad argument's ``ValueError`` as one sentence. Nothing in the library imports this module.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable
from typing import Any

# `teachkit simulate`: one sub-parser per preset of the registry teachkit.simulate.PRESETS. Each
# option is (flag, keyword, type, help); the default shown in --help is the generator's own
# (options left out are not passed, so the generator's defaults apply), or the words of
# _DEFAULT_WORDS where the signature's default is None.

_GAUSSIAN_OPTIONS = [
    ("--intercept", "intercept", float, "population mean of the group intercepts (mu_a)"),
    ("--slope", "slope", float, "population mean of the group slopes (mu_b)"),
    ("--sd-intercept", "sd_intercept", float, "sd of the group intercepts (sigma_a), >= 0"),
    ("--sd-slope", "sd_slope", float, "sd of the group slopes (sigma_b), >= 0"),
    ("--rho", "rho", float, "correlation of intercepts and slopes, strictly in (-1, 1)"),
    ("--sigma", "sigma", float, "residual sd, > 0"),
]

#: How --help describes a keyword whose default in the signature is None.
_DEFAULT_WORDS = {
    "n_groups": "20, or the number of --n-per-group sizes",
    "n_days": "set by --size",
    "group_labels": "g1, g2, ...",
}


def _defaults(func: Callable[..., Any]) -> dict[str, Any]:
    """The keyword defaults of ``func``'s signature (what --help shows and argparse falls back to)."""
    return {
        name: p.default
        for name, p in inspect.signature(func).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def _simulate_sizes(text: str):
    """``"5"`` -> 5; ``"3,8,2"`` -> [3, 8, 2] (one size per group)."""
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number or a comma-separated list of them (e.g. 5 or 3,8,2); "
            f"got {text!r}"
        ) from None
    return sizes[0] if len(sizes) == 1 else sizes


def _simulate_labels(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")]


def _simulate_options() -> dict[str, list[tuple]]:
    """Per preset, its options as (flag, keyword, type, default shown, help)."""
    from teachkit.simulate.presets import PRESETS

    groups = [("--n-groups", "n_groups", int, "number of groups, >= 1")]
    options = {
        "ozone": [
            (
                "--size",
                "size",
                ["lecture", "homework"],
                "lecture: all 1800 days at every station (21,600 rows); homework: 100 random "
                "days per station (1,200 rows)",
            ),
            ("--n-days", "n_days", int, "days per station, 1 to 1800 (overrides --size)"),
            *_GAUSSIAN_OPTIONS,
        ],
        "grants": [
            (
                "--alpha-female",
                "alpha_female",
                float,
                "log-odds effect of being female on an award",
            ),
            ("--alpha-male", "alpha_male", float, "log-odds effect of being male"),
            ("--tau", "tau", float, "sd of the discipline effects, >= 0"),
            (
                "--scale",
                "scale",
                float,
                "multiplies the NWO application counts (rounded, at least 1), > 0",
            ),
            (
                "--assign-effects",
                "assign_effects",
                ["female_share", "random"],
                "female_share: the discipline with the fewest female applicants gets the largest "
                "effect (total effect more negative than the direct one); random: at random",
            ),
        ],
        "funnel": [
            *groups,
            (
                "--n-per-group",
                "n_per_group",
                _simulate_sizes,
                "observations per group: one number, or one per group as a comma-separated list",
            ),
            *_GAUSSIAN_OPTIONS,
        ],
        "varying_effects": [
            *groups,
            (
                "--n-per-group",
                "n_per_group",
                _simulate_sizes,
                "observations per group: one number, or one per group as a comma-separated list "
                "(unbalanced design)",
            ),
            *_GAUSSIAN_OPTIONS,
            (
                "--x-dist",
                "x_dist",
                ["normal", "uniform"],
                "distribution of x: normal(mean X_LOC, sd X_SCALE) or uniform on "
                "[X_LOC, X_LOC + X_SCALE]",
            ),
            ("--x-loc", "x_loc", float, "location of x (see --x-dist)"),
            ("--x-scale", "x_scale", float, "scale of x (see --x-dist), > 0"),
            (
                "--center-x",
                "center_x",
                bool,
                "subtract the mean of x before computing y (intercepts at the mean x)",
            ),
            (
                "--group-labels",
                "group_labels",
                _simulate_labels,
                "comma-separated group labels, one per group",
            ),
        ],
    }
    out = {}
    for name, preset in PRESETS.items():
        defaults = _defaults(preset.generator)
        out[preset.cli_name] = [
            (flag, key, kind, _DEFAULT_WORDS[key] if defaults[key] is None else defaults[key], text)
            for flag, key, kind, text in options[name]
        ]
    return out


def _add_simulate(sub: argparse._SubParsersAction) -> None:
    import textwrap

    options = _simulate_options()
    p = sub.add_parser(
        "simulate",
        help="simulate a data set with known truth; write data.csv and truth.json",
        description=textwrap.fill(
            "Simulate a grouped data set whose true parameters are known and write DIR/data.csv "
            "(the data, one row per observation) and DIR/truth.json (every true value, the "
            "column roles and the arguments used). Same seed, same files."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--seed",
        type=int,
        default=None,
        help="random seed, a whole number >= 0 (default: a fresh one, printed "
        "and recorded in truth.json so that the data can be made again)",
    )
    common.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder to write data.csv and truth.json into (created if needed)",
    )
    presets = p.add_subparsers(dest="preset", metavar="PRESET", title="presets")
    presets.required = True
    epilog = ["options of each preset (details: teachkit simulate PRESET --help):"]
    from teachkit.simulate.presets import PRESETS

    for preset in PRESETS.values():
        name, description = preset.cli_name, preset.description
        q = presets.add_parser(
            name,
            parents=[common],
            help=description.split(":")[0].split(",")[0],
            description=description,
        )
        for flag, key, kind, default, text in options[name]:
            shown = f"{text} (default: {default})"
            if kind is bool:
                q.add_argument(
                    flag, dest=key, action="store_true", default=argparse.SUPPRESS, help=shown
                )
            elif isinstance(kind, list):
                q.add_argument(flag, dest=key, choices=kind, default=argparse.SUPPRESS, help=shown)
            else:
                metavar = (
                    "N"
                    if kind is int
                    else (
                        "N[,N...]"
                        if kind is _simulate_sizes
                        else "LABELS"
                        if kind is _simulate_labels
                        else "X"
                    )
                )
                q.add_argument(
                    flag,
                    dest=key,
                    type=kind,
                    default=argparse.SUPPRESS,
                    metavar=metavar,
                    help=shown,
                )
        flags = ", ".join(["--seed", "--out"] + [o[0] for o in options[name]])
        epilog.append(
            textwrap.fill(
                f"{name}: {flags}",
                initial_indent="  ",
                subsequent_indent="      ",
                break_on_hyphens=False,
            )
        )
    p.epilog = "\n".join(epilog) + (
        "\n\nexample: teachkit simulate ozone --size homework --seed 410 --out data/ozone"
    )
    p.set_defaults(_run=_run_simulate)


def _run_simulate(args: argparse.Namespace) -> int:
    """Run ``teachkit simulate``: call the preset's generator and write its folder."""
    import secrets

    from teachkit.simulate.presets import by_cli_name

    generator = by_cli_name(args.preset).generator
    keys = [o[1] for o in _simulate_options()[args.preset]]
    kwargs = {k: getattr(args, k) for k in keys if hasattr(args, k)}
    seed = args.seed
    chosen = seed is None
    if chosen:
        seed = secrets.randbelow(2**31)
    sim = generator(seed=seed, **kwargs)
    folder = sim.to_dir(args.out)
    note = f"; no --seed given, so one was chosen: pass --seed {seed} to repeat" if chosen else ""
    print(
        f"wrote {folder / 'data.csv'} ({len(sim.data):,} rows) and {folder / 'truth.json'} "
        f"({args.preset}, seed {seed}{note})"
    )
    return 0


def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the end-to-end demonstration (the README's main job)",
        description="The whole of teachkit in one run, offline, with bundled defaults: simulate "
        "every preset (ozone, grants, funnel, varying-effects); fit the centred and the "
        "non-centred correlated model to the funnel data (divergences vs none) and check the "
        "recovery of the truth; build every assignment; grade a bundled class of sample "
        "submissions (good, flawed, broken, tampering); write OUT/report.html with the tables "
        "and plots, OUT/grading/gradebook.csv and one feedback file per submission.",
    )
    from teachkit.demo import run

    default = _defaults(run)
    p.add_argument(
        "--out",
        default=default["out"],
        metavar="DIR",
        help="folder for the demo's outputs (default: %(default)s)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=default["seed"],
        help="seed for every simulation and fit (default: %(default)s)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=default["workers"],
        help="submissions graded at once (default: %(default)s)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=default["timeout"],
        metavar="S",
        help="wall-clock limit per graded notebook, seconds (default: %(default)s)",
    )
    p.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["fit", "grade"],
        help="leave out the MCMC step and/or the build-and-grade step",
    )
    p.set_defaults(_run=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from teachkit.demo import run

    return run(
        out=args.out, seed=args.seed, workers=args.workers, timeout=args.timeout, skip=args.skip
    )


def _add_warmup(sub: argparse._SubParsersAction) -> None:
    # light: imports neither PyMC nor PyTensor
    from teachkit.fit.reference_warmup import DEFAULT_PRESETS

    p = sub.add_parser(
        "warmup",
        help="compile the reference models ahead of time",
        description="Fit every reference model once, with a few draws, on the homework-sized "
        "data of each preset, so that PyTensor's persistent compile cache (~/.cache/teachkit, "
        "or $TEACHKIT_CACHE_DIR) holds them and later fits of the same structure start warm. "
        "Prints the time of each model.",
    )
    p.add_argument(
        "--presets",
        nargs="+",
        default=list(DEFAULT_PRESETS),
        choices=list(DEFAULT_PRESETS),
        help="presets whose models to compile (default: all)",
    )
    p.add_argument(
        "--likelihood",
        nargs="+",
        default=["rows"],
        choices=["rows", "sufficient"],
        help="likelihood versions of the Gaussian models (default: %(default)s)",
    )
    p.set_defaults(_run=_run_warmup)


def _run_warmup(args: argparse.Namespace) -> int:
    from teachkit.fit import warmup

    warmup(presets=args.presets, likelihoods=args.likelihood)
    return 0


def _add_build(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="build student notebooks and autograders from solutions/",
        description="Run Otter Assign on solutions/<name>.ipynb and write the student notebook "
        "exercises/<name>.ipynb and the Gradescope autograder autograder/<name>/ (deterministic "
        "output). With --check, rebuild into a temporary folder and exit 1 listing every stale "
        "committed file.",
    )
    p.add_argument(
        "assignments",
        nargs="*",
        metavar="ASSIGNMENT",
        help="assignment names, e.g. hw01-mvnormal-cholesky (default: all)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if the committed outputs are stale",
    )
    p.add_argument(
        "--root", default=".", help="project folder holding solutions/ (default: current folder)"
    )
    p.set_defaults(_run=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    """``teachkit build``: check or build the named assignments (default: all)."""
    from pathlib import Path

    from teachkit.course.build import assignment_names, build, check

    root = Path(args.root or ".")
    names = list(args.assignments or [])
    known = assignment_names(root)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"unknown assignment(s) {', '.join(unknown)}; solutions/ holds: {', '.join(known)}"
        )
    if args.check:
        stale = check(names, root=root)
        if stale:
            print(
                f"teachkit build --check: {len(stale)} stale file(s); run `teachkit build` "
                "and commit the result:",
                file=sys.stderr,
            )
            for line in stale:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"teachkit build --check: {len(names or known)} assignment(s) up to date")
        return 0
    for result in build(names, root=root):
        print(
            f"{result.name}: {result.student.relative_to(root.resolve())}, "
            f"{result.autograder.relative_to(root.resolve())}/"
        )
    return 0


def _add_grade(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "grade",
        help="grade a folder of submissions",
        description="Grade notebooks with an assignment's autograder: each notebook runs in a "
        "sandbox with a time and memory limit, hidden tests run in a separate clean process; "
        "writes OUT/gradebook.csv and OUT/feedback/ID.md.",
    )
    p.add_argument("assignment", help="autograder folder or zip, or a name under autograder/")
    p.add_argument(
        "submissions", nargs="+", help=".ipynb files, folders of them, or zips (Gradescope export)"
    )
    from teachkit.grading.batch import grade

    default = _defaults(grade)
    p.add_argument(
        "--workers",
        type=int,
        default=default["workers"],
        help="notebooks graded at once (default: %(default)s)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=default["timeout"],
        help="seconds per notebook (default: %(default)s)",
    )
    p.add_argument(
        "--memory",
        type=float,
        default=default["memory_mb"],
        help="MB per notebook (default: %(default)s; 0: no limit)",
    )
    p.add_argument("--out", default=default["out"], help="output folder (default: %(default)s)")
    p.add_argument(
        "--dask",
        metavar="ADDRESS",
        default=default["dask"],
        help="grade on this Dask scheduler instead of locally",
    )
    p.add_argument("--rerun", action="store_true", help="grade again even unchanged submissions")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument(
        "--warmup",
        choices=("auto", "yes", "no"),
        default="auto",
        help="compile the reference models first (default: auto = when the tests use PyMC)",
    )
    p.add_argument(
        "--sandbox",
        choices=("auto", "bwrap", "none"),
        default="auto",
        help="OS isolation of notebooks and hidden tests: bubblewrap, or none (an audit-hook "
        "guard only); auto = bubblewrap when it works here, with a loud warning otherwise "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--roster",
        metavar="CSV",
        default=None,
        help="class roster (columns id,name,email[,section,canvas_id,sis_id,login]): match "
        "submissions to students, check each notebook's STUDENT_ID, list missing students",
    )
    p.add_argument(
        "--only",
        metavar="ID",
        action="append",
        default=None,
        help="regrade only this submission or roster student (repeatable); every other row of "
        "OUT/gradebook.csv is kept",
    )
    from teachkit.grading.lms import EXPORTS

    p.add_argument(
        "--export",
        choices=EXPORTS,
        default=None,
        help="also write OUT/<lms>.csv for the LMS's gradebook import (needs --roster)",
    )
    p.add_argument(
        "--export-column",
        metavar="TITLE",
        default=None,
        help="the LMS assignment column (default: the assignment's name; 'Title (id)' updates an "
        "existing Canvas assignment)",
    )
    p.set_defaults(_run=_run_grade)


def _run_grade(args: argparse.Namespace) -> int:
    """``teachkit grade``: grade the class, print a summary (SIGTERM is handled by :func:`main`)."""
    from pathlib import Path

    from teachkit.grading.batch import grade

    book = grade(
        args.assignment,
        args.submissions,
        workers=args.workers,
        timeout=args.timeout,
        memory_mb=args.memory or None,
        out=args.out,
        dask=args.dask,
        progress=not args.no_progress,
        rerun=args.rerun,
        warm={"auto": None, "yes": True, "no": False}[args.warmup],
        sandbox=args.sandbox,
        roster=args.roster,
        only=args.only,
        export=args.export,
        export_column=args.export_column,
    )
    counts: dict[str, int] = {}
    for r in book.results:
        counts[r.status] = counts.get(r.status, 0) + 1
    skipped = sum(r.skipped for r in book.results)
    print(
        f"graded {len(book.results)} submissions of {book.assignment} ({skipped} unchanged, "
        "reused): " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    )
    boxes = sorted({r.sandbox for r in book.results if r.sandbox})
    print("sandbox: " + (", ".join(boxes) or "none"))
    if any(not b.startswith("bwrap") for b in boxes):
        print(
            "WARNING: some notebooks ran WITHOUT an OS sandbox (see the gradebook's sandbox column)",
            file=sys.stderr,
        )
    if args.only:
        kept = sum(r.skipped for r in book.results)
        print(f"--only: regraded {len(book.results) - kept}, kept {kept} rows as they were")
    if book.people is not None:
        unmatched = [r.id for r in book.results if not book.people.get(r.id, {}).get("student")]
        print(
            f"roster: {len(book.results) - len(unmatched)} submissions matched, "
            f"{len(unmatched)} unmatched" + (f" ({', '.join(unmatched)})" if unmatched else "")
        )
        if book.missing:
            names = ", ".join(f"{s.id} ({s.name})" if s.name else s.id for s in book.missing)
            print(f"missing: {len(book.missing)} students without a submission: {names}")
        checks = [
            (r.id, book.people[r.id]["id_check"])
            for r in book.results
            if book.people.get(r.id, {}).get("id_check") not in ("ok", "absent")
        ]
        for sid, check in checks:
            print(f"STUDENT_ID check: {sid}: {check}")
    print(
        f"integrity: {len(book.flags)} flag(s) in {book.outputs.get('integrity')} (signals to look "
        "at, never a penalty by themselves)"
    )
    for f in book.flags[:20]:
        print(f"  {f.kind}: {'; '.join(f.students)}: {f.evidence}")
    if "canvas" in book.outputs:
        print(f"canvas: {book.outputs['canvas']} (Grades > Import in Canvas)")
    print(
        f"gradebook: {Path(args.out) / 'gradebook.csv'}; feedback: {Path(args.out) / 'feedback'}/; "
        f"logs: {Path(args.out) / 'logs'}/"
    )
    return 0


def _add_lecture(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "lecture",
        help="serve the widget gallery through Voila on localhost",
        description="Serve the lecture's widget gallery (five interactive demos) through Voila "
        "on 127.0.0.1, print its URL and run until Ctrl-C. Needs no internet connection.",
    )
    p.add_argument(
        "--port", type=int, default=None, help="TCP port on 127.0.0.1 (default: a free one)"
    )
    p.add_argument(
        "--no-browser", action="store_true", help="only print the URL; do not open a web browser"
    )
    p.set_defaults(_run=_run_lecture)


def _run_lecture(args: argparse.Namespace) -> int:
    """``teachkit lecture``: serve the gallery, print its URL, run until Ctrl-C (or SIGTERM)."""
    import time

    from teachkit.widgets.gallery import serve

    try:
        server = serve(port=args.port)
        url = server.__enter__()
    except RuntimeError as exc:  # Voilà did not start: say so in one line
        print(f"teachkit lecture: error: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"teachkit lecture: the widget gallery is at {url}", flush=True)
        print("(press Ctrl-C to stop)", flush=True)
        if not args.no_browser:
            import webbrowser

            webbrowser.open(url)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            print("teachkit lecture: stopped", flush=True)
    finally:
        server.__exit__(None, None, None)
    return 0


def _add_calibrate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="grade the solution and wrong submissions over many seeds; write calibration.md",
        description="Grade an assignment's solution, its correct rewrites and its wrong sample "
        "submissions (solutions/calibration/NAME.toml) with the real engine, once per sampler seed, "
        "and write autograder/NAME/calibration.md: each test case's pass rate, whether correct work "
        "passes every test in >= 99% of seeds and each wrong submission gets its expected scores in "
        ">= 95%. Runs are recorded in autograder/NAME/calibration-runs.jsonl and reused when "
        "nothing changed, so a stopped calibration resumes. Exit status 1 when the bar is not met.",
    )
    p.add_argument("assignment", help="a name under autograder/ (built by teachkit build)")
    p.add_argument(
        "--seeds",
        type=int,
        default=50,
        help="sampler seeds 1..N (default: %(default)s; the bar needs 50)",
    )
    p.add_argument("--first-seed", type=int, default=1, help="first seed (default: %(default)s)")
    p.add_argument(
        "--rewrite",
        action="append",
        default=[],
        metavar="NOTEBOOK",
        help="a correct notebook in another style (repeatable), besides the spec's rewrites",
    )
    p.add_argument(
        "--workers", type=int, default=1, help="notebooks graded at once (default: %(default)s)"
    )
    p.add_argument(
        "--timeout", type=float, default=600, help="seconds per notebook (default: %(default)s)"
    )
    p.add_argument(
        "--sandbox",
        choices=("auto", "bwrap", "none"),
        default="auto",
        help="as for teachkit grade (default: %(default)s)",
    )
    p.add_argument(
        "--fresh", action="store_true", help="grade everything again, ignoring recorded runs"
    )
    p.add_argument(
        "--report-only",
        action="store_true",
        help="grade nothing: rewrite calibration.md from the runs",
    )
    p.add_argument(
        "--root", default=".", help="project folder holding autograder/ and solutions/ (default: .)"
    )
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.set_defaults(_run=_run_calibrate)


def _run_calibrate(args: argparse.Namespace) -> int:
    from teachkit.course.calibrate import calibrate

    cal = calibrate(
        args.assignment,
        seeds=args.seeds,
        first_seed=args.first_seed,
        rewrites=args.rewrite,
        workers=args.workers,
        timeout=args.timeout,
        sandbox=args.sandbox,
        fresh=args.fresh,
        report_only=args.report_only,
        root=args.root,
        progress=not args.no_progress,
    )
    rep = cal.report
    for line in rep.warnings:
        print(f"teachkit calibrate: WARNING: {line}", file=sys.stderr)
    print(
        f"{cal.name}: {len(cal.runs)} runs over {len(rep.seeds)} seeds of {len(cal.candidates)} notebooks; "
        + ("the bar is met" if rep.met else f"the bar is NOT met ({len(rep.problems)} problems)")
    )
    for line in rep.problems:
        if line not in rep.warnings:
            print(f"  - {line}")
    print(f"report: {cal.paths['report']}; runs: {cal.paths['runs']}")
    return 0 if rep.met else 1


_BUILDERS = [
    _add_simulate,
    _add_warmup,
    _add_build,
    _add_calibrate,
    _add_grade,
    _add_lecture,
    _add_demo,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="teachkit",
        description="Teaching Bayesian multilevel models with covarying parameters.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for add in _BUILDERS:
        add(sub)
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Run one ``teachkit`` command; returns its exit status."""
    import signal
    import threading

    from teachkit.fit.pytensor_config import configure_pytensor

    configure_pytensor()  # before any command imports PyTensor: the compile cache, no BLAS warning
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():
        # a stopped command cleans up (kills its notebooks, deletes its temporary folders, stops
        # Voila) exactly as on Ctrl-C
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("teachkit: interrupted", file=sys.stderr)
        return 130
    except ValueError as exc:  # bad arguments: a sentence, not a traceback
        print(f"teachkit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
