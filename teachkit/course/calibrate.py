"""``teachkit calibrate``: grade the solution, rewrites and wrong submissions over many seeds.

A test is trustworthy only if correct work passes it whatever the sampler's seed, and the
wrong work it is written for fails it whatever the seed. :func:`calibrate` measures that with
the real engine (:func:`teachkit.grading.pipeline.grade_one`: the same sandbox, examiner and
limits as ``teachkit grade``): it grades

- the solution: the student notebook with every answer cell filled in from the instructor's
  notebook (what a perfect student submits);
- the rewrites: correct notebooks in other styles (the spec's ``rewrites`` and any given);
- every wrong sample submission of ``solutions/calibration/<name>.toml``
  (:mod:`teachkit.course.calibration_spec`)

once per seed, with the assignment's seed variable (Otter's ``seed_variable``, ``SEED`` in
teachkit's notebooks) set to 1, 2, ..., N in turn, exactly as grading sets it to the
configured seed. Every run is appended to ``autograder/<name>/calibration-runs.jsonl`` as it
finishes; a later call reuses the runs whose notebook, tests and versions are unchanged, so a
long calibration can be stopped and resumed, and more seeds added. The report
``autograder/<name>/calibration.md`` (:mod:`teachkit.course.calibration_report`) is written from
those runs alone, so it can be regenerated (``--report-only``) and checked.

Per-student data: when the notebook sets ``STUDENT_ID = "..."`` (its data seed is then
:func:`teachkit.simulate.student_seed` of the assignment and the ID), each seed ``s`` also
grades a different student, ``STUDENT_ID = "calib0001"`` for seed 1 and so on
(:func:`calibration_student_id`), so the rates hold over the distribution of students' data
sets as well as of sampler seeds. Otherwise the data set stays the notebook's own
(``DATA_SEED``).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat

from teachkit.course import calibration_report
from teachkit.course.calibration_spec import CalibrationSpec, load_spec

__all__ = [
    "Candidate",
    "Calibration",
    "calibrate",
    "calibration_student_id",
    "candidates",
    "grading_versions",
    "read_runs",
    "runs_path",
    "report_path",
]


#: Versions that decide a grade; a run made with others is not reused.
def grading_versions() -> dict[str, str]:
    """The versions a grade depends on: those the gradebook records
    (:func:`teachkit.grading.versions.grading_versions`) and ArviZ, whose summaries checks read."""
    from importlib import metadata

    from teachkit.grading.versions import grading_versions as recorded

    try:
        arviz = metadata.version("arviz")
    except metadata.PackageNotFoundError:
        arviz = "not installed"
    return {**recorded(), "arviz": arviz}


def teachkit_commit() -> str:
    """The git commit of the teachkit source that grades (``+dirty`` with local edits), or ''.

    teachkit's version string does not change with every commit, so runs record this too: a
    calibration says which code it measured.
    """
    import subprocess

    src = Path(__file__).resolve().parents[2]
    if not (src / ".git").exists():
        return ""
    try:
        head = subprocess.run(
            ["git", "-C", str(src), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(src), "status", "--porcelain", "--", "teachkit"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return head + ("+dirty" if head and dirty else "")


@dataclass(frozen=True)
class Candidate:
    """One notebook to calibrate: ``kind`` is solution, rewrite or wrong."""

    label: str
    kind: str
    data: bytes
    wrong: object = None  # the WrongSubmission of a wrong one

    @property
    def sha256(self) -> str:
        import hashlib

        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Calibration:
    """The runs of a calibration and what they show."""

    name: str
    seeds: list[int]
    candidates: list[Candidate]
    runs: list[dict]
    report: calibration_report.Report
    paths: dict = field(default_factory=dict)
    text: str = ""


#: ``STUDENT_ID = "..."`` (or ``'...'``, or ``...``) at the start of a line of a code cell
_STUDENT_ID_LINE = re.compile(
    r"""^(?P<head>[ \t]*STUDENT_ID[ \t]*=[ \t]*)(?P<value>"[^"\n]*"|'[^'\n]*'|\.\.\.)""",
    re.MULTILINE,
)


def calibration_student_id(seed: int) -> str:
    """The made-up student whose data seed ``seed`` grades: ``calib0001`` for seed 1.

    >>> calibration_student_id(7)
    'calib0007'
    """
    return f"calib{seed:04d}"


def _is_per_student(data: bytes) -> bool:
    """Whether the notebook sets ``STUDENT_ID`` (read as the grader's roster check reads it)."""
    from teachkit.grading.roster import declared_student_id

    return declared_student_id(data).found


def _with_student_id(data: bytes, student_id: str) -> bytes:
    """The notebook ``data`` with every ``STUDENT_ID = ...`` line set to ``student_id``."""
    nb = nbformat.reads(data.decode(), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = _STUDENT_ID_LINE.sub(
                lambda m: f"{m['head']}{json.dumps(student_id)}", cell.source
            )
    return _bytes(nb)


def runs_path(name: str, root: str | Path = ".") -> Path:
    return Path(root) / "autograder" / name / "calibration-runs.jsonl"


def report_path(name: str, root: str | Path = ".") -> Path:
    return Path(root) / "autograder" / name / "calibration.md"


def _bytes(nb) -> bytes:
    return (nbformat.writes(nb) + "\n").encode()


def candidates(
    name: str,
    *,
    root: str | Path = ".",
    spec: CalibrationSpec | None = None,
    rewrites: Iterable[str | os.PathLike] = (),
) -> list[Candidate]:
    """The solution, the rewrites and the wrong submissions of assignment ``name``."""
    from teachkit import sample_submissions

    root = Path(root)
    spec = spec if spec is not None else load_spec(name, root)
    if (root / "exercises" / f"{name}.ipynb").is_file():
        solution = sample_submissions.filled_notebook(name, root)
    else:
        path = root / "autograder" / name / f"{name}.ipynb"
        if not path.is_file():
            raise ValueError(
                f"no solution to calibrate: neither exercises/{name}.ipynb nor {path} exists; "
                f"run `teachkit build {name}` first"
            )
        solution = nbformat.read(str(path), as_version=4)
    out = [Candidate("solution", "solution", _bytes(solution))]
    paths = [*spec.rewrites, *(Path(p) for p in rewrites)]
    for p in paths:
        if not Path(p).is_file():
            raise ValueError(f"rewrite {p} does not exist: give .ipynb files of correct notebooks")
        label = f"rewrite {Path(p).stem}"
        if any(c.label == label for c in out):
            label = f"rewrite {Path(p).parent.name}/{Path(p).stem}"
        out.append(Candidate(label, "rewrite", Path(p).read_bytes()))
    for w in spec.wrong:
        try:
            nb = sample_submissions.with_edits(solution, *w.edits)
        except AssertionError as exc:
            raise ValueError(f"{spec.source}: wrong submission {w.label!r}: {exc}") from None
        out.append(Candidate(w.label, "wrong", _bytes(nb), w))
    return out


def read_runs(path: str | Path) -> list[dict]:
    """The runs recorded in a ``calibration-runs.jsonl`` (unreadable lines are skipped)."""
    runs = []
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return runs
    for line in lines:
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if isinstance(r, dict) and {"label", "seed", "notebook", "tests"} <= set(r):
            runs.append(r)
    return runs


def _record(
    c: Candidate,
    seed: int,
    result,
    fingerprint: str,
    versions: dict,
    commit: str = "",
    student_id: str | None = None,
) -> dict:
    cases = {
        q: {k["name"]: bool(k["passed"]) for k in ks} for q, ks in (result.cases or {}).items()
    }
    points = {q: {k["name"]: k["points"] for k in ks} for q, ks in (result.cases or {}).items()}
    failures = {
        q: {k["name"]: " ".join(k["message"].split())[-300:] for k in ks if not k["passed"]}
        for q, ks in (result.cases or {}).items()
    }
    return {
        "label": c.label,
        "kind": c.kind,
        "seed": seed,
        "notebook": c.sha256[:16],
        "tests": fingerprint[:16],
        "versions": versions,
        "status": result.status,
        "reason": result.reason[:300],
        "scores": result.scores,
        "cases": cases,
        "case_points": points,
        "failures": {q: f for q, f in failures.items() if f},
        "seconds": result.seconds,
        "sandbox": result.sandbox,
        "commit": commit,
        "finished": time.strftime("%Y-%m-%d", time.gmtime()),
        **({"student_id": student_id} if student_id is not None else {}),
    }


def calibrate(
    name: str,
    *,
    seeds: int = 50,
    first_seed: int = 1,
    workers: int = 1,
    rewrites: Iterable[str | os.PathLike] = (),
    root: str | os.PathLike = ".",
    timeout: float = 600,
    memory_mb: float | None = 4096,
    sandbox: str = "auto",
    fresh: bool = False,
    report_only: bool = False,
    progress: bool = True,
    warm: bool | None = None,
    write: bool = True,
) -> Calibration:
    """Grade assignment ``name``'s solution, rewrites and wrong submissions over ``seeds`` seeds.

    Parameters
    ----------
    name : str
        An assignment under ``<root>/autograder/`` (built by ``teachkit build``).
    seeds : int
        How many sampler seeds: ``first_seed, ..., first_seed + seeds - 1``. The bar (see
        :mod:`teachkit.course.calibration_report`) needs at least 50.
    workers : int
        Notebooks graded at once (each uses about one core; a fit's chains use more).
    rewrites : paths
        Correct notebooks in other styles, besides the spec's.
    fresh : bool
        Ignore the recorded runs and grade everything again.
    report_only : bool
        Grade nothing: write the report from the recorded runs.
    write : bool
        Write ``calibration.md`` (``False``: only return the report; its text is
        ``Calibration.text``).
    warm : bool, optional
        Run the compile warm-up first (default: as ``teachkit grade`` decides).

    Returns
    -------
    Calibration
        Its ``report`` says whether every test meets the bar and lists the warnings.
    """
    from teachkit.grading.assignment import load_assignment

    if seeds < 1:
        raise ValueError(
            f"seeds must be at least 1 (the bar needs {calibration_report.MIN_SEEDS}); got {seeds}"
        )
    if workers < 1:
        raise ValueError(f"workers must be at least 1; got {workers}")
    root = Path(root)
    folder = root / "autograder" / name
    if not (folder / "otter_config.json").is_file():
        known = (
            sorted(p.name for p in (root / "autograder").glob("*") if p.is_dir())
            if (root / "autograder").is_dir()
            else []
        )
        raise ValueError(
            f"no built assignment {name!r} under {root / 'autograder'}; known: {known or 'none'}. "
            "Run `teachkit build` first."
        )
    assignment = load_assignment(folder)
    if assignment.config.get("seed") is None:
        raise ValueError(
            f"{name} sets no seed (Otter's `seed`/`seed_variable` in the assignment config): "
            "calibration varies the seed grading sets, so the notebook must have one"
        )
    spec = load_spec(name, root)
    cands = candidates(name, root=root, spec=spec, rewrites=rewrites)
    seed_list = list(range(first_seed, first_seed + seeds))
    fingerprint = assignment.fingerprint
    versions = grading_versions()
    path = runs_path(name, root)
    recorded = [] if fresh else read_runs(path)
    current = {(c.label, c.sha256[:16]) for c in cands}

    def valid(r: dict) -> bool:
        return (
            (r["label"], r["notebook"]) in current
            and r["tests"] == fingerprint[:16]
            and r.get("versions") == versions
        )

    kept = [r for r in recorded if valid(r)]
    done = {(r["label"], r["seed"]) for r in kept}
    todo = [(s, c) for s in seed_list for c in cands if (c.label, s) not in done]
    if report_only:
        todo = []
    elif todo:
        _grade(
            todo,
            assignment,
            fingerprint,
            versions,
            kept,
            path,
            root=root,
            workers=workers,
            timeout=timeout,
            memory_mb=memory_mb,
            sandbox=sandbox,
            progress=progress,
            warm=warm,
        )
    wanted = set(seed_list)
    runs = sorted(
        (r for r in kept if r["seed"] in wanted or report_only),
        key=lambda r: (r["seed"], [c.label for c in cands].index(r["label"])),
    )
    if report_only:
        seed_list = sorted({r["seed"] for r in runs})
    report = calibration_report.analyse(name, cands, runs, assignment.tests)
    out = report_path(name, root)
    text = calibration_report.render(report)
    if write:
        out.write_text(text)
    return Calibration(name, seed_list, cands, runs, report, {"runs": path, "report": out}, text)


def _grade(
    todo,
    assignment,
    fingerprint,
    versions,
    kept,
    path,
    *,
    root,
    workers,
    timeout,
    memory_mb,
    sandbox,
    progress,
    warm,
) -> None:
    from teachkit.grading.batch import warmup
    from teachkit.grading.pipeline import grade_one
    from teachkit.grading.sandbox import resolve_sandbox
    from teachkit.grading.sandboxed_run import remove_tree
    from teachkit.grading.solution_warmup import warm_from_solution
    from teachkit.grading.submission import Submission

    box = resolve_sandbox(sandbox)
    commit = teachkit_commit()
    if box.kind != "bwrap":
        print(
            f"teachkit calibrate: WARNING: no OS sandbox ({box.reason}); grading with the fallback guard",
            file=sys.stderr,
        )
    if warm is None:
        from teachkit.fit import is_warm

        warm = not is_warm() and any(
            w in src
            for src in assignment.tests.values()
            for w in ("pymc", "teachkit.models", "teachkit.sampling", "_idata", "_model")
        )
    if warm:
        warmup(quiet=False)
    if warm is not False:  # the instructor's notebook compiles the graphs the students build
        warm_from_solution(assignment, quiet=False)
    # rewrite the log without stale runs, then append each run as it finishes
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in kept))
    solutions = Path(root).resolve() / "solutions"
    protected = [str(path.parent.resolve()), *([str(solutions)] if solutions.is_dir() else [])]
    runroot = tempfile.mkdtemp(prefix="teachkit-calibrate-")
    lock = threading.Lock()
    cancel = threading.Event()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(
            total=len(todo),
            desc=f"calibrating {assignment.name}",
            unit="nb",
            file=sys.stderr,
            dynamic_ncols=True,
        )

    per_student = any(_is_per_student(c.data) for _, c in todo)

    def one(seed: int, c):
        seeded = replace(assignment, config={**assignment.config, "seed": seed})
        student = calibration_student_id(seed) if per_student else None
        data = _with_student_id(c.data, student) if student else c.data
        sub = Submission(f"calibrate-seed{seed}", data, c.label)
        return _record(
            c,
            seed,
            grade_one(
                sub,
                seeded,
                timeout=timeout,
                memory_mb=memory_mb,
                protected=protected,
                workroot=runroot,
                cancel=cancel,
                sandbox=box,
            ),
            fingerprint,
            versions,
            commit,
            student,
        )

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(one, s, c) for s, c in todo]
            try:
                for fut in as_completed(futures):
                    rec = fut.result()
                    with lock:
                        kept.append(rec)
                        with path.open("a") as fh:
                            fh.write(json.dumps(rec, sort_keys=True) + "\n")
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix_str(
                            f"seed {rec['seed']} {rec['label'][:30]}: {sum(rec['scores'].values()):g}",
                            refresh=False,
                        )
            except BaseException:
                cancel.set()
                for f in futures:
                    f.cancel()
                raise
    finally:
        if bar is not None:
            bar.close()
        remove_tree(runroot)
