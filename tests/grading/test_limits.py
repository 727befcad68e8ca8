"""teachkit.grading.limits and the fallback guard: time and memory limits, nothing left behind."""

import subprocess
import sys
import time

import psutil

from teachkit.grading import limits


def _alive(token):
    return limits.processes_with_token(token)


def test_run_limited_kills_grandchildren_and_daemons():
    code = ("import subprocess, os, time\n"
            "subprocess.Popen(['sleep', '300'])\n"
            "if os.fork() == 0:\n    os.setsid()\n    time.sleep(300)\n"
            "print('spawned', flush=True)\ntime.sleep(300)\n")
    t0 = time.monotonic()
    r = limits.run_limited([sys.executable, "-c", code], timeout=0.7, grace=0.3)
    assert r.status == "timeout" and time.monotonic() - t0 < 15
    assert len(r.killed) >= 3  # the child, sleep, the setsid daemon
    assert all(not psutil.pid_exists(p) or psutil.Process(p).status() == psutil.STATUS_ZOMBIE for p in r.killed)


def test_run_limited_memory_limit():
    code = "x = []\nwhile True:\n    x.append(bytearray(50_000_000))\n"
    r = limits.run_limited([sys.executable, "-c", code], timeout=60, memory_mb=300)
    assert r.status == "memory" and r.peak_mb > 300


def test_run_limited_keeps_only_the_output_tail():
    r = limits.run_limited([sys.executable, "-c", "for i in range(200000): print(i)"],
                                    timeout=30, keep_output=1000)
    assert len(r.output) <= 1000 and r.output.strip().endswith("199999")


def test_guard_blocks_protected_reads_writes_and_programs(tmp_path):
    prot, sand = tmp_path / "autograder", tmp_path / "sandbox"
    prot.mkdir()
    sand.mkdir()
    (prot / "q1.py").write_text("secret")
    code = f"""
from teachkit.grading.sandbox import install_guard
install_guard([{str(prot)!r}], [{str(sand)!r}])
import os, subprocess
res = []
for attempt in (lambda: open({str(prot / 'q1.py')!r}).read(),
                lambda: os.listdir({str(prot)!r}),
                lambda: open({str(tmp_path / 'outside.txt')!r}, 'w'),
                lambda: os.remove({str(prot / 'q1.py')!r}),
                lambda: subprocess.run(['cat', {str(prot / 'q1.py')!r}])):
    try:
        attempt(); res.append('allowed')
    except PermissionError:
        res.append('denied')
open({str(sand / 'ok.txt')!r}, 'w').write('fine')
print(res)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == str(["denied"] * 5), out.stderr
    assert (sand / "ok.txt").read_text() == "fine" and (prot / "q1.py").read_text() == "secret"
