"""teachkit.grading.sandbox: bubblewrap's view of the machine, the fallback and its hash."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from teachkit.grading import sandbox as sb

ROOT = Path(__file__).parents[2]


def _bwrap_or_skip():
    problem = sb.probe_bwrap()
    if problem:
        pytest.skip(problem)


def test_mount_args_make_parents_first_and_keep_private_folders_writable():
    args = sb.mount_args([sb.Mount("rw", "/home/me/.cache/x", src="/copy"),
                          sb.Mount("tmpfs", "/home/me", mode="1777", size_mb=1),
                          sb.Mount("ro", "/opt/py", src="/opt/py")])
    assert args.index("--tmpfs") < args.index("--bind")  # HOME before the cache inside it
    made = {args[i + 1]: args[i - 1] for i, a in enumerate(args) if a == "--dir"}
    assert made["/home/me/.cache"] == "1777" and made["/opt"] == "0755"


def test_python_roots_bind_the_package_folder_not_the_checkout():
    import teachkit

    dests = [d for d, _ in sb.python_roots()]
    pkg = str(Path(teachkit.__file__).parent)
    assert any(pkg == d or pkg.startswith(d + "/") for d in dests)
    for secret in ("solutions", "autograder", "tests", ".git"):
        assert not any(str(ROOT / secret).startswith(d + "/") or str(ROOT / secret) == d for d in dests)
    assert str(ROOT) not in dests


def test_resolve_sandbox_falls_back_loudly_or_fails(monkeypatch):
    monkeypatch.setattr(sb, "probe_bwrap", lambda: "bubblewrap (bwrap) is not installed")
    box = sb.resolve_sandbox("auto")
    assert box.kind == "none" and box.label == "none (bubblewrap (bwrap) is not installed)"
    with pytest.raises(RuntimeError, match="not installed"):
        sb.resolve_sandbox("bwrap")
    with pytest.raises(ValueError, match="sandbox must be one of"):
        sb.resolve_sandbox("docker")


def test_integrity_hash_covers_all_of_teachkit_and_otter_without_a_sandbox():
    import otter

    import teachkit

    full = {str(p) for p in sb.integrity_files()}
    pkg = Path(teachkit.__file__).parent
    assert {str(pkg / "checks" / "__init__.py"), str(pkg / "checks" / "provenance.py"), str(pkg / "grading" / "examination.py")} <= full
    assert str(Path(otter.__file__)) in full and str(Path(otter.__file__).parent / "test_files" / "ok_test.py") in full
    assert any(p.endswith(".pth") for p in full)


PROBE = r"""
import json, os, socket, sys
out = {"uid": os.getuid(), "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}
out["seen"] = {p: os.path.exists(p) for p in sys.argv[1:]}
def writable(path):
    try:
        with open(path, "a"):
            pass
        return True
    except OSError:
        return False
import teachkit
out["write_teachkit"] = writable(os.path.join(os.path.dirname(teachkit.__file__), "checks", "__init__.py"))
out["write_venv"] = writable(os.path.join(sys.prefix, "pyvenv.cfg"))
out["write_tmp"] = writable("/tmp/x") and writable(os.path.expanduser("~/x")) and writable("/grading/x")
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    out["network"] = True
except OSError:
    out["network"] = False
print(json.dumps(out))
"""


def test_bwrap_sandbox_hides_the_checkout_and_blocks_writes_and_network(tmp_path):
    _bwrap_or_skip()
    work = tmp_path / "work"
    work.mkdir()
    sb.give_to_sandbox(work)
    secrets = [str(ROOT / "solutions"), str(ROOT / "autograder"), str(ROOT / "tests"), str(tmp_path)]
    cmd = sb.bwrap_command([sys.executable, "-I", "-c", PROBE, *secrets], sb.process_mounts(work), cwd=sb.INSIDE)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["uid"] == sb.SANDBOX_UID
    assert max(out["pids"]) < 50  # its own PID namespace: no grader, no other process of the machine
    assert out["seen"] == {s: False for s in secrets}
    assert not out["write_teachkit"] and not out["write_venv"] and out["write_tmp"]
    assert out["network"] is False
    assert (work / "x").exists()  # /grading is the work folder
