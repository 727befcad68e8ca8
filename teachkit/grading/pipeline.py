"""One submission's path through the steps: submission -> sandboxed run -> examination -> feedback.

:func:`grade_one` parses the notebook (:mod:`.submission`), starts the notebook's process
(:mod:`.sandboxed_run`) and the examiner (:mod:`.examination`) together, each in the OS sandbox
(:mod:`.sandbox`) under limits (:mod:`.limits`), joined by a socket (:mod:`.wire`); it pauses the
notebook's clock while the examiner grades a checkpoint, stops a notebook that ignores a
request's time limit, decides the status from both processes, and renders the feedback
(:mod:`.feedback`). Scores come only from the examiner. It leaves no process and no folder
behind, whatever happens.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import tempfile
import threading
import time
from pathlib import Path

from teachkit.grading.assignment import Assignment
from teachkit.grading.feedback import Result, case_summary, render_feedback, render_sections
from teachkit.grading.integrity import code_cell_hashes
from teachkit.grading.roster import declared_student_id
from teachkit.grading.sandbox import Sandbox, integrity_snapshot
from teachkit.grading.submission import Submission, parse_notebook
from teachkit.grading.versions import grading_versions

#: bumped when a Result gains what older cached results lack (2: fingerprints, code cells, log)
RESULT_FORMAT = "2"

STATUSES = ("ok", "timeout", "memory", "error", "invalid-notebook", "wrong-assignment", "tampered",
            "grader-error")


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
        The OS sandbox of both processes (:mod:`teachkit.grading.sandbox`).
    request_timeout : float
        Seconds each request of the examiner to the notebook may take (a student function a
        test calls); a function that runs longer fails that test case.

    Returns
    -------
    Result
    """
    from teachkit.grading import sandbox as sb
    from teachkit.grading.examination import prepare_examiner
    from teachkit.grading.sandboxed_run import notebook_outcome, prepare_notebook, remove_tree

    t0 = time.monotonic()
    box = sb.resolve_sandbox(sandbox)
    possible = assignment.possible
    key = _result_key(sub, assignment, timeout, memory_mb, box)

    versions = grading_versions()
    seen: dict = {"fingerprints": {}, "log": {}}  # filled as the steps run, for the result

    def result(status, reason, questions=None, cell_errors=(), problems=None):
        scores = {q: float(questions[q]["score"]) if questions and q in questions else 0.0 for q in possible}
        graded_at = {q: res.get("at") for q, res in (questions or {}).items()}
        return Result(sub.id, status, sum(scores.values()), sum(possible.values()), scores,
                      round(time.monotonic() - t0, 2), reason, sub.sha256, key,
                      render_feedback(sub.id, status, reason, questions or {}, possible, list(cell_errors), problems or {},
                                      assignment.formats, versions=versions, sandbox=box.label),
                      sub.origin, sandbox=box.label, cases=case_summary(questions),
                      sections=render_sections(questions or {}, possible, reason, assignment.formats),
                      versions=versions, fingerprints=dict(seen["fingerprints"]),
                      code_cells=list(seen.get("code_cells", [])), declared=dict(seen.get("declared", {})),
                      log=seen["log"] | {"graded_at": graded_at, "cell_errors": list(cell_errors)})

    nb, status, reason = parse_notebook(sub.data, assignment)
    if nb is None:
        return result(status, reason)
    seen["code_cells"] = code_cell_hashes(nb)
    declared = declared_student_id(nb)
    seen["declared"] = {"found": declared.found,
                        "value": declared.value if isinstance(declared.value, str) else None}
    work = Path(tempfile.mkdtemp(prefix="teachkit-grade-", dir=workroot))
    ctl_r = None
    try:
        # Without an OS sandbox, hash all the code that grades before and after. In bubblewrap
        # the installation is mounted read-only for both processes, so there is nothing to catch,
        # and a hash would only flag maintainers' edits made while a class is graded.
        check_integrity = check_integrity and box.kind != "bwrap"
        before = integrity_snapshot() if check_integrity else None
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
        fps = exam.get("fingerprints")
        seen["fingerprints"] = {str(k): str(v)[:64] for k, v in fps.items()} if isinstance(fps, dict) else {}
        seen["log"] = {"cells_run": run.cells, "notebook_seconds": round(run.seconds, 2),
                       "peak_mb": round(run.peak_mb, 1), "examination_seconds": exam.get("spent"),
                       "notebook_status": run.status, "finished": bool(exam.get("finished"))}
        if check_integrity and integrity_snapshot() != before:
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
    """What a cached result depends on: the notebook, the tests, the limits, the sandbox, and the
    versions that grade (another PyMC or PyTensor gives other chains)."""
    sandbox = box.kind if hasattr(box, "kind") else str(box)
    stack = json.dumps(grading_versions(), sort_keys=True)
    return hashlib.sha256((sub.sha256 + assignment.fingerprint + f"{timeout}:{memory_mb}:{sandbox}:{stack}"
                           f":{RESULT_FORMAT}").encode()).hexdigest()
