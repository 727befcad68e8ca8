"""Grade a whole class: many submissions -> gradebook, feedback, workers, Dask, a result cache.

:func:`grade` (``teachkit grade``) resolves the sandbox once (and says loudly when there is no
OS sandbox), runs the compile warm-up when the tests fit models, grades every submission with
:func:`teachkit.grading.pipeline.grade_one` on a thread pool or a Dask cluster, reuses cached
results of unchanged submissions, shows a progress bar, and writes ``gradebook.csv``,
``feedback/ID.md``, ``logs/ID.json`` and ``integrity.csv``. With a roster
(:mod:`teachkit.grading.roster`) it matches submissions to students, checks each notebook's
STUDENT_ID and lists missing students; ``only`` regrades some students and keeps every other row;
``export="canvas"`` writes ``canvas.csv`` (:mod:`teachkit.grading.lms`). ``teachkit grade``
(:mod:`teachkit.cli`) calls :func:`grade`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

from teachkit.grading import integrity, lms
from teachkit.grading.assignment import Assignment, load_assignment
from teachkit.grading.feedback import Gradebook, Result
from teachkit.grading.pipeline import _result_key, grade_one
from teachkit.grading.roster import (
    DeclaredId,
    Roster,
    id_check,
    match_submissions,
    read_gradescope_metadata,
    read_roster,
)
from teachkit.grading.submission import Submission, find_submissions

__all__ = ["grade", "warmup"]


def _grade_remote(sub: Submission, assignment: Assignment, options: dict) -> Result:
    """Dask task: grade one submission on whichever machine runs the task."""
    return grade_one(sub, assignment, **options)


def warmup(*, quiet: bool = True, timeout: float = 1800) -> float:
    """Compile the reference models once (``teachkit warmup``) so fits in notebooks hit the cache.

    Returns the seconds it took. Runs in a subprocess so the grader's memory stays small.
    """
    from teachkit.grading.limits import run_limited

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
    roster: str | os.PathLike | Roster | None = None,
    only: Iterable[str] | None = None,
    export: str | None = None,
    export_column: str | None = None,
    template: str | os.PathLike | None = None,
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
        installed versions has filled the compile cache yet (:func:`teachkit.fit.is_warm`).
    guard : bool
        Install the sandbox guard (keep on; off only for measurements).
    root : path
        Project root used to resolve an assignment name.
    sandbox : {"auto", "bwrap", "none"}
        OS isolation of the notebooks and the hidden tests (:mod:`teachkit.grading.sandbox`):
        ``auto`` uses bubblewrap when it works here and otherwise says so on stderr and in the
        gradebook's ``sandbox`` column; ``bwrap`` fails when it cannot; ``none`` runs with the
        audit-hook guard and the full integrity hash only.
    roster : path or Roster, optional
        ``roster.csv`` (:func:`teachkit.grading.roster.read_roster`): submissions are matched to
        students (Gradescope's ``submission_metadata.yml``, else the file name), each notebook's
        ``STUDENT_ID`` is checked against its owner (the ``id_check`` column), students without
        a submission get a ``missing`` row with total 0, and the gradebook gains ``student, name,
        email`` (and ``section``).
    only : iterable of str, optional
        Regrade just these submissions (a submission id, or a roster id: all of that student's
        submissions), whatever the cache says, and keep every other row of ``OUT/gradebook.csv``
        as it was (from ``OUT/.results``). An unknown ID is an error.
    export : {"canvas"}, optional
        Also write ``OUT/canvas.csv`` for Canvas's gradebook import (needs ``roster``).
    export_column : str, optional
        The Canvas assignment column's title (default: the assignment's name; ``Title (id)``
        updates an existing Canvas assignment).
    template : path, optional
        The notebook handed out to students, whose cells are never counted as shared code
        (default: ``exercises/<assignment>.ipynb`` beside the autograder folder, when it exists).

    Returns
    -------
    Gradebook
        Also carries ``flags`` (the integrity report) and ``outputs`` (the files written).
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1; got {workers}")
    if timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds; got {timeout}")
    from teachkit.grading.sandbox import resolve_sandbox

    if export is not None and export not in lms.EXPORTS:
        raise ValueError(f"unknown export {export!r}; known: {', '.join(lms.EXPORTS)}")
    if export is not None and roster is None:
        raise ValueError(f"--export {export} needs a roster (the LMS matches students by their IDs and "
                         "names): add --roster roster.csv with columns id,name,email")
    ros = roster if isinstance(roster, Roster) or roster is None else read_roster(roster)
    a = assignment if isinstance(assignment, Assignment) else load_assignment(assignment, root=root)
    box = resolve_sandbox(sandbox)
    if box.kind != "bwrap" and not dask:
        print(f"teachkit grade: WARNING: NO OS SANDBOX: {box.reason}. Notebooks run as this user "
              "with only an audit-hook guard, which native code (ctypes) bypasses; grade hostile "
              "classes with bubblewrap (apt-get install bubblewrap).", file=sys.stderr)
    subs = list(submissions)
    metadata: dict = {}
    if subs and not isinstance(subs[0], Submission):
        if ros is not None:
            metadata = read_gradescope_metadata(subs)
        subs = find_submissions(subs)
    if not subs:
        raise ValueError("no submissions found: give .ipynb files, folders holding them, or zips")
    out = Path(out)
    cache_dir = out / ".results"
    chosen = _choose(only, subs, ros, metadata) if only is not None else None
    kept = _kept_rows(out, cache_dir, {s.id for s in subs}) if chosen is not None else []
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "logs").mkdir(exist_ok=True)
    cache_dir.mkdir(exist_ok=True)
    if warm is None:
        from teachkit.fit import is_warm

        warm = not is_warm() and any(
            w in src for src in a.tests.values()
            for w in ("pymc", "teachkit.models", "teachkit.sampling", "_idata", "_model"))
    if warm:
        warmup(quiet=False)  # a failed warm-up grades cold: slower, and worth saying
    if warm is not False and not dask:  # the instructor's notebook compiles the graphs students build
        from teachkit.grading.solution_warmup import warm_from_solution

        warm_from_solution(a, quiet=not progress)
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
        if chosen is not None and s.id not in chosen:  # --only: keep this row as it is
            old = _load_result(cached)
            results[s.id] = old if old is not None else _not_graded(s, a)
            continue
        if not rerun and chosen is None and cached.is_file():
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
        (out / "logs" / f"{r.id}.json").write_text(json.dumps(submission_log(r), indent=1, default=str))
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
        from teachkit.grading.sandboxed_run import remove_tree

        remove_tree(runroot)
    book = Gradebook(a.name, list(a.possible), kept + [results[s.id] for s in subs if s.id in results],
                     possible=float(sum(a.possible.values())))
    _finish_class(book, a, out, ros, metadata, export=export, export_column=export_column,
                  template=template)
    if tampered:
        raise RuntimeError("a submission changed the grader's own files (status 'tampered' in "
                           f"{out / 'gradebook.csv'}); grading stopped. Reinstall teachkit and Otter.")
    return book


# --- the class around the results: roster, --only, integrity, exports -------------------------------

def _choose(only: Iterable[str], subs: list[Submission], ros: Roster | None, metadata: dict) -> set[str]:
    """The submission ids ``only`` names (submission ids, or roster ids: all their submissions)."""
    by_id = {s.id.casefold(): s.id for s in subs}
    owners = match_submissions(subs, ros, metadata) if ros is not None else {}
    chosen: set[str] = set()
    for token in only:
        t = str(token).strip()
        if t.casefold() in by_id:
            chosen.add(by_id[t.casefold()])
            continue
        student = ros.get(t) if ros is not None else None
        if student is not None:
            mine = [sid for sid, who in owners.items() if student in who]
            if not mine:
                raise ValueError(f"--only {t}: roster student {student.name or student.id} has no submission "
                                 "among the SUBMISSIONS given; add the notebook, or check its file name")
            chosen.update(mine)
            continue
        known = ", ".join(sorted(s.id for s in subs)[:20]) + (" ..." if len(subs) > 20 else "")
        raise ValueError(f"--only {t}: no submission has this id" + (" and no roster student has this ID"
                         if ros is not None else "") + f"; submission ids are: {known}")
    return chosen


def _load_result(path: Path) -> Result | None:
    try:
        r = Result(**json.loads(path.read_text()))
    except (OSError, TypeError, ValueError):
        return None
    r.skipped = True
    return r


def _kept_rows(out: Path, cache_dir: Path, given: set[str]) -> list[Result]:
    """With ``only``: the results of rows of the existing ``gradebook.csv`` whose submissions were
    not given this time, from the result cache (a row without a cached result cannot be kept)."""
    import csv

    book = out / "gradebook.csv"
    if not book.is_file():
        return []
    with book.open(newline="") as fh:
        ids = [row.get("id", "") for row in csv.DictReader(fh)]
    kept = []
    for sid in ids:
        if sid and sid not in given:
            r = _load_result(cache_dir / f"{sid}.json")
            if r is not None:
                kept.append(r)
    return kept


def _not_graded(s: Submission, a: Assignment) -> Result:
    return Result(s.id, "not-graded", 0.0, float(sum(a.possible.values())), {q: 0.0 for q in a.possible}, 0.0,
                  "not graded yet: --only named other submissions; run without --only to grade it",
                  s.sha256, "", origin=s.origin, skipped=True)


def submission_log(r: Result) -> dict:
    """What ``OUT/logs/ID.json`` holds: how one submission was graded (cells run with their seconds
    and statuses, where each question was graded, each test case, sandbox, versions, fingerprints)."""
    return {"id": r.id, "origin": r.origin, "sha256": r.sha256, "status": r.status, "reason": r.reason,
            "total": r.total, "possible": r.possible, "scores": r.scores, "seconds": r.seconds,
            "sandbox": r.sandbox, "versions": r.versions, "declared_student_id": r.declared,
            "fingerprints": r.fingerprints, **(r.log or {}), "cases": r.cases}


def _template_hashes(a: Assignment, template) -> set[str]:
    path = Path(template) if template is not None else None
    if path is None:
        src = Path(a.source).resolve()
        if len(src.parents) > 1:
            path = src.parents[1] / "exercises" / f"{a.name}.ipynb"
    if path is None or not path.is_file():
        return set()
    try:
        return set(integrity.code_cell_hashes(json.loads(path.read_text()), min_chars=0))
    except (OSError, ValueError):
        return set()


def _finish_class(book: Gradebook, a: Assignment, out: Path, ros: Roster | None, metadata: dict, *,
                  export: str | None, export_column: str | None, template) -> None:
    """Roster columns, missing students, the integrity report and the exports, then the CSVs."""
    declared = {r.id: DeclaredId(bool((r.declared or {}).get("found")), (r.declared or {}).get("value"))
                for r in book.results}
    owners: dict = {}
    if ros is not None:
        owners = match_submissions(book.results, ros, metadata)
        book.people = {}
        for r in book.results:
            who = owners.get(r.id) or []
            book.people[r.id] = {"student": "; ".join(s.id for s in who), "name": "; ".join(s.name for s in who),
                                 "email": "; ".join(s.email for s in who),
                                 "section": "; ".join(s.section for s in who),
                                 "id_check": id_check(declared[r.id], who, ros)}
        owned = {s.id for who in owners.values() for s in who}
        book.missing = [s for s in ros.students if s.id not in owned]
        book.has_section = ros.has_section
    book.flags = integrity.integrity_flags(book.results, template=_template_hashes(a, template), owners=owners,
                                           roster=ros, declared=declared)
    book.outputs["gradebook"] = book.to_csv(out / "gradebook.csv")
    book.outputs["integrity"] = integrity.write_integrity_csv(book.flags, out / "integrity.csv")
    if export == "canvas" and ros is not None:
        best: dict[str, float] = {}
        for r in book.results:
            for s in owners.get(r.id) or []:
                best[s.id] = max(best.get(s.id, 0.0), r.total)
        grades = [(s, best.get(s.id, 0.0)) for s in ros.students]
        book.outputs["canvas"] = lms.write_canvas_csv(out / "canvas.csv", export_column or a.name,
                                                      float(sum(a.possible.values())), grades)
