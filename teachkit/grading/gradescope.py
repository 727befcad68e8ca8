"""Gradescope: the autograder zip's ``run_autograder`` grades with this engine and writes results.json.

Gradescope unpacks the autograder zip into ``/autograder/source``, puts a student's files in
``/autograder/submission`` and reads ``/autograder/results/results.json`` when
``run_autograder`` ends (`its autograder specification
<https://gradescope-autograders.readthedocs.io/en/latest/specs/>`_). The ``run_autograder`` that
``teachkit build`` writes (:func:`run_autograder_script`) runs ``python -m
teachkit.grading.gradescope``, that is :func:`run`:

1. the assignment is read from ``source/`` (tests, ``otter_config.json``, support files) before
   anything of the student's runs;
2. the submission's notebook is found in ``submission/`` (:func:`find_notebook`);
3. it is graded by :func:`teachkit.grading.pipeline.grade_one`, exactly as ``teachkit grade``
   does: the notebook in bubblewrap when this container allows it (otherwise the guarded
   fallback, said loudly on stdout and in an instructors-only entry of results.json), the hidden
   tests in the separate examiner process always;
4. :func:`results_json` turns the :class:`~teachkit.grading.feedback.Result` into Gradescope's
   format and it is written to ``results/results.json`` (with the Markdown feedback beside it,
   ``results/feedback.md``). Whatever fails, results.json is written: a broken submission gets
   its score (usually 0) and the reason, an internal error an "Autograder Failed" entry.

The folders are overridable for local runs: ``--root`` (or ``TEACHKIT_GRADESCOPE_ROOT``,
default ``/autograder``) holds ``source/``, ``submission/`` and ``results/``, and
``--source``/``--submission``/``--results`` (or ``TEACHKIT_GRADESCOPE_SOURCE`` ...) move one.

Visibility follows Otter's ``to_gradescope_dict`` (otter-grader 7) and the same
``otter_config.json`` keys: a visible "Public Tests" entry summarises the public test cases
(unless ``show_hidden`` is true and ``force_public_test_summary`` false); one entry per question
with its score, visible ``"after_published"`` when ``show_hidden`` is true and ``"hidden"``
otherwise (``"visible"`` when ``show_all_public`` is true and no case is hidden);
``points_possible`` rescales the score, ``score_threshold`` makes it pass/fail, ``show_stdout``
shows the log after publication. teachkit adds one ``"hidden"`` (instructors-only) entry saying
how the submission was graded: status, sandbox, versions.

Examples
--------
>>> from teachkit.grading.feedback import Result
>>> from teachkit.grading.assignment import Assignment
>>> src = ("OK_FORMAT = True\\ntest = {'name': 'q1', 'points': 2, 'suites': [{'cases': ["
...        "{'code': '>>> 1', 'hidden': False}, {'code': '>>> 2', 'hidden': True}]}]}")
>>> a = Assignment("hw", {"q1": src}, (), {"show_hidden": True})
>>> r = Result("ana", "ok", 1.0, 2.0, {"q1": 1.0}, 3.0, "", "h", "k", "# Feedback", cases={"q1": [
...     {"name": "q1 - 1", "hidden": False, "points": 1.0, "passed": True, "message": ""},
...     {"name": "q1 - 2", "hidden": True, "points": 1.0, "passed": False, "message": "no"}]})
>>> out = results_json(r, a)
>>> out["score"], [(t["name"], t["visibility"]) for t in out["tests"]]
(1.0, [('Public Tests', 'visible'), ('q1', 'after_published'), ('teachkit: how this submission was graded', 'hidden')])
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path

from teachkit.grading.assignment import Assignment, parse_test_file
from teachkit.grading.feedback import Result, render_feedback, render_sections
from teachkit.grading.versions import grading_versions, versions_line

DEFAULT_ROOT = "/autograder"

#: The grading image's constraints file (``teachkit build`` writes it into the zip's root).
CONSTRAINTS = "constraints.txt"

#: Limits on Gradescope: the notebook's wall-clock limit and the deadline of the whole run, in
#: seconds, for an assignment without and with MCMC fits. The deadline stays under the
#: Gradescope limit docs/grading.md recommends (10 min; 20 min with fits), so that a slow
#: submission still gets results.json ("grading was interrupted") before Gradescope kills it.
LIMITS = {False: (420, 540), True: (900, 1140)}

_INSTRUCTOR_ENTRY = "teachkit: how this submission was graded"


# --------------------------------------------------------------------------------------------
# the folders


def gradescope_paths(root=None, source=None, submission=None, results=None) -> dict[str, Path]:
    """Gradescope's folders: arguments first, then ``TEACHKIT_GRADESCOPE_*``, then ``/autograder``.

    Examples
    --------
    >>> p = gradescope_paths("/tmp/gs", results="/tmp/out")
    >>> str(p["source"]), str(p["submission"]), str(p["results"])
    ('/tmp/gs/source', '/tmp/gs/submission', '/tmp/out')
    """
    env = os.environ
    root = Path(root or env.get("TEACHKIT_GRADESCOPE_ROOT") or DEFAULT_ROOT)
    pick = {"source": source, "submission": submission, "results": results}
    return {"root": root} | {k: Path(v or env.get(f"TEACHKIT_GRADESCOPE_{k.upper()}") or root / k)
                             for k, v in pick.items()}


def find_notebook(folder: Path, assignment: Assignment) -> tuple[Path | None, str]:
    """The notebook to grade in Gradescope's ``submission/`` folder: ``(path, "")`` or ``(None, why)``.

    Like Otter, the ``.ipynb`` at the top of the folder; failing that, one anywhere below it (an
    uploaded zip unpacked into folders). Of several, the one whose Otter metadata names this
    assignment, if only one does.
    """
    if not folder.is_dir():
        return None, f"there is no submission folder ({folder})"

    def notebooks(pattern):
        return sorted(p for p in folder.glob(pattern) if p.is_file() and ".ipynb_checkpoints" not in p.parts
                      and "__MACOSX" not in p.parts)

    found = notebooks("*.ipynb") or notebooks("**/*.ipynb")
    if not found:
        others = sorted(p.name for p in folder.rglob("*") if p.is_file())[:10]
        return None, ("the submission holds no Jupyter notebook (.ipynb)" +
                      (f"; it holds {', '.join(others)}" if others else "") + ". Upload your .ipynb file.")
    if len(found) == 1:
        return found[0], ""
    name = assignment.config.get("assignment_name")
    matching = []
    for p in found:
        try:
            meta = json.loads(p.read_bytes()).get("metadata", {})
            if name and meta.get("otter", {}).get("assignment_name") == name:
                matching.append(p)
        except (OSError, ValueError, AttributeError):
            pass
    if len(matching) == 1:
        return matching[0], ""
    names = ", ".join(str(p.relative_to(folder)) for p in found[:10])
    return None, f"the submission holds {len(found)} notebooks ({names}); upload exactly one .ipynb file"


# --------------------------------------------------------------------------------------------
# results.json


def _public_summary(result: Result, assignment: Assignment) -> tuple[str, bool]:
    """The "Public Tests" entry: each question's public cases (what ``grader.check`` shows)."""
    if not result.cases:
        return "Not graded" + (f": {result.reason}" if result.reason else "."), False
    lines, passed_all = [], True
    for q in sorted(assignment.possible):
        cases = [c for c in result.cases.get(q, []) if not c["hidden"]]
        if q not in result.cases:
            lines.append(f"{q}: not graded" + (f" ({result.reason})" if result.reason else ""))
            passed_all = False
        elif not cases:
            lines.append(f"{q}: no public tests")
        elif all(c["passed"] for c in cases):
            lines.append(f"{q}: all public tests passed")
        else:
            passed_all = False
            failed = [c for c in cases if not c["passed"]]
            lines.append(f"{q}: {len(failed)} of {len(cases)} public tests failed")
            for c in failed:
                tail = "\n".join("    " + ln for ln in c["message"].strip().splitlines()[-12:])
                lines.append(f"  {c['name']} failed" + (f":\n{tail}" if tail else ""))
    return "\n".join(lines), passed_all


def _all_public(assignment: Assignment) -> bool:
    """Whether no test case is hidden (the tests were checked when the assignment was loaded)."""
    return all(not tc.hidden for q, src in assignment.tests.items() for tc in parse_test_file(src, q).test_cases)


def results_json(result: Result, assignment: Assignment, *, note: str = "") -> dict:
    """Gradescope's results.json for one graded submission (see the module docstring).

    Parameters
    ----------
    result : Result
        What :func:`teachkit.grading.pipeline.grade_one` returned.
    assignment : Assignment
        Its ``config`` (``otter_config.json``) decides visibility as in Otter.
    note : str
        Extra text for the instructors-only entry (e.g. why there is no OS sandbox).
    """
    config = assignment.config or {}
    show_hidden = bool(config.get("show_hidden", False))
    visibility = "after_published" if show_hidden else "hidden"
    if config.get("show_all_public") and _all_public(assignment):
        visibility = "visible"
    tests = []
    if not show_hidden or config.get("force_public_test_summary", True):
        summary, passed = _public_summary(result, assignment)
        tests.append({"name": "Public Tests", "visibility": "visible", "output": summary,
                      "status": "passed" if passed else "failed"})
    possible = assignment.possible
    sections = result.sections or render_sections({}, possible, result.reason, assignment.formats)
    for q in sorted(possible):
        score, top = float(result.scores.get(q, 0.0)), float(possible[q])
        tests.append({"name": q, "score": round(score, 5), "max_score": round(top, 5),
                      "visibility": visibility, "output": sections.get(q, f"Not graded: {result.reason}"),
                      "output_format": "md", "status": "passed" if score >= top else "failed"})
    versions = result.versions or grading_versions()
    how = [f"status: {result.status}" + (f" ({result.reason})" if result.reason else ""),
           f"sandbox: {result.sandbox or 'unknown'}",
           f"versions: {versions_line(versions)}",
           f"seconds: {result.seconds:g}", f"notebook sha256: {result.sha256}"]
    if note:
        how.append(note)
    tests.append({"name": _INSTRUCTOR_ENTRY, "visibility": "hidden", "output": "\n".join(how), "status": "passed"})
    head = result.feedback.split("\n## Questions\n", 1)[0].strip() if result.feedback else ""
    out = {"score": round(float(result.total), 5), "execution_time": round(float(result.seconds)),
           "output": head or f"Score: {result.total:g} / {result.possible:g}", "output_format": "md",
           "tests": tests,
           "extra_data": {"teachkit": {"status": result.status, "reason": result.reason,
                                       "sandbox": result.sandbox, "versions": versions}}}
    total, top = float(result.total), float(result.possible)
    if config.get("points_possible") is not None:
        out["score"] = round(total / top * config["points_possible"], 5) if top else 0
    if config.get("score_threshold") is not None:
        frac = total / top if top else 0.0
        out["score"] = (config.get("points_possible") or top) if frac >= config["score_threshold"] else 0
    if config.get("show_stdout"):
        out["stdout_visibility"] = "after_published"
    return out


def failure_json(error: BaseException | str) -> dict:
    """results.json when the autograder itself failed (as Otter: score 0, a visible notice, the
    traceback for instructors only)."""
    detail = error if isinstance(error, str) else "".join(traceback.format_exception(error))
    return {"score": 0, "output": "The autograder failed to grade this submission. Your work was not "
            "graded; please tell your instructor.", "tests": [
                {"name": "Autograder Failed", "visibility": "visible", "status": "failed",
                 "output": "The autograder failed to produce any results. Please alert your instructor."},
                {"name": "Autograder Exception", "visibility": "hidden", "status": "failed",
                 "output": f"teachkit could not grade this submission (not visible to students):\n\n{detail}"}]}


def _unread_result(sid: str, status: str, reason: str, assignment: Assignment, sandbox: str) -> Result:
    """The Result of a submission that could not be run at all (no notebook found)."""
    possible = assignment.possible
    versions = grading_versions()
    return Result(sid, status, 0.0, sum(possible.values()), {q: 0.0 for q in possible}, 0.0, reason, "", "",
                  render_feedback(sid, status, reason, {}, possible, [], {}, assignment.formats,
                                  versions=versions, sandbox=sandbox),
                  sandbox=sandbox, sections=render_sections({}, possible, reason, assignment.formats),
                  versions=versions)


# --------------------------------------------------------------------------------------------
# running


def _write(results: Path, data: dict, feedback: str = "") -> Path:
    results.mkdir(parents=True, exist_ok=True)
    path = results / "results.json"
    tmp = results / ".results.json.tmp"
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)
    if feedback:
        (results / "feedback.md").write_text(feedback)
    return path


def run(*, root=None, source=None, submission=None, results=None, sandbox: str = "auto",
        timeout: float | None = None, deadline: float | None = None, memory_mb: float | None = 4096) -> dict:
    """Grade the submission of a Gradescope layout and write ``results/results.json``; never raises.

    Parameters
    ----------
    root, source, submission, results : path, optional
        See :func:`gradescope_paths`.
    sandbox : {"auto", "bwrap", "none"}
        As for ``teachkit grade``; ``auto`` falls back loudly where bubblewrap cannot run.
    timeout : float, optional
        The notebook's wall-clock limit (default: :data:`LIMITS` by whether the tests fit models).
    deadline : float, optional
        Seconds after which the whole run is stopped and results.json says so.
    memory_mb : float, optional
        Memory limit of the notebook's process tree.

    Returns
    -------
    dict
        What was written to results.json.
    """
    paths = gradescope_paths(root, source, submission, results)
    t0 = time.monotonic()
    try:
        from teachkit.grading.assignment import load_assignment
        from teachkit.grading.pipeline import grade_one
        from teachkit.grading.sandbox import resolve_sandbox
        from teachkit.grading.submission import Submission

        assignment = load_assignment(paths["source"])
        fits = any(w in src for src in assignment.tests.values()
                   for w in ("pymc", "teachkit.models", "teachkit.sampling", "_idata", "_model"))
        default_timeout, default_deadline = LIMITS[fits]
        timeout = float(timeout or default_timeout)
        deadline = float(deadline or default_deadline)
        box = resolve_sandbox(sandbox)
        note = ""
        if box.kind != "bwrap":
            note = (f"NO OS SANDBOX: {box.reason}. The notebook ran as this container's user with the "
                    "audit-hook guard and the integrity hash only (native code bypasses the guard); the "
                    "hidden tests still ran in the separate examiner process. See docs/grading.md.")
            print(f"teachkit: WARNING: {note}", flush=True)
        print(f"teachkit: grading {paths['submission']} with {assignment.name} "
              f"(sandbox {box.label}; {versions_line(grading_versions())})", flush=True)
        nb_path, why = find_notebook(paths["submission"], assignment)
        if nb_path is None:
            r = _unread_result("submission", "invalid-notebook", why, assignment, box.label)
        else:
            sub = Submission(nb_path.stem or "submission", nb_path.read_bytes()[:200_000_001], str(nb_path))
            cancel = threading.Event()
            timer = threading.Timer(max(1.0, deadline - (time.monotonic() - t0)), cancel.set)
            timer.daemon = True
            timer.start()
            try:
                r = grade_one(sub, assignment, timeout=timeout, memory_mb=memory_mb, sandbox=box, cancel=cancel,
                              protected=[str(paths["results"].resolve()), str(paths["source"].resolve())])
            finally:
                timer.cancel()
            if cancel.is_set() and r.status == "error":
                r.reason = (f"grading stopped at the autograder's deadline ({deadline:g} s); the notebook "
                            f"may take too long (its own limit is {timeout:g} s)")
                r.feedback = render_feedback(r.id, r.status, r.reason, {}, assignment.possible, [], {},
                                             assignment.formats, versions=r.versions, sandbox=r.sandbox)
                r.sections = render_sections({}, assignment.possible, r.reason, assignment.formats)
        data = results_json(r, assignment, note=note)
        _write(paths["results"], data, r.feedback)
        print(f"teachkit: {r.status}, score {r.total:g} / {r.possible:g} in {r.seconds:g} s"
              + (f": {r.reason}" if r.reason else ""), flush=True)
        return data
    except BaseException as exc:  # results.json is written whatever happens
        data = failure_json(exc)
        try:
            _write(paths["results"], data)
        except OSError as write_error:
            print(f"teachkit: cannot write results.json: {write_error}", file=sys.stderr)
        traceback.print_exc()
        if isinstance(exc, KeyboardInterrupt):
            raise
        return data


def main(argv: list[str] | None = None) -> int:
    """``python -m teachkit.grading.gradescope [--root DIR] ...``: what ``run_autograder`` runs."""
    p = argparse.ArgumentParser(prog="python -m teachkit.grading.gradescope",
                                description="Grade a Gradescope submission with teachkit's engine.")
    p.add_argument("--root", help=f"holds source/, submission/, results/ (default ${{TEACHKIT_GRADESCOPE_ROOT}} "
                   f"or {DEFAULT_ROOT})")
    p.add_argument("--source", help="the unpacked autograder zip (default ROOT/source)")
    p.add_argument("--submission", help="the student's files (default ROOT/submission)")
    p.add_argument("--results", help="where results.json goes (default ROOT/results)")
    p.add_argument("--sandbox", choices=("auto", "bwrap", "none"),
                   default=os.environ.get("TEACHKIT_SANDBOX") or "auto")
    p.add_argument("--timeout", type=float, default=float(os.environ.get("TEACHKIT_TIMEOUT") or 0) or None,
                   help="the notebook's wall-clock limit, seconds ($TEACHKIT_TIMEOUT)")
    p.add_argument("--deadline", type=float, default=float(os.environ.get("TEACHKIT_DEADLINE") or 0) or None,
                   help="stop the whole run after this many seconds ($TEACHKIT_DEADLINE)")
    p.add_argument("--memory", type=float, default=float(os.environ.get("TEACHKIT_MEMORY_MB") or 4096),
                   help="memory limit of the notebook, MB ($TEACHKIT_MEMORY_MB; 0 for none)")
    args = p.parse_args(argv)
    from teachkit.fit.pytensor_config import configure_pytensor

    configure_pytensor()  # as `teachkit grade` does: the compile cache the sandbox copies, no BLAS warning
    data = run(root=args.root, source=args.source, submission=args.submission, results=args.results,
               sandbox=args.sandbox, timeout=args.timeout, deadline=args.deadline, memory_mb=args.memory or None)
    return 0 if not any(t.get("name") == "Autograder Failed" for t in data.get("tests", [])) else 1


# --------------------------------------------------------------------------------------------
# the zip's scripts (written by `teachkit build`)


def run_autograder_script(*, fits: bool, pytensor_flags: str) -> str:
    """The zip's ``run_autograder``: teachkit's engine on the submission, results.json always.

    ``TEACHKIT_GRADESCOPE_ROOT`` moves the folders (default ``/autograder``); ``TEACHKIT_PYTHON``
    names the Python to grade with (default: Otter's ``otter-env`` conda environment, which
    ``setup.sh`` built). ``TEACHKIT_TIMEOUT``, ``TEACHKIT_DEADLINE``, ``TEACHKIT_MEMORY_MB`` and
    ``TEACHKIT_SANDBOX`` override the limits and the sandbox.
    """
    timeout, deadline = LIMITS[fits]
    flags = f'export PYTENSOR_FLAGS="{pytensor_flags}"\n' if fits else ""
    return f"""#!/bin/bash
{flags}# teachkit: grade with teachkit's engine, not run_otter.py (docs/grading.md, "Gradescope"): the
# notebook runs in bubblewrap when this container allows it (otherwise a guarded fallback, said
# loudly), the hidden tests in a separate examiner process the notebook never sees.
ROOT="${{TEACHKIT_GRADESCOPE_ROOT:-/autograder}}"
if [ -z "$TEACHKIT_PYTHON" ]; then
    export PATH=/root/miniforge3/bin:$PATH
    eval "$(mamba shell hook --shell bash)"
    mamba activate otter-env
    TEACHKIT_PYTHON=python
fi
export TEACHKIT_TIMEOUT="${{TEACHKIT_TIMEOUT:-{timeout}}}" TEACHKIT_DEADLINE="${{TEACHKIT_DEADLINE:-{deadline}}}"
mkdir -p "$ROOT/results"
"$TEACHKIT_PYTHON" -m teachkit.grading.gradescope --root "$ROOT"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
    printf '{{"score": 0, "output": "The autograder could not start (exit %s); your work was not graded. Please tell your instructor.", "tests": []}}\\n' "$status" > "$ROOT/results/results.json"
fi
exit 0
"""


def setup_additions(*, fits: bool, pytensor_flags: str) -> str:
    """What ``teachkit build`` appends to Otter's ``setup.sh``: bubblewrap, the version check and,
    for assignments that fit models, the compile warm-up."""
    text = f"""
# teachkit: bubblewrap for the OS sandbox (used only where the container allows namespaces;
# grading falls back loudly otherwise, see docs/grading.md)
apt-get install -y bubblewrap || echo "teachkit: bubblewrap could not be installed; grading will fall back"
# teachkit: the image must hold exactly the versions this autograder was built with; the pins
# are applied again (a later conda install may have changed a package), then verified
mamba run -n otter-env python -m pip install --no-deps -r /autograder/source/{CONSTRAINTS}
mamba run -n otter-env python -m teachkit.grading.versions --verify /autograder/source/{CONSTRAINTS}
"""
    if fits:
        text += f"""
# teachkit: compile the reference models into the image's compile cache now, once, so that every
# submission's fits start warm (docs/grading.md). A failed warm-up only makes grading slower.
export PYTENSOR_FLAGS="{pytensor_flags}"
mamba run -n otter-env python -m teachkit warmup || echo "teachkit warmup failed; fits compile cold"
"""
    return text


def pinned_environment(environment_yml: str) -> str:
    """Otter's ``environment.yml`` with the constraints file as the first entry of its pip list.

    conda writes the pip list into a requirements file, so ``-c FILE`` constrains every
    distribution pip installs (teachkit's wheel, otter-grader and all their dependencies).

    Examples
    --------
    >>> print(pinned_environment("name: e\\ndependencies:\\n  - pip\\n  - pip:\\n      - otter-grader==7.0.0\\n"))
    name: e
    dependencies:
      - pip
      - pip:
          - -c /autograder/source/constraints.txt
          - otter-grader==7.0.0
    <BLANKLINE>
    """
    line = f"-c /autograder/source/{CONSTRAINTS}"
    if line in environment_yml:
        return environment_yml
    out, done = [], False
    for text in environment_yml.splitlines(keepends=True):
        out.append(text)
        if not done and text.strip() == "- pip:":
            indent = len(text) - len(text.lstrip()) + 4
            out.append(" " * indent + f"- {line}\n")
            done = True
    if not done:
        raise ValueError("environment.yml has no pip: section to constrain")
    return "".join(out)


def gradescope_members(members: dict[str, bytes], *, fits: bool, pytensor_flags: str,
                       constraints: str) -> dict[str, bytes]:
    """The zip members ``teachkit build`` replaces or adds: ``run_autograder``, ``setup.sh``,
    ``environment.yml`` and ``constraints.txt``."""
    setup = members["setup.sh"].decode().rstrip("\n") + "\n"
    return {"run_autograder": run_autograder_script(fits=fits, pytensor_flags=pytensor_flags).encode(),
            "setup.sh": (setup + setup_additions(fits=fits, pytensor_flags=pytensor_flags)).encode(),
            "environment.yml": pinned_environment(members["environment.yml"].decode()).encode(),
            CONSTRAINTS: constraints.encode()}


if __name__ == "__main__":
    raise SystemExit(main())
