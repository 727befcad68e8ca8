"""The versions that grade: recorded with every result, pinned in every autograder zip.

A different PyTensor or PyMC changes every MCMC chain, and an Otter upgrade can change how a
test file is read, so a grade is only reproducible with the versions that produced it.

- :func:`grading_versions` is what each gradebook row and feedback file records
  (:data:`RECORDED`: teachkit, otter-grader, pymc, pytensor, nutpie, numpy), read from the
  installed distributions of the process that grades.
- :func:`constraints_text` is the ``constraints.txt`` that ``teachkit build`` puts into every
  autograder zip: an exact ``name==version`` line for every distribution the grading image
  installs through pip, i.e. the transitive ``Requires-Dist`` closure of teachkit and of
  ``otter-grader[grading,plugins]`` (:data:`GRADING_ROOTS`), with the versions installed in the
  environment that builds. Requirements that are not installed here cannot be pinned; they are
  listed as comments. ``setup.sh`` installs under these constraints and then runs
  ``python -m teachkit.grading.versions --verify constraints.txt``, which fails the image build
  when an installed version differs.

Examples
--------
>>> v = grading_versions()
>>> list(v) == list(RECORDED) and v["teachkit"] != "not installed"
True
>>> versions_line({"teachkit": "0.1.0", "numpy": "2.3.0"})
'teachkit 0.1.0; numpy 2.3.0'
>>> parse_constraints("# a comment\\nnumpy==2.3.0\\nPyMC==6.4.0  # why\\n")
{'numpy': '2.3.0', 'pymc': '6.4.0'}
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from importlib import metadata

#: The distributions whose versions every gradebook row and feedback file records.
RECORDED = ("teachkit", "otter-grader", "pymc", "pytensor", "nutpie", "numpy")

#: What the grading image installs with pip (``environment.yml``): the roots of the pinned closure.
GRADING_ROOTS = (("teachkit", ()), ("otter-grader", ("grading", "plugins")))


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


@functools.lru_cache(maxsize=1)
def _recorded() -> tuple:
    return tuple((name, _version(name)) for name in RECORDED)


def grading_versions() -> dict:
    """``{distribution: version}`` of :data:`RECORDED` as installed for this process."""
    return dict(_recorded())


def versions_line(versions: dict) -> str:
    """``"teachkit 0.1.0; otter-grader 7.0.0; ..."``: the gradebook's ``versions`` column."""
    return "; ".join(f"{name} {version}" for name, version in versions.items())


def grading_closure(roots=GRADING_ROOTS) -> tuple[dict, list]:
    """Installed distributions the roots require, transitively: ``({name: version}, unpinned)``.

    Markers are evaluated for this interpreter and platform (the grading image uses the same
    Python minor version), extras are followed where requested. ``unpinned`` lists the
    requirements that apply but are not installed here (so cannot be pinned), e.g.
    ``"gspread (otter-grader[plugins])"``.
    """
    from packaging.requirements import Requirement

    found: dict[str, tuple[str, str, frozenset]] = {}
    unpinned: set[str] = set()
    todo = [(name, frozenset(extras), "") for name, extras in roots]
    while todo:
        name, extras, wanted_by = todo.pop()
        key = _canonical(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            unpinned.add(f"{key} ({wanted_by})" if wanted_by else key)
            continue
        if key in found and extras <= found[key][2]:
            continue
        extras = extras | (found[key][2] if key in found else frozenset())
        found[key] = (dist.metadata["Name"] or name, dist.version, extras)
        label = f"{key}[{','.join(sorted(extras))}]" if extras else key
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is not None and not any(
                    req.marker.evaluate({"extra": e}) for e in ("", *sorted(extras))):
                continue
            todo.append((req.name, frozenset(req.extras), label))
    pins = {key: version for key, (_name, version, _x) in sorted(found.items())}
    return pins, sorted(unpinned)


def constraints_text(roots=GRADING_ROOTS) -> str:
    """The ``constraints.txt`` of an autograder zip (deterministic for one environment)."""
    pins, unpinned = grading_closure(roots)
    roots_text = ", ".join(n + (f"[{','.join(x)}]" if x else "") for n, x in roots)
    lines = [
        "# Exact versions of the grading stack, written by `teachkit build` from the environment",
        f"# that built and calibrated this autograder: every distribution that {roots_text}",
        "# require, transitively. setup.sh installs under these constraints and verifies them",
        "# (python -m teachkit.grading.versions --verify). `teachkit build --check` reports this",
        "# file as stale when the installed versions change. See docs/grading.md.",
    ]
    if unpinned:
        lines.append("# Not installed where this was built, so not pinned: " + ", ".join(unpinned))
    lines += [f"{name}=={version}" for name, version in pins.items()]
    return "\n".join(lines) + "\n"


def parse_constraints(text: str) -> dict:
    """``{canonical name: version}`` of the ``name==version`` lines of a constraints file."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*(\S+)", line)
        if m:
            pins[_canonical(m.group(1))] = m.group(2)
    return pins


def mismatches(text: str) -> list[str]:
    """What is installed differently from a constraints file, one sentence per distribution."""
    problems = []
    for name, wanted in parse_constraints(text).items():
        got = _version(name)
        if got != wanted:
            problems.append(f"{name}: {got} installed, {wanted} pinned")
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m teachkit.grading.versions [--verify CONSTRAINTS] [--constraints]``."""
    p = argparse.ArgumentParser(prog="python -m teachkit.grading.versions",
                                description="Print the grading versions, write or verify pins.")
    p.add_argument("--verify", metavar="CONSTRAINTS",
                   help="exit 1 listing every installed version that differs from this file")
    p.add_argument("--constraints", action="store_true",
                   help="print the constraints file of this environment")
    args = p.parse_args(argv)
    if args.constraints:
        sys.stdout.write(constraints_text())
        return 0
    if args.verify:
        with open(args.verify, encoding="utf-8") as fh:
            text = fh.read()
        bad = mismatches(text)
        if bad:
            print(f"teachkit: the grading environment differs from {args.verify} in "
                  f"{len(bad)} distribution(s):", file=sys.stderr)
            for line in bad:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"teachkit: all {len(parse_constraints(text))} pinned versions are installed "
              f"({versions_line(grading_versions())})")
        return 0
    print(versions_line(grading_versions()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
