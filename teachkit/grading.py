"""Grade a whole class: many submissions -> gradebook, feedback, time limits, workers.

``teachkit grade`` (and :func:`grade`) grades each submission with two processes, each in the
OS sandbox (:mod:`teachkit.grading_sandbox`), so that a student's code can neither hang the
grader nor see or change the tests:

1. the notebook's process (:mod:`teachkit.grading_runner`) runs the cells alone in an empty
   folder with a wall-clock and a memory limit; at every ``grader.check`` and after the last
   cell it pauses and answers requests about its objects (:mod:`teachkit.grading_student`);
2. the examiner (:mod:`teachkit.grading_examiner`) holds the tests (read by the grader before
   any student code ran) and runs them, OK and python format alike, on data copied from the
   notebook and on proxies of its functions and objects, plus posterior provenance checks
   (:mod:`teachkit.provenance`);
3. the grader writes one gradebook row and one Markdown feedback file.

Scores come only from the examiner. Statuses: ``ok``, ``timeout``, ``memory``, ``error`` (the
notebook's process died), ``invalid-notebook`` (not JSON, empty, not a notebook),
``wrong-assignment`` (the notebook belongs to another assignment), ``tampered`` (the grader's
own files changed while it ran), ``grader-error`` (the tests themselves failed to run).

Examples
--------
>>> a = load_assignment(Path(__file__).parents[1] / "tests/fixtures/toy-assignment/dist/autograder")
>>> a.name, sorted(a.tests), sorted(a.names)
('toy-assignment', ['q1', 'q2', 'q3'], ['q1_mean', 'q2_summary', 'q3_z'])
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import socket
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from teachkit.grading_sandbox import Sandbox

STATUSES = ("ok", "timeout", "memory", "error", "invalid-notebook", "wrong-assignment", "tampered",
            "grader-error")
GRADER_VERSION = "1"
MAX_NOTEBOOK_BYTES = 100_000_000

_OTTER_PLUMBING = {"run_autograder", "run_otter.py", "setup.sh", "environment.yml", "requirements.txt",
                   "requirements.r", "otter_config.json"}


@dataclass(frozen=True)
class Assignment:
    """An assignment's autograder as the grader needs it.

    Attributes
    ----------
    name : str
        ``assignment_name`` from ``otter_config.json`` (or the folder name).
    tests : dict
        ``{question: test file source}``, read once, before any submission runs.
    names : tuple of str
        Globals the python-format tests take as parameters (OK-format tests look names up as
        they run).
    config : dict
        ``otter_config.json``.
    files : dict
        Support files ``{relative path: bytes}`` copied next to each notebook.
    source : str
        Where the autograder was read from.
    """

    name: str
    tests: dict
    names: tuple
    config: dict
    files: dict = field(default_factory=dict)
    source: str = ""

    @property
    def fingerprint(self) -> str:
        """Hash of everything that decides a score (tests, config, grader version)."""
        h = hashlib.sha256(GRADER_VERSION.encode())
        for q in sorted(self.tests):
            h.update(q.encode() + b"\0" + self.tests[q].encode() + b"\0")
        h.update(json.dumps(self.config, sort_keys=True).encode())
        return h.hexdigest()

    @property
    def possible(self) -> dict:
        """Points available per question (Otter's rules: ``points`` as a total or a list,
        per-case points, cases without points sharing the rest)."""
        from teachkit.grading_examiner import parse_test_file

        return {q: float(parse_test_file(src, q).possible) for q, src in sorted(self.tests.items())}

    @property
    def formats(self) -> dict:
        """``{question: "ok" | "python"}``."""
        from teachkit.grading_examiner import file_format

        return {q: file_format(src) for q, src in sorted(self.tests.items())}


def _assignment_from_members(members: dict[str, bytes], source: str, fallback_name: str) -> Assignment:
    from teachkit.grading_examiner import graded_names, parse_test_file

    tests = {Path(p).stem: data.decode("utf-8") for p, data in members.items()
             if p.startswith("tests/") and p.endswith(".py") and p.count("/") == 1
             and not Path(p).name.startswith("__")}
    if not tests:
        raise ValueError(f"{source} has no tests/*.py files; point at an autograder folder or "
                         "autograder zip made by `teachkit build` / `otter assign`")
    config = json.loads(members["otter_config.json"]) if "otter_config.json" in members else {}
    names: set[str] = set()
    for q, src in tests.items():
        try:
            parse_test_file(src, q)
        except Exception as exc:
            raise ValueError(f"test {q} of {source} is not a valid Otter test file (OK or python "
                             f"format): {type(exc).__name__}: {exc}") from None
        names |= graded_names(src)
    files = {p[len("files/"):]: d for p, d in members.items() if p.startswith("files/") and not p.endswith("/")}
    name = config.get("assignment_name") or fallback_name
    return Assignment(name, tests, tuple(sorted(names)), config, files, source)


def load_assignment(spec: str | os.PathLike, *, root: str | os.PathLike = ".") -> Assignment:
    """Read an assignment's autograder.

    Parameters
    ----------
    spec : str or path
        A folder with ``tests/*.py`` and ``otter_config.json`` (what ``otter assign`` writes),
        a folder holding an autograder zip, a zip, or a name under ``ROOT/autograder/``.
    root : path
        Project root used to resolve a bare name.

    Returns
    -------
    Assignment

    Raises
    ------
    ValueError
        If nothing gradable is found there.
    """
    path = Path(spec)
    if not path.exists() and (Path(root) / "autograder" / str(spec)).exists():
        path = Path(root) / "autograder" / str(spec)
    if not path.exists():
        raise ValueError(f"assignment {str(spec)!r} not found: give a folder or zip made by "
                         f"`teachkit build`, or a name under {Path(root) / 'autograder'}")
    if path.is_dir():
        if (path / "tests").is_dir():
            members = {f"tests/{p.name}": p.read_bytes() for p in sorted((path / "tests").glob("*.py"))}
            for extra in ("otter_config.json",):
                if (path / extra).is_file():
                    members[extra] = (path / extra).read_bytes()
            if (path / "files").is_dir():
                for p in sorted((path / "files").rglob("*")):
                    if p.is_file():
                        members[f"files/{p.relative_to(path / 'files').as_posix()}"] = p.read_bytes()
            return _assignment_from_members(members, str(path), path.name)
        zips = sorted(path.glob("*.zip"))
        if len(zips) != 1:
            raise ValueError(f"{path} has no tests/ folder and {len(zips)} zip files; expected one autograder zip")
        path = zips[0]
    try:
        with zipfile.ZipFile(path) as zf:
            members = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{path} is not a zip file: {exc}") from None
    return _assignment_from_members(members, str(path), path.stem)


@dataclass
class Submission:
    """One notebook to grade: an id for the gradebook and its raw bytes."""

    id: str
    data: bytes
    origin: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _safe_id(text: str) -> str:
    out = "".join(c if c.isalnum() or c in "-_." else "_" for c in text).strip("._")
    return out or "submission"


def find_submissions(paths: Iterable[str | os.PathLike]) -> list[Submission]:
    """Collect submissions from ``.ipynb`` files, folders (searched recursively) and zips.

    A zip (e.g. Gradescope's "Export Submissions") contributes every ``.ipynb`` inside it, named
    after its folder (``submission_123``) or file. Files given explicitly are graded even when
    they are not notebooks (they get the status ``invalid-notebook``). Ids are made unique.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "ana.ipynb").write_text("{}")
    ...     [s.id for s in find_submissions([d])]
    ['ana']
    """
    found: list[tuple[str, bytes, str]] = []
    for spec in paths:
        p = Path(spec)
        if not p.exists():
            raise ValueError(f"submission {str(p)!r} does not exist")
        if p.is_dir():
            for f in sorted(p.rglob("*.ipynb")):
                if ".ipynb_checkpoints" in f.parts:
                    continue
                rel = f.relative_to(p)
                found.append((rel.stem if len(rel.parts) == 1 else "_".join(rel.parts[:-1]) + "_" + rel.stem,
                              f.read_bytes(), str(f)))
        elif p.suffix == ".zip":
            try:
                with zipfile.ZipFile(p) as zf:
                    for info in sorted(zf.infolist(), key=lambda i: i.filename):
                        name = info.filename
                        if info.is_dir() or not name.endswith(".ipynb") or "__MACOSX" in name or ".ipynb_checkpoints" in name:
                            continue
                        parts = Path(name).parts
                        sid = parts[-2] if len(parts) > 1 else Path(name).stem
                        if info.file_size > MAX_NOTEBOOK_BYTES:
                            data = b""
                        else:
                            data = zf.read(info)
                        found.append((sid, data, f"{p}:{name}"))
            except zipfile.BadZipFile:
                found.append((p.stem, p.read_bytes(), str(p)))
        else:
            found.append((p.stem, p.read_bytes()[:MAX_NOTEBOOK_BYTES + 1], str(p)))
    seen: dict[str, int] = {}
    subs = []
    for sid, data, origin in found:
        sid = _safe_id(sid)
        if sid in seen:
            seen[sid] += 1
            sid = f"{sid}-{seen[sid]}"
        else:
            seen[sid] = 1
        subs.append(Submission(sid, data, origin))
    return subs


def parse_notebook(data: bytes, assignment: Assignment) -> tuple[dict | None, str, str]:
    """Parse and validate a submission: ``(notebook, status, reason)``; notebook None if not gradable.

    Examples
    --------
    >>> a = Assignment("hw", {"q1": ""}, ("q1_x",), {"assignment_name": "hw"})
    >>> parse_notebook(b"", a)[1:]
    ('invalid-notebook', 'the file is empty')
    >>> parse_notebook(b'{"cells": [], "metadata": {"otter": {"assignment_name": "hw9"}}, "nbformat": 4}', a)[1]
    'wrong-assignment'
    """
    if not data.strip():
        return None, "invalid-notebook", "the file is empty"
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, "invalid-notebook", f"the file is larger than {MAX_NOTEBOOK_BYTES // 10**6} MB"
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, "invalid-notebook", f"the file is not a Jupyter notebook (not valid JSON: {exc})"[:300]
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "invalid-notebook", "the file is JSON but not a Jupyter notebook (no list of cells)"
    if int(nb.get("nbformat", 4) or 4) < 4:
        return None, "invalid-notebook", "the notebook uses nbformat 3 or older; open and re-save it in Jupyter"
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    otter_meta = meta.get("otter") if isinstance(meta.get("otter"), dict) else {}
    got = otter_meta.get("assignment_name")
    expected = assignment.config.get("assignment_name")
    if expected and got and got != expected:
        return None, "wrong-assignment", f"this notebook is for assignment '{got}', not '{expected}'"
    if not any(isinstance(c, dict) and c.get("cell_type") == "code" for c in nb["cells"]):
        return None, "invalid-notebook", "the notebook has no code cells"
    return nb, "ok", ""


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


def _integrity_files(full: bool = True) -> list[Path]:
    import teachkit

    pkg = Path(teachkit.__file__).parent
    if full:
        # Without an OS sandbox: every file the test side may import. (This also flags a
        # maintainer's edit of teachkit made while a class is being graded.)
        files = sorted(pkg.rglob("*.py"))
    else:
        # In bubblewrap the installation is read-only to notebooks; hash the grader's own
        # modules only, as a tripwire.
        files = sorted(pkg.glob("grading*.py")) + [pkg / "provenance.py", pkg / "__init__.py"]
    try:
        import otter
        import otter.test_files as otf

        files += sorted(Path(otter.__file__).parent.rglob("*.py")) if full else sorted(
            Path(otf.__file__).parent.glob("*.py"))
    except Exception:
        pass
    from teachkit.grading_runner import site_packages

    sp = Path(site_packages())
    files += sorted(sp.glob("*.pth")) + sorted(sp.glob("sitecustomize.py")) + sorted(sp.glob("usercustomize.py"))
    return files


def integrity_snapshot(assignment: Assignment | None = None, *, full: bool = True) -> str:
    """Hash of the code that grades: with ``full`` every file of teachkit and Otter, else
    teachkit's grading modules and Otter's test runner; always the ``*.pth``/``sitecustomize``
    start-up hooks that every Python process runs.

    Taken before and after each notebook runs: a change means a notebook escaped the sandbox
    and edited what grades it.
    """
    h = hashlib.sha256()
    for f in _integrity_files(full):
        try:
            h.update(str(f).encode() + b"\0" + f.read_bytes())
        except OSError:
            h.update(str(f).encode() + b"\0missing")
    return h.hexdigest()


def _where(at) -> str:
    if at == "end":
        return "graded after the last cell"
    if isinstance(at, int):
        return f"graded at `grader.check` in cell {at + 1}"
    return ""


def _feedback(sid: str, status: str, reason: str, questions: dict, possible: dict, cell_errors: list,
              problems: dict, formats: dict | None = None) -> str:
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
    for q in sorted(possible):
        res = questions.get(q)
        if res is None:
            lines += [f"### {q}: 0 / {possible[q]:g}", "", "Not graded: " + (reason or "no results."), ""]
            continue
        lines += [f"### {q}: {res['score']:g} / {res['possible']:g}", ""]
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
        if failed and lines[-1] != "":
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def grade_one(sub: Submission, assignment: Assignment, *, timeout: float = 600, memory_mb: float | None = 4096,
              protected: list[str] = (), workroot: str | None = None, cancel: threading.Event | None = None,
              guard: bool = True, check_integrity: bool = True, sandbox: str | Sandbox = "auto",
              request_timeout: float = 30.0) -> Result:
    """Grade one submission (steps 1–3 of the module docstring) and clean up after it.

    Parameters
    ----------
    sub : Submission
    assignment : Assignment
    timeout : float
        Wall-clock limit (seconds) for the notebook.
    memory_mb : float, optional
        Memory limit (MB) for the notebook's process tree.
    protected : list of str
        Extra folders the notebook may not read (the gradebook folder, the project's solutions).
    workroot : str, optional
        Parent of the per-submission work folder (default: the system temp folder).
    cancel : threading.Event, optional
        Set to abort at once.
    guard : bool
        Install the sandbox's audit-hook guard.
    check_integrity : bool
        Without an OS sandbox, hash all of teachkit, Otter and the start-up hooks before and
        after the notebook runs (in bubblewrap they are read-only mounts: no hash).
    sandbox : {"auto", "bwrap", "none"} or Sandbox
        The OS sandbox of both processes (:mod:`teachkit.grading_sandbox`).
    request_timeout : float
        Seconds each request of the examiner to the notebook may take (a student function a
        test calls); a function that runs longer fails that test case.

    Returns
    -------
    Result
    """
    from teachkit import grading_sandbox as sb
    from teachkit.grading_examiner import prepare_examiner
    from teachkit.grading_runner import notebook_outcome, prepare_notebook, remove_tree

    t0 = time.monotonic()
    box = sb.resolve_sandbox(sandbox)
    possible = assignment.possible
    key = _result_key(sub, assignment, timeout, memory_mb, box)

    def result(status, reason, questions=None, cell_errors=(), problems=None):
        scores = {q: float(questions[q]["score"]) if questions and q in questions else 0.0 for q in possible}
        return Result(sub.id, status, sum(scores.values()), sum(possible.values()), scores,
                      round(time.monotonic() - t0, 2), reason, sub.sha256, key,
                      _feedback(sub.id, status, reason, questions or {}, possible, list(cell_errors), problems or {},
                                assignment.formats),
                      sub.origin, sandbox=box.label)

    nb, status, reason = parse_notebook(sub.data, assignment)
    if nb is None:
        return result(status, reason)
    work = Path(tempfile.mkdtemp(prefix="teachkit-grade-", dir=workroot))
    ctl_r = None
    try:
        # Without an OS sandbox, hash all the code that grades before and after. In bubblewrap
        # the installation is mounted read-only for both processes, so there is nothing to catch,
        # and a hash would only flag maintainers' edits made while a class is graded.
        check_integrity = check_integrity and box.kind != "bwrap"
        before = integrity_snapshot(full=True) if check_integrity else None
        nb_sock, exam_sock = socket.socketpair()
        ctl_r, ctl_w = os.pipe()
        budget = max(120.0, float(timeout))
        try:
            student = prepare_notebook(
                nb, work / "nb", timeout=timeout, memory_mb=memory_mb,
                protected=[*protected, assignment.source, *([workroot] if workroot else [])],
                support_files=assignment.files, seed=assignment.config.get("seed"),
                seed_variable=assignment.config.get("seed_variable"), guard=guard, cancel=cancel,
                sandbox=box, compile_hint=tuple(assignment.tests.values()), socket_fd=nb_sock.fileno())
            examiner = prepare_examiner(
                assignment.tests, work / "exam", socket_fd=exam_sock.fileno(), control_fd=ctl_w, sandbox=box,
                timeout=timeout + budget + 60, memory_mb=memory_mb, budget=budget,
                request_timeout=request_timeout, cancel=cancel)
            student.start()
            examiner.start()
        finally:  # the children hold their ends now
            nb_sock.close()
            exam_sock.close()
            os.close(ctl_w)
        outcome: dict = {}
        hang: list[str] = []

        def watch_student():
            outcome["student"] = student.wait()

        def control():  # the examiner pauses the notebook's clock while it grades a checkpoint
            with os.fdopen(ctl_r, "r", closefd=False) as fh:
                for line in fh:
                    try:
                        msg = json.loads(line)
                    except ValueError:
                        continue
                    if msg.get("pause"):
                        student.pause()
                    elif msg.get("resume"):
                        student.resume()
                    elif msg.get("kill"):
                        hang.append(str(msg["kill"])[:500])
                        student.stop(hang[-1])

        threads = [threading.Thread(target=watch_student, daemon=True), threading.Thread(target=control, daemon=True)]
        for t in threads:
            t.start()
        exam_proc = examiner.wait()
        exam = _read_json(work / "exam" / "result.json")
        threads[0].join(15 if exam.get("finished") else 0.5)  # it was told to exit; else stop it
        if threads[0].is_alive():
            student.stop("the examination is over")
            threads[0].join()
        threads[1].join(5)
        run = notebook_outcome(outcome["student"], work / "nb", timeout=timeout, memory_mb=memory_mb,
                               finished=bool(exam.get("finished")))
        if check_integrity and integrity_snapshot(full=True) != before:
            return result("tampered", "the grader's own files changed while this notebook ran; the "
                          "grading run was stopped. Reinstall teachkit and Otter before grading again.")
        if run.status == "cancelled" or exam_proc.status == "cancelled":
            return result("error", "grading was interrupted")
        if run.status == "memory":
            return result("memory", run.reason, cell_errors=run.cell_errors)
        broken = exam.get("grader_error") or "; ".join(f"{q}: {m}" for q, m in (exam.get("grader_errors") or {}).items())
        if broken or exam_proc.status != "ok" or "questions" not in exam:
            if run.status == "error" and not broken:
                return result("error", run.reason, cell_errors=run.cell_errors)
            tail = (exam_proc.output.strip().splitlines() or [""])[-1]
            return result("grader-error", f"the hidden tests could not run ({exam_proc.status}, exit "
                          f"{exam_proc.returncode}): {(broken or tail)[:300]}", cell_errors=run.cell_errors)
        questions = exam["questions"]
        if hang:
            return result("timeout", hang[0], questions, run.cell_errors)
        if run.status == "error" and not exam.get("finished"):
            return result("error", run.reason, cell_errors=run.cell_errors)
        if run.status == "timeout":
            return result("timeout", run.reason, questions, run.cell_errors)
        return result("ok", "", questions, run.cell_errors)
    finally:
        if ctl_r is not None:
            try:
                os.close(ctl_r)
            except OSError:
                pass
        remove_tree(work)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _result_key(sub: Submission, assignment: Assignment, timeout, memory_mb, box) -> str:
    """What a cached result depends on: the notebook, the tests, the limits, the sandbox."""
    sandbox = box.kind if hasattr(box, "kind") else str(box)
    return hashlib.sha256((sub.sha256 + assignment.fingerprint + f"{timeout}:{memory_mb}:{sandbox}").encode()).hexdigest()


def _grade_remote(sub: Submission, assignment: Assignment, options: dict) -> Result:
    """Dask task: grade one submission on whichever machine runs the task."""
    return grade_one(sub, assignment, **options)


@dataclass
class Gradebook:
    """All results of a grading run, in submission order."""

    assignment: str
    questions: list
    results: list

    def rows(self) -> list[dict]:
        """Gradebook rows: id, total, one column per question, status, seconds, reason, sandbox."""
        rows = []
        for r in self.results:
            row = {"id": r.id, "total": round(r.total, 4), "possible": round(r.possible, 4)}
            row |= {q: round(r.scores.get(q, 0.0), 4) for q in self.questions}
            row |= {"status": r.status, "seconds": r.seconds, "reason": r.reason, "sandbox": r.sandbox}
            rows.append(row)
        return rows

    def to_csv(self, path: str | os.PathLike) -> Path:
        """Write ``gradebook.csv``."""
        path = Path(path)
        fields = ["id", "total", "possible", *self.questions, "status", "seconds", "reason", "sandbox"]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(self.rows())
        path.write_text(buf.getvalue())
        return path

    def by_id(self) -> dict:
        return {r.id: r for r in self.results}


def warmup(*, quiet: bool = True, timeout: float = 1800) -> float:
    """Compile the reference models once (``teachkit warmup``) so fits in notebooks hit the cache.

    Returns the seconds it took. Runs in a subprocess so the grader's memory stays small.
    """
    from teachkit.grading_process import run_limited

    r = run_limited([sys.executable, "-m", "teachkit", "warmup"], timeout=timeout)
    if r.returncode != 0 and not quiet:
        print(f"teachkit grade: warm-up failed (exit {r.returncode}); grading continues cold:\n"
              f"{r.output[-500:]}", file=sys.stderr)
    return r.seconds


def grade(
    assignment: str | os.PathLike | Assignment,
    submissions: Iterable[str | os.PathLike] | list[Submission],
    *,
    workers: int = 1,
    timeout: float = 600,
    memory_mb: float | None = 4096,
    out: str | os.PathLike = "grading-output",
    dask: str | None = None,
    progress: bool = True,
    rerun: bool = False,
    warm: bool | None = None,
    guard: bool = True,
    root: str | os.PathLike = ".",
    sandbox: str = "auto",
) -> Gradebook:
    """Grade submissions; write ``OUT/gradebook.csv``, ``OUT/feedback/ID.md`` and a result cache.

    Parameters
    ----------
    assignment : str, path or Assignment
        See :func:`load_assignment`.
    submissions : iterable of paths, or list of Submission
        ``.ipynb`` files, folders, Gradescope-style zips.
    workers : int
        Submissions graded at once on this machine (each uses about one core).
    timeout : float
        Wall-clock limit per notebook (seconds).
    memory_mb : float, optional
        Memory limit per notebook (MB); None for none.
    out : path
        Output folder.
    dask : str, optional
        Address of a Dask scheduler (``tcp://host:8786``) or a ``distributed.Client``; the
        submissions are then graded by the cluster's workers (each needs teachkit installed).
    progress : bool
        Show a progress bar (tqdm, on stderr).
    rerun : bool
        Grade again even submissions whose content, tests and limits are unchanged since the
        last run in ``out`` (their cached result is reused otherwise).
    warm : bool, optional
        Run the compile warm-up first; default: when the tests mention PyMC, teachkit's models
        or grade fitted data (``*_idata``, ``*_model`` globals) and no full warm-up with the
        installed versions has filled the compile cache yet (:func:`teachkit.sampling.is_warm`).
    guard : bool
        Install the sandbox guard (keep on; off only for measurements).
    root : path
        Project root used to resolve an assignment name.
    sandbox : {"auto", "bwrap", "none"}
        OS isolation of the notebooks and the hidden tests (:mod:`teachkit.grading_sandbox`):
        ``auto`` uses bubblewrap when it works here and otherwise says so on stderr and in the
        gradebook's ``sandbox`` column; ``bwrap`` fails when it cannot; ``none`` runs with the
        audit-hook guard and the full integrity hash only.

    Returns
    -------
    Gradebook
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1; got {workers}")
    if timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds; got {timeout}")
    from teachkit.grading_sandbox import resolve_sandbox

    a = assignment if isinstance(assignment, Assignment) else load_assignment(assignment, root=root)
    box = resolve_sandbox(sandbox)
    if box.kind != "bwrap" and not dask:
        print(f"teachkit grade: WARNING: NO OS SANDBOX: {box.reason}. Notebooks run as this user "
              "with only an audit-hook guard, which native code (ctypes) bypasses; grade hostile "
              "classes with bubblewrap (apt-get install bubblewrap).", file=sys.stderr)
    subs = list(submissions)
    if subs and not isinstance(subs[0], Submission):
        subs = find_submissions(subs)
    if not subs:
        raise ValueError("no submissions found: give .ipynb files, folders holding them, or zips")
    out = Path(out)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    cache_dir = out / ".results"
    cache_dir.mkdir(exist_ok=True)
    if warm is None:
        from teachkit.sampling import is_warm

        warm = not is_warm() and any(
            w in src for src in a.tests.values()
            for w in ("pymc", "teachkit.models", "teachkit.sampling", "_idata", "_model"))
    if warm:
        warmup()
    protected = [str(out.resolve())]
    solutions = Path(a.source).resolve().parents[1] / "solutions" if len(Path(a.source).resolve().parents) > 1 else None
    if solutions is not None and solutions.is_dir():
        protected.append(str(solutions))
    # over Dask each worker decides for itself (its machine may lack bubblewrap) unless told
    options = dict(timeout=timeout, memory_mb=memory_mb, protected=protected, guard=guard,
                   sandbox=sandbox if dask else box)
    results: dict[str, Result] = {}
    todo = []
    for s in subs:
        cached = cache_dir / f"{s.id}.json"
        key = _result_key(s, a, timeout, memory_mb, box)
        if not rerun and cached.is_file():
            try:
                old = Result(**json.loads(cached.read_text()))
                if old.key == key and (out / "feedback" / f"{s.id}.md").is_file():
                    old.skipped = True
                    results[s.id] = old
                    continue
            except (TypeError, ValueError):
                pass
        todo.append(s)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(subs), initial=len(subs) - len(todo), desc=f"grading {a.name}", unit="nb",
                   file=sys.stderr, dynamic_ncols=True)

    def record(r: Result):
        results[r.id] = r
        (out / "feedback" / f"{r.id}.md").write_text(r.feedback)
        (cache_dir / f"{r.id}.json").write_text(json.dumps(asdict(r)))
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{r.id}: {r.status}", refresh=False)

    cancel = threading.Event()
    tampered = False
    runroot = tempfile.mkdtemp(prefix="teachkit-grade-run-")
    options["workroot"] = runroot
    try:
        if dask:
            from distributed import Client
            from distributed import as_completed as dask_completed

            client = dask if isinstance(dask, Client) else Client(dask)
            try:
                remote = {k: v for k, v in options.items() if k != "workroot"}  # a local path
                futures = [client.submit(_grade_remote, s, a, remote, pure=False, key=f"grade-{s.id}-{s.sha256[:12]}")
                           for s in todo]
                for fut in dask_completed(futures):
                    record(fut.result())
            finally:
                if not isinstance(dask, Client):
                    client.close()
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = [pool.submit(grade_one, s, a, cancel=cancel, **options) for s in todo]
                try:
                    for fut in as_completed(futures):
                        r = fut.result()
                        record(r)
                        if r.status == "tampered":
                            tampered = True
                            cancel.set()
                except BaseException:
                    cancel.set()
                    for f in futures:
                        f.cancel()
                    raise
    finally:
        if bar is not None:
            bar.close()
        from teachkit.grading_runner import remove_tree

        remove_tree(runroot)
    book = Gradebook(a.name, list(a.possible), [results[s.id] for s in subs if s.id in results])
    book.to_csv(out / "gradebook.csv")
    if tampered:
        raise RuntimeError("a submission changed the grader's own files (status 'tampered' in "
                           f"{out / 'gradebook.csv'}); grading stopped. Reinstall teachkit and Otter.")
    return book


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def grade_cli(args: argparse.Namespace) -> int:
    """Run ``teachkit grade`` from parsed arguments; print a summary.

    SIGTERM is turned into KeyboardInterrupt so that a stopped run still kills its notebooks'
    processes and deletes its temporary folders.
    """
    import signal

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_interrupt)
    book = grade(args.assignment, args.submissions, workers=args.workers, timeout=args.timeout,
                 memory_mb=args.memory or None, out=args.out, dask=args.dask, progress=not args.no_progress,
                 rerun=args.rerun, warm={"auto": None, "yes": True, "no": False}[args.warmup],
                 sandbox=getattr(args, "sandbox", "auto"))
    counts: dict[str, int] = {}
    for r in book.results:
        counts[r.status] = counts.get(r.status, 0) + 1
    skipped = sum(r.skipped for r in book.results)
    print(f"graded {len(book.results)} submissions of {book.assignment} ({skipped} unchanged, reused): "
          + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    boxes = sorted({r.sandbox for r in book.results if r.sandbox})
    print("sandbox: " + (", ".join(boxes) or "none"))
    if any(not b.startswith("bwrap") for b in boxes):
        print("WARNING: some notebooks ran WITHOUT an OS sandbox (see the gradebook's sandbox column)",
              file=sys.stderr)
    print(f"gradebook: {Path(args.out) / 'gradebook.csv'}; feedback: {Path(args.out) / 'feedback'}/")
    return 0
