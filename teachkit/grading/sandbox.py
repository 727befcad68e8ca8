"""The operating-system sandbox of every grading process: bubblewrap, or a guarded fallback.

``teachkit grade --sandbox auto|bwrap|none`` chooses how the two processes that grade a
submission (the notebook's and the hidden tests') are confined:

``bwrap``
    Linux namespaces through `bubblewrap <https://github.com/containers/bubblewrap>`_. The
    process sees a new root made of read-only binds of the system folders (``/usr``, ``/etc``,
    ``/lib*``), of the Python installation and virtualenv, and of exactly the folders of the
    packages installed in editable mode (teachkit's own source folder, not the checkout that
    holds it); a private writable work folder, a private ``/tmp``, ``/dev/shm`` and ``HOME``
    (size-limited tmpfs), and a private *copy* of the grader's compile cache. The autograder,
    the hidden tests, the gradebook, other submissions and the rest of the checkout are not
    mounted at all. It has its own PID namespace (``/proc`` shows only the sandbox, and every
    process left in it dies with it), no network, its own IPC and hostname, a new session, dies
    with its parent, and runs as an unprivileged user (uid 65534, ``nobody``, with every
    capability dropped: through ``setpriv`` when the grader is root, through a user namespace
    otherwise).
``none``
    No OS isolation: the notebook's process installs an audit-hook guard
    (:func:`install_guard`, a tripwire that native code bypasses) and
    the grader hashes every file the test side imports (all of teachkit and Otter, and the
    ``*.pth``/``sitecustomize`` start-up hooks) before and after each notebook.
``auto``
    ``bwrap`` when it works on this machine (:func:`probe_bwrap` runs a tiny sandbox once),
    else ``none`` with the reason, printed on the command line and written in the gradebook's
    ``sandbox`` column.

Examples
--------
>>> resolve_sandbox("none").kind
'none'
>>> sorted(SANDBOXES)
['auto', 'bwrap', 'none']
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

SANDBOXES = ("auto", "bwrap", "none")
SANDBOX_UID = 65534
"""The unprivileged user (``nobody``) that sandboxed processes run as."""

INSIDE = "/grading"
"""Where a process's private work folder appears inside the sandbox."""

TMPFS_MB = 1024
"""Size limit of each private tmpfs (``/tmp``, ``/dev/shm``, ``HOME``), in MB."""

_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
_SYSTEM_EXTRA = ("/sys/devices/system/cpu",)  # CPU counts for OpenBLAS, Numba, nutpie


@dataclass(frozen=True)
class Sandbox:
    """How grading processes are confined.

    Attributes
    ----------
    kind : str
        ``"bwrap"`` or ``"none"``.
    reason : str
        Why there is no OS sandbox (empty for ``bwrap``).
    """

    kind: str
    reason: str = ""

    @property
    def label(self) -> str:
        """What the gradebook's ``sandbox`` column says."""
        return self.kind if self.kind == "bwrap" else f"none ({self.reason})" if self.reason else "none"


@dataclass(frozen=True)
class Mount:
    """One entry of the sandbox's file system (``dest`` is the path inside)."""

    kind: str  # "ro", "rw", "tmpfs", "dir", "symlink", "proc", "dev"
    dest: str
    src: str | None = None
    mode: str | None = None
    size_mb: int | None = None


def bwrap_path() -> str | None:
    """The ``bwrap`` executable, or None."""
    return shutil.which("bwrap")


def _setpriv() -> str | None:
    return shutil.which("setpriv") if os.geteuid() == 0 else None


def editable_roots(site_packages: str) -> list[str]:
    """Source folders of packages installed in editable mode (setuptools' ``MAPPING``).

    Examples
    --------
    >>> import teachkit
    >>> any(Path(teachkit.__file__).parent == Path(p) for p in editable_roots(sysconfig.get_paths()["purelib"])) or True
    True
    """
    roots = []
    for finder in sorted(Path(site_packages).glob("__editable__*finder.py")):
        try:
            tree = ast.parse(finder.read_text())
        except (OSError, SyntaxError, ValueError):
            continue
        for node in tree.body:
            target = node.targets[0] if isinstance(node, ast.Assign) and node.targets else getattr(node, "target", None)
            if isinstance(target, ast.Name) and target.id == "MAPPING" and node.value is not None:
                try:
                    mapping = ast.literal_eval(node.value)
                except ValueError:
                    continue
                roots += [str(v) for v in mapping.values() if isinstance(v, str)]
    return roots


def python_roots() -> list[tuple[str, str]]:
    """Folders a grading process needs to run Python, as ``(path inside, real path)`` pairs.

    The interpreter, the virtualenv, and the folders of editable installs. Exactly these are
    bound read-only; for an editable install only the package's own folder (``teachkit/``) is
    bound, not the checkout around it.
    """
    paths = sysconfig.get_paths()
    roots = {sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable))}
    roots |= {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if paths.get(k)}
    for pkg in ("teachkit", "otter"):
        spec = importlib.util.find_spec(pkg)
        if spec is not None and spec.submodule_search_locations:
            roots |= set(spec.submodule_search_locations)
    roots |= set(editable_roots(paths["purelib"]))
    cands = {os.path.abspath(r): os.path.realpath(r) for r in roots if r and os.path.isdir(r)}
    chosen: list[tuple[str, str]] = []
    for dest in sorted(cands, key=lambda d: (len(d), d)):
        src = cands[dest]
        if not any((dest + "/").startswith(d + "/") and (src + "/").startswith(s + "/") for d, s in chosen):
            chosen.append((dest, src))
    return chosen


def base_mounts() -> list[Mount]:
    """The read-only system and Python environment, private /tmp, /dev/shm, /proc and /dev."""
    mounts = []
    for d in _SYSTEM_DIRS:
        if os.path.islink(d):
            mounts.append(Mount("symlink", d, src=os.readlink(d)))
        elif os.path.isdir(d):
            mounts.append(Mount("ro", d, src=d))
    for d in _SYSTEM_EXTRA:
        if os.path.isdir(d):
            mounts.append(Mount("ro", d, src=d))
    for dest, src in python_roots():
        mounts.append(Mount("ro", dest, src=src))
    mounts += [Mount("proc", "/proc"), Mount("dev", "/dev"),
               Mount("tmpfs", "/tmp", mode="1777", size_mb=TMPFS_MB),
               Mount("tmpfs", "/dev/shm", mode="1777", size_mb=TMPFS_MB)]
    return mounts


def _depth(path: str) -> int:
    return len(Path(path).parts)


def mount_args(mounts: list[Mount]) -> list[str]:
    """``bwrap`` arguments for ``mounts``: parents first, every missing parent created 0755.

    Examples
    --------
    >>> mount_args([Mount("ro", "/a/b", src="/x"), Mount("tmpfs", "/a", mode="1777", size_mb=1)])
    ['--perms', '1777', '--size', '1048576', '--tmpfs', '/a', '--ro-bind', '/x', '/a/b']
    """
    args: list[str] = []
    made = {"/"}
    order = sorted(mounts, key=lambda m: (_depth(m.dest), m.kind not in ("tmpfs", "dev", "proc")))
    covered = {m.dest for m in mounts}
    tmpfs = [m.dest for m in mounts if m.kind == "tmpfs"]
    for m in order:
        for parent in reversed(Path(m.dest).parents):
            p = str(parent)
            if p not in made and p not in covered:
                # a folder made inside a private tmpfs (HOME/.cache) stays writable, like the tmpfs
                mode = "1777" if any(p.startswith(t.rstrip("/") + "/") for t in tmpfs) else "0755"
                args += ["--perms", mode, "--dir", p]
            made.add(p)
        if m.kind == "ro":
            args += ["--ro-bind", m.src, m.dest]
        elif m.kind == "rw":
            args += ["--bind", m.src, m.dest]
        elif m.kind == "tmpfs":
            if m.mode:
                args += ["--perms", m.mode]
            if m.size_mb:
                args += ["--size", str(int(m.size_mb) * 2**20)]
            args += ["--tmpfs", m.dest]
        elif m.kind == "dir":
            args += ["--perms", m.mode or "0755", "--dir", m.dest]
        elif m.kind == "symlink":
            args += ["--symlink", m.src, m.dest]
        elif m.kind == "proc":
            args += ["--proc", m.dest]
        elif m.kind == "dev":
            args += ["--dev", m.dest]
        else:  # pragma: no cover - programming error
            raise ValueError(f"unknown mount kind {m.kind!r}")
        made.add(m.dest)
    return args


def bwrap_command(cmd: list[str], mounts: list[Mount], *, cwd: str) -> list[str]:
    """Wrap ``cmd`` in ``bwrap`` with ``mounts`` (see the module docstring for the isolation).

    When the grader runs as root the process drops to uid 65534 with ``setpriv`` (a real
    unprivileged user, also outside the sandbox); otherwise a user namespace maps the grader's
    user to uid 65534 inside and forbids nested user namespaces.
    """
    bw = bwrap_path()
    if bw is None:
        raise RuntimeError("bubblewrap (bwrap) is not installed")
    args = [bw, *mount_args(mounts),
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--chdir", cwd]
    setpriv = _setpriv()
    if setpriv:
        return [*args, "--", setpriv, f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}", "--clear-groups",
                "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--", *cmd]
    return [*args, "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
            "--disable-userns", "--", *cmd]


def give_to_sandbox(path: str | os.PathLike) -> None:
    """Make a host folder (recursively) writable by the sandbox's user (a no-op unless root)."""
    if not _setpriv():
        return
    for root, dirs, files in os.walk(path):
        os.chown(root, SANDBOX_UID, SANDBOX_UID)
        for name in files:
            os.chown(os.path.join(root, name), SANDBOX_UID, SANDBOX_UID, follow_symlinks=False)


@functools.lru_cache(maxsize=1)
def probe_bwrap() -> str | None:
    """Run a tiny sandbox once: None when bubblewrap works here, else why not (a sentence)."""
    if sys.platform != "linux":
        return f"bubblewrap needs Linux; this is {sys.platform}"
    if bwrap_path() is None:
        return "bubblewrap (bwrap) is not installed; on Debian/Ubuntu: apt-get install bubblewrap"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="teachkit-bwrap-probe-") as work:
        give_to_sandbox(work)
        code = ("import os, sys; open('/grading/ok', 'w').write(str(os.getuid())); "
                "import teachkit")
        cmd = bwrap_command([sys.executable, "-I", "-c", code],
                            [*base_mounts(), Mount("rw", INSIDE, src=work)], cwd=INSIDE)
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bubblewrap could not start a sandbox here: {exc}"
        if r.returncode != 0 or not os.path.exists(os.path.join(work, "ok")):
            msg = (r.stderr.strip().splitlines() or ["no output"])[-1]
            return f"bubblewrap could not start a sandbox here (exit {r.returncode}: {msg[:200]})"
        if Path(work, "ok").read_text() != str(SANDBOX_UID):
            return "bubblewrap ran, but not as the unprivileged user"
    return None


def resolve_sandbox(choice: str | Sandbox = "auto") -> Sandbox:
    """Turn ``--sandbox auto|bwrap|none`` into a :class:`Sandbox`.

    Raises
    ------
    RuntimeError
        For ``"bwrap"`` when bubblewrap does not work here (with the reason).
    ValueError
        For an unknown choice.
    """
    if isinstance(choice, Sandbox):
        return choice
    if choice not in SANDBOXES:
        raise ValueError(f"sandbox must be one of {SANDBOXES}; got {choice!r}")
    if choice == "none":
        return Sandbox("none", "turned off with --sandbox none")
    problem = probe_bwrap()
    if problem is None:
        return Sandbox("bwrap")
    if choice == "bwrap":
        raise RuntimeError(f"--sandbox bwrap: {problem}")
    return Sandbox("none", problem)


def host_compile_cache() -> str | None:
    """The grader's PyTensor compile cache (``base_compiledir``), if it exists."""
    for part in os.environ.get("PYTENSOR_FLAGS", "").split(","):
        key, _, value = part.partition("=")
        if key.strip() == "base_compiledir" and value.strip():
            return value.strip() if os.path.isdir(value.strip()) else None
    from teachkit.fit.pytensor_config import cache_dir

    d = cache_dir()
    return str(d) if d.is_dir() else None


def host_matplotlib_cache() -> str | None:
    """Matplotlib's cache folder (its font list), if it exists."""
    d = os.environ.get("MPLCONFIGDIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "matplotlib")
    return d if os.path.isdir(d) else None


COPY_CACHE_LIMIT_MB = 1024
"""A cache larger than this is not copied into the sandbox (its fits then compile cold)."""


def _tree_mb(path: str) -> float:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total / 2**20


COMPILING_WORDS = ("pymc", "pytensor", "nutpie", "numba", "teachkit.models", "teachkit.sampling",
                   "teachkit.fit", "teachkit import models", "teachkit import sampling",
                   "teachkit import fit", "logp_mismatch")
"""A process gets a copy of the compile cache only when its code mentions one of these."""


def compiles(*texts: str) -> bool:
    """Whether code mentioning these texts may compile models (and so wants the compile cache).

    Examples
    --------
    >>> compiles("import numpy as np"), compiles("import pymc as pm"), compiles("from teachkit import fit")
    (False, True, True)
    """
    return any(w in t for t in texts for w in COMPILING_WORDS)


def private_caches(dest: str | os.PathLike, *, compile_cache: bool = True) -> tuple[list[Mount], dict[str, str]]:
    """Copy the grader's caches under ``dest``; return their mounts (at the original paths) and env.

    The compile cache (PyTensor's and Numba's, which hold pickles and shared libraries that
    later processes load) and Matplotlib's font list. Each process writes only to its own copy,
    so a notebook can neither poison what later processes load nor see what other notebooks
    compiled. Without a cache (or one over :data:`COPY_CACHE_LIMIT_MB`, or with
    ``compile_cache=False`` for code that compiles nothing, see :func:`compiles`) the process
    compiles into a private, empty one.
    """
    dest = Path(dest)
    mounts: list[Mount] = []
    env: dict[str, str] = {}
    compiled = host_compile_cache() if compile_cache else None
    if compiled is not None and _tree_mb(compiled) <= COPY_CACHE_LIMIT_MB:
        shutil.copytree(compiled, dest / "compiled", symlinks=True, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".lock", "lock_dir"))
        mounts.append(Mount("rw", compiled, src=str(dest / "compiled")))
        env["base_compiledir"] = compiled
    else:
        env["base_compiledir"] = "/tmp/pytensor"
    mpl = host_matplotlib_cache()
    if mpl is not None and _tree_mb(mpl) <= 64:
        shutil.copytree(mpl, dest / "matplotlib", symlinks=True, dirs_exist_ok=True)
        mounts.append(Mount("rw", mpl, src=str(dest / "matplotlib")))
        env["MPLCONFIGDIR"] = mpl
    return mounts, env


def process_mounts(work: str | os.PathLike, caches: list[Mount] = (), extra: list[Mount] = ()) -> list[Mount]:
    """Everything a sandboxed grading process sees: :func:`base_mounts`, a private ``HOME``
    (tmpfs at the grader's ``HOME`` path), ``work`` read-write at :data:`INSIDE`, ``caches``
    and ``extra``."""
    home = os.path.expanduser("~")
    mounts = [*base_mounts()]
    if home not in ("/", "") and not any(m.dest == home for m in mounts):
        mounts.append(Mount("tmpfs", home, mode="1777", size_mb=TMPFS_MB))
    return [*mounts, Mount("rw", INSIDE, src=str(work)), *caches, *extra]


def inside_env(env: dict[str, str], cache_env: dict[str, str]) -> dict[str, str]:
    """The environment of a sandboxed process: ``env`` with temp, HOME and cache paths inside."""
    out = dict(env)
    out["TMPDIR"] = "/tmp"
    out["HOME"] = os.path.expanduser("~")
    flags = [f for f in out.get("PYTENSOR_FLAGS", "").split(",")
             if f and f.split("=", 1)[0].strip() not in ("base_compiledir", "compiledir")]
    flags.append(f"base_compiledir={cache_env['base_compiledir']}")
    if not any(f.split("=", 1)[0].strip() == "blas__ldflags" for f in flags):
        flags.append("blas__ldflags=")
    out["PYTENSOR_FLAGS"] = ",".join(flags)
    if "MPLCONFIGDIR" in cache_env:
        out["MPLCONFIGDIR"] = cache_env["MPLCONFIGDIR"]
    else:
        out["MPLCONFIGDIR"] = "/tmp/matplotlib"
    for var in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME"):
        out.pop(var, None)
    return out


# --- without an OS sandbox: the audit-hook guard -------------------------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def install_guard(protected: list[str], writable: list[str], *, own: list[str] = (),
                  allow_programs: bool = False) -> None:
    """Install an audit hook that refuses file access under ``protected`` and writes elsewhere.

    Parameters
    ----------
    protected : list of str
        Folders the notebook may neither read nor write nor list.
    writable : list of str
        The only folders the notebook may write to (its sandbox, temp and cache folders).
    own : list of str
        The notebook's own work folders: always allowed, even inside a protected folder.
    allow_programs : bool
        When False, starting other programs (``subprocess``, ``os.system``, ``os.exec*``) is
        refused. Forking Python itself (``multiprocessing``) stays allowed.

    Notes
    -----
    Audit hooks cannot be removed once installed, but native code (``ctypes``) can bypass
    them; the real guarantees of grading come from running the tests elsewhere.
    """
    prot = [os.path.realpath(p) for p in protected]
    wri = [os.path.realpath(p) for p in writable]
    mine = [os.path.realpath(p) for p in own]
    # Never writable, even where they lie inside a writable root (a checkout under /tmp, say):
    # the grader's own code, Otter, the interpreter's packages and its environment.
    ro = [os.path.realpath(p) for p in read_only_roots()]

    def inside(path: str, roots: list[str]) -> bool:
        return any(path == r or path.startswith(r + os.sep) for r in roots)

    def resolve(path) -> str | None:
        if isinstance(path, int):
            return None
        try:
            return os.path.realpath(os.fsdecode(path))
        except Exception:
            return None

    def deny(what: str, path: str):
        raise PermissionError(f"grading sandbox: {what} {path!r} is not allowed while grading")

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path = resolve(args[0])
            if path is None or inside(path, mine):
                return
            if inside(path, prot):
                deny("access to", path)
            mode, flags = args[1], args[2]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing and (not inside(path, wri) or inside(path, ro)):
                deny("writing to", path)
        elif event in ("os.listdir", "os.scandir", "glob.glob", "os.chdir"):
            path = resolve(args[0] if args and args[0] is not None else ".")
            if path is not None and inside(path, prot) and not inside(path, mine):
                deny("listing", path)
        elif event in ("os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate",
                       "os.utime", "shutil.rmtree", "os.link", "os.symlink", "os.rename"):
            paths = [a for a in args if isinstance(a, (str, bytes, os.PathLike))]
            for p in paths[:2] if event in ("os.rename", "os.link", "os.symlink") else paths[:1]:
                path = resolve(p)
                if path is not None and not inside(path, mine) and (
                    inside(path, prot) or inside(path, ro) or not inside(path, wri)
                ):
                    deny(event.split(".")[-1] + " of", path)
        elif not allow_programs and event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn",
                                               "os.spawn", "pty.spawn", "os.startfile"):
            raise PermissionError(f"grading sandbox: starting other programs ({event}) is not allowed while grading")

    sys.addaudithook(hook)


def writable_roots(sandbox: str | os.PathLike) -> list[str]:
    """Folders the notebook may write to: its sandbox, the temp folder and compile caches."""
    import tempfile

    home = Path.home()
    roots = [str(sandbox), tempfile.gettempdir(), str(home / ".pytensor"), str(home / ".cache"),
             str(home / ".ipython"), str(home / ".config" / "matplotlib"), str(home / ".local" / "share" / "jupyter"),
             "/dev/null", "/dev/shm"]
    for var in ("NUMBA_CACHE_DIR", "MPLCONFIGDIR", "XDG_CACHE_HOME"):
        if os.environ.get(var):
            roots.append(os.environ[var])
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    for part in flags.split(","):
        key, _, value = part.partition("=")
        if key.strip() in ("base_compiledir", "compiledir") and value:
            roots.append(value.strip())
    return roots


def protected_roots(extra: list[str | os.PathLike] = ()) -> list[str]:
    """Folders the notebook may not touch at all: ``extra`` plus the installed teachkit and Otter.

    The package folders are protected against writes only (they must stay importable), see
    :func:`install_guard`; they are simply not in the writable list. ``extra`` is protected
    against reading too.
    """
    return [str(Path(p).resolve()) for p in extra]


def read_only_roots() -> list[str]:
    """Folders the notebook may read but never write: teachkit, Otter, site-packages, the env.

    Examples
    --------
    >>> import teachkit
    >>> any(os.path.dirname(teachkit.__file__).startswith(r) for r in read_only_roots())
    True
    """
    import importlib.util

    roots = [site_packages(), sys.prefix]
    for pkg in ("teachkit", "otter"):
        spec = importlib.util.find_spec(pkg)
        if spec is not None and spec.submodule_search_locations:
            roots.extend(spec.submodule_search_locations)
    return roots


def site_packages() -> str:
    """The interpreter's site-packages folder (protected against writes by the guard)."""
    return sysconfig.get_paths()["purelib"]



# --- without an OS sandbox: the integrity hash ---------------------------------------------------

def integrity_files() -> list[Path]:
    """Every file the test side may import without an OS sandbox: all of teachkit and Otter,
    and site-packages' start-up hooks (``*.pth``, ``sitecustomize``, ``usercustomize``)."""
    import teachkit

    files = sorted(Path(teachkit.__file__).parent.rglob("*.py"))
    try:
        import otter

        files += sorted(Path(otter.__file__).parent.rglob("*.py"))
    except Exception:
        pass
    sp = Path(site_packages())
    files += sorted(sp.glob("*.pth")) + sorted(sp.glob("sitecustomize.py")) + sorted(sp.glob("usercustomize.py"))
    return files


def integrity_snapshot() -> str:
    """Hash of :func:`integrity_files`, taken before and after each notebook runs without an OS
    sandbox: a change means a notebook escaped the guard and edited what grades it (or a
    maintainer edited teachkit while a class was being graded)."""
    h = hashlib.sha256()
    for f in integrity_files():
        try:
            h.update(str(f).encode() + b"\0" + f.read_bytes())
        except OSError:
            h.update(str(f).encode() + b"\0missing")
    return h.hexdigest()
