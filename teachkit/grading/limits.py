"""Run a subprocess under a wall-clock limit and a memory limit, and leave nothing behind.

Every process that ``teachkit grade`` starts (the notebook's process and the clean test
process) goes through :func:`run_limited`:

* it starts in a new session (its own process group) with an environment variable
  ``TEACHKIT_GRADE_TOKEN`` that every descendant inherits;
* a watchdog thread sums the resident memory of the whole process tree every
  ``poll`` seconds and kills the tree when it exceeds the limit;
* at the time limit it first sends ``SIGINT`` (so the notebook can stop the running cell and
  export what it has), then after ``grace`` seconds kills the tree with ``SIGKILL``;
* whatever happens, on return every process carrying the token is killed: children, their
  children, and daemons that double-forked out of the tree, unless they also scrubbed their
  environment (a limit documented in ``docs/grading.md``);
* output is read through a pipe and only the last ``keep_output`` bytes are kept, so a
  notebook printing in a loop cannot fill the disk.

Examples
--------
>>> import sys
>>> r = run_limited([sys.executable, "-c", "print('hi')"], timeout=30)
>>> r.returncode, r.status, r.output.strip()
(0, 'ok', 'hi')
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field

import psutil

TOKEN_VAR = "TEACHKIT_GRADE_TOKEN"
"""Environment variable marking every process started by the grader (value: a fresh uuid)."""

ISSUED_TOKENS: set[str] = set()
"""Every token this grader process has handed out (tests check that none is still alive)."""


@dataclass
class ProcessResult:
    """What happened to one limited subprocess.

    Attributes
    ----------
    returncode : int or None
        Exit code (negative: killed by that signal).
    status : str
        ``"ok"`` (exited by itself), ``"timeout"`` or ``"memory"``.
    seconds : float
        Wall-clock time from start to exit.
    peak_mb : float
        Largest resident memory of the process tree seen by the watchdog (MB).
    output : str
        The last bytes of stdout and stderr, decoded.
    interrupted : bool
        True when SIGINT was sent at the time limit and the process then exited in the grace
        period (so it may have exported partial results).
    """

    returncode: int | None
    status: str
    seconds: float
    peak_mb: float
    output: str
    interrupted: bool = False
    killed: list[int] = field(default_factory=list)


def skip_slow_imports() -> None:
    """Block the optional ``rfc3987_syntax`` module in a grading process.

    ``import otter`` pulls in ``jsonschema``, which builds a Lark grammar for the IRI format
    checker if ``rfc3987_syntax`` is installed: about 4 s per process here, twice per submission.
    Grading never validates IRIs, and ``jsonschema`` treats the module as optional.
    """
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)


def processes_with_token(token: str) -> list[psutil.Process]:
    """Return the live processes whose environment carries ``TEACHKIT_GRADE_TOKEN=token``.

    Examples
    --------
    >>> processes_with_token("no-such-token")
    []
    """
    needle = f"{TOKEN_VAR}={token}".encode()
    found = []
    me = os.getpid()
    for pid in psutil.pids():
        if pid == me:
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read()
        except OSError:
            continue
        if needle in env.split(b"\0"):
            try:
                found.append(psutil.Process(pid))
            except psutil.Error:
                pass
    return found


def kill_tree(proc: psutil.Process | None, token: str | None = None, *, timeout: float = 5.0) -> list[int]:
    """Kill ``proc``, all its descendants, and every process carrying ``token``; reap them.

    Returns the pids that were signalled.

    Examples
    --------
    >>> import subprocess, sys
    >>> p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    >>> pid = p.pid
    >>> pid in kill_tree(psutil.Process(pid)); _ = p.wait()
    True
    >>> psutil.pid_exists(pid)
    False
    """
    victims: dict[int, psutil.Process] = {}
    for _ in range(3):  # repeat: a dying parent may have forked in the meantime
        found = []
        if proc is not None:
            try:
                found.append(proc)
                found.extend(proc.children(recursive=True))
            except psutil.Error:
                pass
        if token is not None:
            found.extend(processes_with_token(token))
        new = [p for p in found if p.pid not in victims]
        if not new and victims:
            break
        for p in new:
            victims[p.pid] = p
            try:
                p.send_signal(signal.SIGSTOP)  # freeze first so nothing forks while we kill
            except psutil.Error:
                pass
    for p in victims.values():
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(list(victims.values()), timeout=timeout)
    return sorted(victims)


def _tree_rss(proc: psutil.Process) -> float:
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def _limit(proc: psutil.Process, file_mb: int | None) -> None:
    """Set no core dumps and a file-size cap on a started process (``prlimit``).

    Set from the parent right after the start rather than with ``preexec_fn``, which is unsafe
    in a parent with threads (the worker pool); children inherit the limits.
    """
    import resource

    try:
        proc.rlimit(resource.RLIMIT_CORE, (0, 0))
        if file_mb:
            size = int(file_mb) * 2**20
            proc.rlimit(resource.RLIMIT_FSIZE, (size, size))
    except (psutil.Error, OSError, ValueError):
        pass


_WRAPPERS = ("bwrap", "setpriv")


def _interrupt_targets(ps: psutil.Process | None, pid: int, marker: str | None) -> list[int]:
    """The process that receives the time limit's SIGINT: ``pid``, or inside a sandbox wrapper
    the oldest descendant running ``marker`` (notebooks start later than it, so cannot pose as it)."""
    if marker is None or ps is None:
        return [pid]
    found = []
    try:
        for child in ps.children(recursive=True):
            try:
                if child.name() not in _WRAPPERS and any(marker in part for part in child.cmdline()):
                    found.append((child.create_time(), child.pid))
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return [min(found)[1]] if found else [pid]


def run_limited(
    cmd: list[str],
    *,
    cwd: str | os.PathLike | None = None,
    env: dict[str, str] | None = None,
    timeout: float,
    memory_mb: float | None = None,
    grace: float = 5.0,
    poll: float = 0.2,
    keep_output: int = 20_000,
    file_mb: int | None = 2048,
    cancel: threading.Event | None = None,
    interrupt: str | None = None,
    pass_fds: tuple[int, ...] = (),
) -> ProcessResult:
    """Run ``cmd`` with a wall-clock limit and a memory limit on its whole process tree.

    Parameters
    ----------
    cmd : list of str
        The command.
    cwd, env : optional
        Working folder and environment (the token variable is added to ``env``).
    timeout : float
        Seconds before SIGINT is sent; the tree is killed ``grace`` seconds later.
    memory_mb : float, optional
        Largest resident memory (MB) of the whole tree; above it the tree is killed at once.
    grace : float
        Seconds allowed after SIGINT for the process to finish by itself.
    poll : float
        Watchdog period (seconds).
    keep_output : int
        Bytes of combined stdout/stderr kept (the tail).
    file_mb : int, optional
        Largest file the process may write (``RLIMIT_FSIZE``), in MB.
    cancel : threading.Event, optional
        When set, the tree is killed at once (used on Ctrl-C of the grader).
    interrupt : str, optional
        Send the time limit's SIGINT not to ``cmd`` itself but to its oldest descendant whose
        command line contains this string (the Python process inside a sandbox wrapper).
    pass_fds : tuple of int
        File descriptors the process inherits.

    Returns
    -------
    ProcessResult

    Examples
    --------
    >>> import sys
    >>> r = run_limited([sys.executable, "-c", "while True: pass"], timeout=0.5, grace=0.5)
    >>> r.status, r.seconds < 10
    ('timeout', True)
    """
    return LimitedProcess(cmd, cwd=cwd, env=env, timeout=timeout, memory_mb=memory_mb, grace=grace, poll=poll,
                          keep_output=keep_output, file_mb=file_mb, cancel=cancel, interrupt=interrupt,
                          pass_fds=pass_fds).run()


class LimitedProcess:
    """A process under :func:`run_limited`'s limits whose clock can be paused from outside.

    :meth:`start` launches it, :meth:`wait` watches it until it ends (call it in its own thread
    when other work must go on), :meth:`pause`/:meth:`resume` stop and restart its clock (time
    spent paused counts neither towards ``timeout`` nor towards ``grace``: the examiner pauses
    the notebook while it grades a checkpoint), :meth:`stop` kills it with a reason.
    """

    def __init__(self, cmd, *, cwd=None, env=None, timeout: float, memory_mb=None, grace: float = 5.0,
                 poll: float = 0.2, keep_output: int = 20_000, file_mb=2048, cancel=None, interrupt=None,
                 pass_fds=()):
        if timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds; got {timeout}")
        if memory_mb is not None and memory_mb <= 0:
            raise ValueError(f"memory_mb must be a positive number of megabytes; got {memory_mb}")
        self.cmd, self.cwd, self.timeout, self.memory_mb, self.grace = cmd, cwd, timeout, memory_mb, grace
        self.poll, self.keep_output, self.file_mb, self.cancel = poll, keep_output, file_mb, cancel
        self.interrupt, self.pass_fds = interrupt, tuple(pass_fds)
        self.token = uuid.uuid4().hex
        ISSUED_TOKENS.add(self.token)
        self.env = dict(os.environ if env is None else env)
        self.env[TOKEN_VAR] = self.token
        self._lock = threading.Lock()
        self._paused_since: float | None = None
        self._paused_total = 0.0
        self.stopped: str | None = None
        self.popen = None

    # the clock ------------------------------------------------------------------------------------

    def pause(self) -> None:
        with self._lock:
            if self._paused_since is None:
                self._paused_since = time.monotonic()

    def resume(self) -> None:
        with self._lock:
            if self._paused_since is not None:
                self._paused_total += time.monotonic() - self._paused_since
                self._paused_since = None

    def active(self, now: float) -> float:
        """Seconds since the start, not counting pauses."""
        with self._lock:
            paused = self._paused_total + (now - self._paused_since if self._paused_since is not None else 0.0)
        return now - self._start - paused

    def stop(self, reason: str) -> None:
        """Kill the process tree at the next watchdog tick."""
        self.stopped = reason

    # running --------------------------------------------------------------------------------------

    def start(self) -> LimitedProcess:
        self._start = time.monotonic()
        self.popen = subprocess.Popen(
            self.cmd, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True, pass_fds=self.pass_fds)
        self._tail = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self):
        popen, tail = self.popen, self._tail
        while True:
            chunk = popen.stdout.read1(65536) if hasattr(popen.stdout, "read1") else popen.stdout.read(65536)
            if not chunk:
                return
            tail.extend(chunk)
            if len(tail) > 2 * self.keep_output:
                del tail[: len(tail) - self.keep_output]

    def run(self) -> ProcessResult:
        return self.start().wait()

    def wait(self) -> ProcessResult:
        popen = self.popen
        status, peak, interrupted = "ok", 0.0, False
        try:
            ps = psutil.Process(popen.pid)
            _limit(ps, self.file_mb)
        except psutil.Error:
            ps = None
        sigint_at = None
        try:
            while popen.poll() is None:
                now = time.monotonic()
                active = self.active(now)
                if self.cancel is not None and self.cancel.is_set():
                    status = "cancelled"
                    break
                if self.stopped is not None:
                    status = "stopped"
                    break
                if ps is not None:
                    rss = _tree_rss(ps)
                    peak = max(peak, rss)
                    if self.memory_mb is not None and rss > self.memory_mb:
                        status = "memory"
                        break
                if sigint_at is None and active > self.timeout:
                    status = "timeout"
                    sigint_at = active
                    for target in _interrupt_targets(ps, popen.pid, self.interrupt):
                        try:
                            os.kill(target, signal.SIGINT)
                        except OSError:
                            pass
                elif sigint_at is not None and active - sigint_at > self.grace:
                    break
                try:
                    popen.wait(self.poll)
                except subprocess.TimeoutExpired:
                    pass
            if status == "timeout" and popen.poll() is not None:
                interrupted = True
        finally:
            killed = kill_tree(ps, self.token)
            try:
                popen.wait(10)
            except subprocess.TimeoutExpired:  # pragma: no cover - kill_tree already reaped it
                pass
            self._reader.join(5)
            popen.stdout.close()
        seconds = time.monotonic() - self._start
        output = bytes(self._tail[-self.keep_output:]).decode("utf-8", "replace")
        return ProcessResult(popen.returncode, status, seconds, peak, output, interrupted, killed)
