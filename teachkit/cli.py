"""The ``teachkit`` command line: ``simulate | warmup | build | grade | lecture | demo``.

Each sub-command is declared by one ``_add_<name>`` function below and runs by importing its
implementation lazily, so that ``teachkit --help`` is instant and a missing optional dependency
only affects the command that needs it. Nothing in the library imports this module.
"""

from __future__ import annotations

import argparse
import sys


def _add_simulate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="simulate a data set with known truth; write data.csv and truth.json",
        description="Simulate a grouped data set whose true parameters are known and write "
        "DIR/data.csv (the data) and DIR/truth.json (every true value).",
    )
    # TODO(issue 2): preset choice, --seed, --out, per-preset options
    p.set_defaults(_run="teachkit.cli:_run_simulate")


def _run_simulate(args: argparse.Namespace) -> int:
    raise NotImplementedError


def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the end-to-end demonstration (the README's main job)",
        description="Simulate every preset and print a readable summary of data and truth.",
    )
    p.add_argument("--out", default="demo-output", help="folder for the demo's outputs (default: %(default)s)")
    p.add_argument("--seed", type=int, default=2021, help="seed for every simulation (default: %(default)s)")
    p.set_defaults(_run="teachkit.demo:run")


def _add_warmup(sub: argparse._SubParsersAction) -> None:
    # Owner: issue 3 (teachkit.sampling). Compile the reference models ahead of time.
    p = sub.add_parser("warmup", help="compile the reference models ahead of time")
    p.set_defaults(_run="teachkit.sampling:warmup_cli")


def _add_build(sub: argparse._SubParsersAction) -> None:
    # Owner: issue 5 (teachkit.assignments).
    p = sub.add_parser(
        "build",
        help="build student notebooks and autograders from solutions/",
        description="Run Otter Assign on solutions/<name>.ipynb and write the student notebook "
        "exercises/<name>.ipynb and the Gradescope autograder autograder/<name>/ (deterministic "
        "output). With --check, rebuild into a temporary folder and exit 1 listing every stale "
        "committed file.",
    )
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                   help="assignment names, e.g. hw01-mvnormal-cholesky (default: all)")
    p.add_argument("--check", action="store_true",
                   help="do not write; exit 1 if the committed outputs are stale")
    p.add_argument("--root", default=".",
                   help="project folder holding solutions/ (default: current folder)")
    p.set_defaults(_run="teachkit.assignments:build_cli")


def _add_grade(sub: argparse._SubParsersAction) -> None:
    # Owner: issue 6 (teachkit.grading).
    p = sub.add_parser("grade", help="grade a folder of submissions")
    p.set_defaults(_run="teachkit.grading:grade_cli")


def _add_lecture(sub: argparse._SubParsersAction) -> None:
    # Owner: issue 4 (teachkit.widgets.gallery).
    p = sub.add_parser(
        "lecture",
        help="serve the widget gallery through Voila on localhost",
        description="Serve the lecture's widget gallery (five interactive demos) through Voila "
        "on 127.0.0.1, print its URL and run until Ctrl-C. Needs no internet connection.",
    )
    p.add_argument("--port", type=int, default=None,
                   help="TCP port on 127.0.0.1 (default: a free one)")
    p.add_argument("--no-browser", action="store_true",
                   help="only print the URL; do not open a web browser")
    p.set_defaults(_run="teachkit.widgets.gallery:lecture_cli")


_BUILDERS = [_add_simulate, _add_warmup, _add_build, _add_grade, _add_lecture, _add_demo]


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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    module_name, _, func_name = args._run.partition(":")
    import importlib

    func = getattr(importlib.import_module(module_name), func_name)
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        print("teachkit: interrupted", file=sys.stderr)
        return 130
    except ValueError as exc:  # bad arguments: a sentence, not a traceback
        print(f"teachkit {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
