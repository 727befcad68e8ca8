"""Grade a whole class: many submissions -> gradebook, feedback, workers, Dask, a result cache.

:func:`grade` (``teachkit grade``) resolves the sandbox once (and says loudly when there is no
OS sandbox), runs the compile warm-up when the tests fit models, grades every submission with
:func:`teachkit.grading.pipeline.grade_one` on a thread pool or a Dask cluster, reuses cached
results of unchanged submissions, shows a progress bar, and writes ``gradebook.csv`` and
``feedback/ID.md``. ``teachkit grade`` (:mod:`teachkit.cli`) calls :func:`grade`.
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

from teachkit.grading.assignment import Assignment, load_assignment
from teachkit.grading.feedback import Gradebook, Result
from teachkit.grading.pipeline import _result_key, grade_one
from teachkit.grading.submission import Submission, find_submissions


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
        OS isolation of the notebooks and the hidden tests (:mod:`teachkit.grading.sandbox`):
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
    from teachkit.grading.sandbox import resolve_sandbox

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
        from teachkit.grading.sandboxed_run import remove_tree

        remove_tree(runroot)
    book = Gradebook(a.name, list(a.possible), [results[s.id] for s in subs if s.id in results])
    book.to_csv(out / "gradebook.csv")
    if tampered:
        raise RuntimeError("a submission changed the grader's own files (status 'tampered' in "
                           f"{out / 'gradebook.csv'}); grading stopped. Reinstall teachkit and Otter.")
    return book
