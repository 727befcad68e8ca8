"""Run one student notebook in its sandbox, pausing for the examiner at every check.

The grader (:func:`prepare_notebook`) copies the notebook alone into an empty folder (no test
files, no autograder) and prepares ``python -I -m teachkit.grading.sandboxed_run JOB`` under
:class:`teachkit.grading.limits.LimitedProcess`, inside bubblewrap where it works
(:mod:`teachkit.grading.sandbox`); :func:`notebook_outcome` reads what happened.

Inside the process (:func:`main`):

1. resource limits are lowered (:func:`apply_rlimits`) and, without an OS sandbox, an audit
   hook (:func:`install_guard`) refuses to open, list, delete or rename anything under the
   protected folders (the autograder, the gradebook folder, other submissions' folders),
   refuses writes outside the sandbox and the compile caches, and refuses to start other
   programs; it is a tripwire against casual tampering, not a wall (``ctypes`` bypasses it);
2. the code cells run one by one in an IPython shell (so magics work); a cell that raises
   (``sys.exit`` included) is recorded and the next cell runs, as in ``otter run``;
   ``grader.check(q)``/``check_all()`` and cells whose metadata lists Otter tests become
   checkpoints at which :class:`teachkit.grading.answers.Server` answers the examiner until it
   resumes the notebook; ``SIGINT`` at the time limit stops the running cell and skips the rest;
3. after the last cell the server answers once more, for the questions never checked.

Examples
--------
>>> cell_should_run({"cell_type": "code", "source": "x = 1", "metadata": {}})
True
>>> cell_should_run({"cell_type": "code", "source": "x", "metadata": {"tags": ["otter_ignore"]}})
False
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from teachkit.grading.sandbox import install_guard, protected_roots, writable_roots

RUNNER_MODULE = "teachkit.grading.sandboxed_run"
FILE_MB = 2048
"""Largest file a notebook may write (MB)."""
NPROC = 1024
"""Largest number of processes of the sandbox's user (a fork bomb stops there)."""


def cell_should_run(cell: dict) -> bool:
    """Return True for code cells that grading executes (Otter's ``otter_ignore`` tag is honoured)."""
    if cell.get("cell_type") != "code":
        return False
    meta = cell.get("metadata") or {}
    if "otter_ignore" in (meta.get("tags") or []):
        return False
    return not (isinstance(meta.get("otter"), dict) and meta["otter"].get("ignore"))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _neutralise_otter(server=None, where=None) -> None:
    """Turn Otter's student-side calls into checkpoints: the tests are not here.

    ``grader.check(q)`` and ``grader.check_all()`` let the examiner grade on the state at that
    moment (as ``otter run`` does); ``export``, ``to_pdf`` and the like do nothing.
    """
    try:
        from otter.check.notebook import Notebook
    except Exception:
        return
    if getattr(Notebook, "_teachkit_neutralised", False):
        return

    def noop(self, *args, **kwargs):
        return None

    def check(self, question, global_env=None):
        if server is not None:
            server.checkpoint([str(question)], where() if where else None)

    def check_all(self, *args, **kwargs):
        if server is not None:
            server.checkpoint(None, where() if where else None)

    for name in ("__init__", "export", "to_pdf", "run_plugin", "add_plugin_files", "submit"):
        if hasattr(Notebook, name):
            setattr(Notebook, name, noop)
    Notebook.check = check
    Notebook.check_all = check_all
    Notebook._teachkit_neutralised = True


def apply_rlimits(limits: dict) -> None:
    """Lower this process's resource limits before any student code runs (they cannot be
    raised again by an unprivileged process): no core dumps, largest file ``fsize_mb``, at most
    ``nproc`` processes of the sandbox's user."""
    import resource

    wanted = {resource.RLIMIT_CORE: 0}
    if limits.get("fsize_mb"):
        wanted[resource.RLIMIT_FSIZE] = int(limits["fsize_mb"]) * 2**20
    if limits.get("nproc"):
        wanted[resource.RLIMIT_NPROC] = int(limits["nproc"])
    for what, value in wanted.items():
        try:
            soft, hard = resource.getrlimit(what)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(what, (value, value))
        except (OSError, ValueError):
            pass


def _cell_tests(cell: dict) -> list[str]:
    """Tests Otter runs after this cell (``metadata.otter.tests``)."""
    meta = (cell.get("metadata") or {}).get("otter")
    tests = meta.get("tests") if isinstance(meta, dict) else None
    return [str(t) for t in tests] if isinstance(tests, list) else []


def main(job_path: str) -> int:
    """Entry point of the sandboxed process: run the cells, pausing for the examiner at every
    ``grader.check``, then let it examine the final state."""
    from teachkit.grading.limits import skip_slow_imports

    skip_slow_imports()
    import signal
    import socket

    # The time limit arrives as SIGINT. A grader started in the background (`cmd &`, cron) runs
    # with SIGINT ignored, and children inherit that: restore Python's KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    job = json.loads(Path(job_path).read_text())
    apply_rlimits(job.get("rlimits") or {})
    sandbox = job["sandbox"]
    os.chdir(sandbox)
    sys.path.insert(0, sandbox)
    # Import what answering the examiner needs before any student code can replace it.
    from teachkit.grading.answers import Server

    sock = socket.socket(fileno=int(job["socket_fd"])) if job.get("socket_fd") is not None else None
    if job.get("guard", True):
        install_guard(job["protected"], job["writable"], own=job["own"],
                      allow_programs=job.get("allow_programs", False))
    state_path = Path(job["state"])

    def state(**kw):
        state_path.write_text(json.dumps(kw))

    nb = json.loads(Path(job["notebook"]).read_text())
    cells = nb.get("cells", [])
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="nocolor")
    shell.history_manager.enabled = False
    shell.enable_gui = lambda gui=None: None  # `%matplotlib inline` works as in a kernel (no GUI here)
    server = Server(sock, shell.user_ns) if sock is not None else None
    seed_prefix = ""
    if job.get("seed") is not None:
        if job.get("seed_variable"):
            seed_prefix = f"{job['seed_variable']} = {int(job['seed'])}\n"
        else:
            seed_prefix = f"import numpy as _tk_np, random as _tk_rnd\n_tk_np.random.seed({int(job['seed'])}); _tk_rnd.seed({int(job['seed'])})\n"
    errors, interrupted, ran = [], None, 0
    timings: list[dict] = []  # each cell run: index, seconds, status (for OUT/logs/ID.json)
    current = {"cell": None}
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict) or not cell_should_run(cell):
            continue
        current["cell"] = i
        src = _source(cell)
        if "otter" in src:
            try:
                import otter  # noqa: F401  (the notebook would import it anyway)
            except Exception:
                pass
            _neutralise_otter(server, lambda: current["cell"])
        state(cell=i, errors=errors, interrupted=None, cells=timings)
        prefix = seed_prefix if seed_prefix and not src.lstrip().startswith("%%") else ""
        started = time.monotonic()
        try:
            result = shell.run_cell(prefix + src, store_history=False)
            exc = result.error_before_exec or result.error_in_exec
            ran += 1
            timings.append({"cell": i, "seconds": round(time.monotonic() - started, 3),
                            "status": "ok" if exc is None else f"error: {type(exc).__name__}"})
            if exc is not None:
                errors.append({"cell": i, "error": type(exc).__name__, "message": str(exc)[:300]})
                if isinstance(exc, KeyboardInterrupt):
                    interrupted = i
                    break
            if "otter" in sys.modules:
                _neutralise_otter(server, lambda: current["cell"])
            if server is not None and _cell_tests(cell):
                server.checkpoint(_cell_tests(cell), i)  # Otter checks these after the cell
        except KeyboardInterrupt:
            interrupted = i
            timings.append({"cell": i, "seconds": round(time.monotonic() - started, 3), "status": "interrupted"})
            break
    state(cell=None, errors=errors, interrupted=interrupted, ran=ran, cells=timings)
    if server is not None:
        try:
            server.finish({"interrupted": interrupted})
        except KeyboardInterrupt:  # the grace period ran out: nothing more to do
            pass
    return 0


@dataclass
class NotebookRun:
    """Outcome of executing one notebook in the sandbox.

    Attributes
    ----------
    status : str
        ``"ok"``, ``"timeout"``, ``"memory"`` or ``"error"`` (the process died).
    reason : str
        A sentence for the gradebook when ``status`` is not ``"ok"``.
    seconds : float
        Wall-clock seconds.
    cell_errors : list of dict
        ``{"cell", "error", "message"}`` for every cell that raised.
    output : str
        Tail of the notebook's printed output (for the instructor).
    peak_mb : float
        Peak resident memory of the process tree.
    cells : list of dict
        ``{"cell", "seconds", "status"}`` of every cell run, as the notebook's process recorded
        them (a log for the instructor; nothing graded depends on it).
    """

    status: str
    reason: str
    seconds: float
    cell_errors: list = field(default_factory=list)
    output: str = ""
    peak_mb: float = 0.0
    cells: list = field(default_factory=list)


def sandbox_env(home: str | None = None) -> dict[str, str]:
    """The environment of the notebook's process: a short allow-list of the grader's.

    Examples
    --------
    >>> env = sandbox_env()
    >>> env["MPLBACKEND"], "PYTHONPATH" in env
    ('Agg', False)
    """
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "PYTENSOR_FLAGS", "NUMBA_CACHE_DIR",
            "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "XDG_CACHE_HOME",
            "MPLCONFIGDIR", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    if home:
        env["HOME"] = home
    env["MPLBACKEND"] = "Agg"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("PYTENSOR_FLAGS", "blas__ldflags=")
    return env


def prepare_notebook(
    notebook: dict,
    work: str | os.PathLike,
    *,
    timeout: float,
    memory_mb: float | None = None,
    protected: list[str | os.PathLike] = (),
    support_files: dict[str, bytes] | None = None,
    seed: int | None = None,
    seed_variable: str | None = None,
    guard: bool = True,
    grace: float | None = None,
    cancel=None,
    sandbox=None,
    compile_hint: tuple[str, ...] = (),
    socket_fd: int | None = None,
):
    """Set up ``notebook``'s run in a sandbox under ``work``; return it, not yet started.

    Parameters
    ----------
    notebook : dict
        The parsed notebook (nbformat 4 JSON).
    work : path-like
        An empty private folder; ``sandbox/`` (the notebook's folder), ``state.json`` and the
        job are created in it.
    timeout : float
        Wall-clock limit (seconds) for the cells; time the examiner spends grading a
        checkpoint does not count.
    memory_mb : float, optional
        Memory limit of the process tree (MB).
    protected : list of path-like
        Folders the notebook may not read, list or write (without bubblewrap: the guard's list).
    support_files : dict, optional
        ``{relative path: bytes}`` copied into the sandbox (data files the notebook reads).
    seed, seed_variable : optional
        Otter's ``seed``/``seed_variable`` settings from ``otter_config.json``.
    guard : bool
        Install the audit-hook guard when there is no OS sandbox (off only for measurements).
    grace : float, optional
        Seconds between SIGINT and SIGKILL at the time limit (default: 10% of timeout, 2–15 s).
    cancel : threading.Event, optional
        Kill at once when set.
    sandbox : teachkit.grading.sandbox.Sandbox, optional
        ``bwrap``: run in bubblewrap (:mod:`teachkit.grading.sandbox`), where ``work`` is the
        only host folder the notebook can write and the guard is not needed; otherwise (the
        default) the audit-hook guard alone.
    compile_hint : tuple of str
        More code (the tests) that decides, with the notebook, whether the sandbox gets a
        copy of the compile cache (:func:`teachkit.grading.sandbox.compiles`).
    socket_fd : int, optional
        The notebook's end of the socket to the examiner (inherited by the process).

    Returns
    -------
    teachkit.grading.limits.LimitedProcess
    """
    from teachkit.grading import sandbox as sb
    from teachkit.grading.limits import LimitedProcess

    bwrap = sandbox is not None and getattr(sandbox, "kind", None) == "bwrap"
    work = Path(work)
    folder = work / "sandbox"
    folder.mkdir(parents=True)
    nb_name = "submission.ipynb"
    (folder / nb_name).write_text(json.dumps(notebook))
    for rel, data in (support_files or {}).items():
        dest = (folder / rel).resolve()
        if folder.resolve() not in dest.parents:
            raise ValueError(f"support file {rel!r} would be written outside the sandbox")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    inside = Path(sb.INSIDE) if bwrap else work  # the work folder as the notebook sees it
    job = {
        "sandbox": str(inside / "sandbox"),
        "notebook": str(inside / "sandbox" / nb_name),
        "state": str(inside / "state.json"),
        "socket_fd": socket_fd,
        "protected": protected_roots(protected),
        "writable": writable_roots(folder),
        "own": [str(folder), str(work / "state.json")],
        "seed": seed,
        "seed_variable": seed_variable,
        "guard": guard and not bwrap,
        "rlimits": {"fsize_mb": FILE_MB, **({"nproc": NPROC} if bwrap else {})},
    }
    (work / "job.json").write_text(json.dumps(job))
    if grace is None:
        grace = min(15.0, max(2.0, 0.1 * timeout))
    cmd = [sys.executable, "-I", "-m", RUNNER_MODULE, str(inside / "job.json")]
    env, cwd = sandbox_env(), folder
    if bwrap:
        text = json.dumps(notebook.get("cells", []))
        caches, cache_env = sb.private_caches(work.parent / f"{work.name}-caches",
                                              compile_cache=sb.compiles(text, *(compile_hint or ())))
        sb.give_to_sandbox(work)
        sb.give_to_sandbox(work.parent / f"{work.name}-caches")
        cmd = sb.bwrap_command(cmd, sb.process_mounts(work, caches), cwd=str(inside / "sandbox"))
        env = sb.inside_env(env, cache_env)
    return LimitedProcess(cmd, cwd=cwd, env=env, timeout=timeout, memory_mb=memory_mb, grace=grace,
                          cancel=cancel, file_mb=FILE_MB, interrupt=RUNNER_MODULE if bwrap else None,
                          pass_fds=(socket_fd,) if socket_fd is not None else ())


def notebook_outcome(proc, work: str | os.PathLike, *, timeout: float, memory_mb: float | None,
                     finished: bool) -> NotebookRun:
    """What happened to the notebook's run, from its process result and ``state.json``.

    ``finished`` says whether the notebook reached its end (the examiner saw it).
    """
    st = {}
    try:
        st = json.loads((Path(work) / "state.json").read_text())
        if not isinstance(st, dict):
            st = {}
    except (OSError, ValueError):
        pass
    cell_errors = [e for e in st.get("errors", []) if isinstance(e, dict)][:200]
    cells = [c for c in st.get("cells", []) if isinstance(c, dict)][:2000] if isinstance(st.get("cells"), list) else []
    cell = st.get("cell") if st.get("cell") is not None else st.get("interrupted")
    where = f" (in cell {cell + 1})" if isinstance(cell, int) else ""
    if proc.status == "timeout":
        partial = " Questions answered before that cell were graded." if proc.interrupted or finished else ""
        return NotebookRun("timeout", f"the notebook ran longer than the {timeout:g} s limit{where}.{partial}",
                           proc.seconds, cell_errors, proc.output, proc.peak_mb, cells)
    if proc.status == "memory":
        return NotebookRun("memory", f"the notebook used more than the {memory_mb:g} MB memory limit{where}",
                           proc.seconds, cell_errors, proc.output, proc.peak_mb, cells)
    if proc.status == "cancelled":
        return NotebookRun("cancelled", "grading was interrupted", proc.seconds, cell_errors, proc.output, proc.peak_mb, cells)
    if proc.status == "stopped":
        return NotebookRun("stopped", "", proc.seconds, cell_errors, proc.output, proc.peak_mb, cells)
    if proc.returncode != 0 or not finished:
        rc = proc.returncode
        if rc:
            how = f"was killed by signal {-rc}" if rc < 0 else f"exited with code {rc}"
            why = (f"the notebook's Python process {how}{where} before it finished (os._exit, a killed "
                   "kernel or a crash)")
        else:
            why = (f"the notebook's process broke off the examination{where} (it closed or wrote into "
                   "its connection to the examiner), so nothing could be graded")
        return NotebookRun("error", why, proc.seconds, cell_errors, proc.output, proc.peak_mb, cells)
    return NotebookRun("ok", "", proc.seconds, cell_errors, proc.output, proc.peak_mb, cells)


def remove_tree(path: str | os.PathLike) -> None:
    """Delete a work folder even if the notebook made parts of it read-only."""

    def onexc(func, p, exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass

    if os.path.lexists(path):
        shutil.rmtree(path, onexc=onexc)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
