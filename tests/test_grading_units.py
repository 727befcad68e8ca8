"""Fast unit tests of teachkit grading's pieces (no notebook kernel, a few seconds in all)."""

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest
import xarray as xr

from teachkit import grading, grading_clean, grading_export, grading_process, provenance

TOY = Path(__file__).parent / "fixtures" / "toy-assignment" / "dist" / "autograder"


# --- export round trip ---------------------------------------------------------------------

def test_export_round_trip_of_every_supported_kind(tmp_path):
    df = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}, index=["r1", "r2"])
    tree = xr.DataTree.from_dict({
        "posterior": xr.Dataset({"mu": (("chain", "draw"), np.arange(6.0).reshape(2, 3))},
                                coords={"chain": [0, 1], "draw": [0, 1, 2]}),
    })
    ns = {"q1_a": np.array([[1, 2], [3, 4]]), "q1_f": np.float64(2.5), "q2_d": {"k": [1, (2, 3)], "z": None},
          "q3_df": df, "q4_s": df["a"], "q5_t": tree, "q6_str": "station 3"}
    manifest = grading_export.export_globals(ns, list(ns), tmp_path)
    assert all("error" not in e for e in manifest.values()), manifest
    env, problems = grading_export.load_exports(tmp_path)
    assert problems == {}
    np.testing.assert_array_equal(env["q1_a"], ns["q1_a"])
    assert env["q1_f"] == 2.5 and type(env["q1_f"]) is float
    assert env["q2_d"] == {"k": [1, [2, 3]], "z": None}
    pd.testing.assert_frame_equal(env["q3_df"], df)
    pd.testing.assert_series_equal(env["q4_s"], df["a"])
    xr.testing.assert_identical(env["q5_t"]["posterior"].to_dataset(), tree["posterior"].to_dataset())
    assert env["q6_str"] == "station 3"


def test_export_reports_unanswered_and_unsupported_values(tmp_path):
    grading_export.export_globals({"q1": ..., "q2": lambda: 1, "q3": np.array([object()])}, ["q1", "q2", "q3", "q4"], tmp_path)
    env, problems = grading_export.load_exports(tmp_path)
    assert env == {}
    assert "not answered" in problems["q1"]
    assert "function" in problems["q2"]
    assert "object" in problems["q3"]
    assert "not defined" in problems["q4"]


def test_load_exports_refuses_files_outside_the_folder(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"kind": "json", "value": 42}))
    exp = tmp_path / "export"
    exp.mkdir()
    (exp / "manifest.json").write_text(json.dumps({"q1": {"kind": "json", "file": "../secret.json"}}))
    env, problems = grading_export.load_exports(exp)
    assert env == {} and "unexpected file" in problems["q1"]


def test_load_exports_never_unpickles(tmp_path):
    np.save(tmp_path / "q1.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    (tmp_path / "manifest.json").write_text(json.dumps({"q1": {"kind": "ndarray", "file": "q1.npy"}}))
    env, problems = grading_export.load_exports(tmp_path)
    assert "q1" not in env and "pickle" in problems["q1"].lower()


# --- assignment and submissions --------------------------------------------------------------

def test_load_assignment_from_folder_and_zip_agree():
    a = grading.load_assignment(TOY)
    b = grading.load_assignment(TOY / "autograder.zip")
    assert a.tests == b.tests and a.names == b.names == ("q1_mean", "q2_summary", "q3_z")
    assert a.possible == {"q1": 2.0, "q2": 2.0, "q3": 1.0}
    assert a.fingerprint == b.fingerprint


def test_load_assignment_explains_a_wrong_path(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        grading.load_assignment(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no tests/ folder"):
        grading.load_assignment(tmp_path / "empty")


def test_find_submissions_from_files_folders_and_gradescope_zip(tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ana.ipynb").write_text("{}")
    (tmp_path / "class" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "class" / ".ipynb_checkpoints" / "ana-checkpoint.ipynb").write_text("{}")
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as zf:
        zf.writestr("submission_101/hw.ipynb", "{}")
        zf.writestr("submission_102/hw.ipynb", "{}")
        zf.writestr("submission_metadata.yml", "x")
    (tmp_path / "ana.txt").write_text("not a notebook")
    subs = grading.find_submissions([tmp_path / "class", tmp_path / "export.zip", tmp_path / "ana.txt"])
    assert [s.id for s in subs] == ["ana", "submission_101", "submission_102", "ana-2"]


@pytest.mark.parametrize("data, status", [
    (b"", "invalid-notebook"),
    (b"\x89PNG....", "invalid-notebook"),
    (b'{"a": 1}', "invalid-notebook"),
    (b'{"cells": [], "nbformat": 4, "metadata": {}}', "invalid-notebook"),
    (b'{"cells": [{"cell_type": "code", "source": "x=1"}], "nbformat": 4,'
     b' "metadata": {"otter": {"assignment_name": "other"}}}', "wrong-assignment"),
    (b'{"cells": [{"cell_type": "code", "source": "x=1"}], "nbformat": 4, "metadata": {}}', "ok"),
])
def test_parse_notebook_statuses(data, status):
    a = grading.load_assignment(TOY)
    assert grading.parse_notebook(data, a)[1] == status


def test_gradebook_csv_has_one_column_per_question(tmp_path):
    r = grading.Result("ana", "ok", 3.0, 5.0, {"q1": 2.0, "q2": 1.0}, 1.5, "", "h", "k")
    path = grading.Gradebook("toy", ["q1", "q2"], [r]).to_csv(tmp_path / "g.csv")
    df = pd.read_csv(path)
    assert list(df.columns) == ["id", "total", "possible", "q1", "q2", "status", "seconds", "reason", "sandbox"]
    assert df.loc[0, "q1"] == 2.0 and df.loc[0, "status"] == "ok"


# --- clean test process logic ----------------------------------------------------------------

def test_run_tests_scores_with_otter_and_reports_missing_globals(tmp_path):
    a = grading.load_assignment(TOY)
    x = np.random.default_rng(7).normal(3.0, 2.0, size=40)
    grading_export.export_globals({"q1_mean": float(x.mean()), "q3_z": np.zeros(40)},
                                  list(a.names), tmp_path)
    out = grading_clean.run_tests(a.tests, str(tmp_path))
    q = out["questions"]
    assert (q["q1"]["score"], q["q2"]["score"], q["q3"]["score"]) == (2.0, 0.0, 0.0)
    msg = " ".join(c["message"] for c in q["q2"]["cases"])
    assert "q2_summary was not defined" in msg
    assert "not the standardised data" in q["q3"]["cases"][0]["message"]


# --- provenance --------------------------------------------------------------------------------

def _fake_run(seed=0, chains=2, draws=200):
    """A sample that imitates NUTS output closely (energy = -lp + kinetic, stays recorded)."""
    rng = np.random.default_rng(seed)
    mu = rng.normal(1.0, 0.3, size=(chains, draws))
    lp = -0.5 * ((mu - 1.0) / 0.3) ** 2 + rng.normal(0, 0.3, size=mu.shape)
    kinetic = rng.chisquare(1, size=mu.shape) / 2
    depth = rng.integers(1, 4, size=mu.shape)
    coords = {"chain": np.arange(chains), "draw": np.arange(draws)}
    post = xr.Dataset({"mu": (("chain", "draw"), mu)}, coords=coords)
    stats = xr.Dataset({
        "lp": (("chain", "draw"), lp), "energy": (("chain", "draw"), -lp + kinetic),
        "step_size": (("chain", "draw"), np.full(mu.shape, 0.8)),
        "step_size_bar": (("chain", "draw"), np.full(mu.shape, 0.8)),
        "tree_depth": (("chain", "draw"), depth), "n_steps": (("chain", "draw"), 2.0 ** depth - 1),
        "diverging": (("chain", "draw"), np.zeros(mu.shape, bool)),
        "index_in_trajectory": (("chain", "draw"), rng.integers(1, 5, size=mu.shape)),
    }, coords=coords)
    return xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})


def test_provenance_accepts_consistent_statistics():
    assert provenance.check_posterior(_fake_run()) == []


def test_provenance_rejects_draws_equal_to_the_truth():
    t = _fake_run()
    post = t["posterior"].to_dataset()
    post["mu"][:] = 1.0
    t["posterior"] = xr.DataTree(post)
    problems = provenance.check_posterior(t)
    assert any("does not vary" in p for p in problems)


def test_provenance_rejects_stats_that_do_not_match_the_draws():
    t = _fake_run()
    stats = t["sample_stats"].to_dataset()
    stats["energy"] = (("chain", "draw"), np.random.default_rng(5).normal(50, 1, stats["lp"].shape))
    stats["n_steps"] = stats["n_steps"] * 0 + 1000
    t["sample_stats"] = xr.DataTree(stats)
    problems = " ".join(provenance.check_posterior(t))
    assert "energy does not move" in problems and "leapfrog steps" in problems


def test_provenance_rejects_repeats_the_sampler_did_not_report():
    t = _fake_run()
    post = t["posterior"].to_dataset()
    post["mu"].values[:, 1::2] = post["mu"].values[:, 0:-1:2]  # every other draw repeated
    t["posterior"] = xr.DataTree(post)
    assert any("not produced by this sampler" in p for p in provenance.check_posterior(t))


def test_fabricated_posterior_earns_no_points_in_the_clean_process(tmp_path):
    tests = {"q1": (
        "from otter.test_files import test_case\nOK_FORMAT = False\nname = 'q1'\npoints = 4\n"
        "@test_case()\ndef test_mean(q1_idata):\n"
        "    assert abs(float(q1_idata['posterior']['mu'].mean()) - 1.0) < 0.05\n")}
    truth_only = xr.DataTree.from_dict({"posterior": xr.Dataset({"mu": (("chain", "draw"), np.ones((2, 100)))})})
    grading_export.export_globals({"q1_idata": truth_only}, ["q1_idata"], tmp_path / "a")
    out = grading_clean.run_tests(tests, str(tmp_path / "a"))
    assert out["questions"]["q1"]["score"] == 0
    assert "real sampler run" in out["questions"]["q1"]["cases"][0]["message"]
    grading_export.export_globals({"q1_idata": _fake_run()}, ["q1_idata"], tmp_path / "b")
    assert grading_clean.run_tests(tests, str(tmp_path / "b"))["questions"]["q1"]["score"] == 4


# --- process limits ------------------------------------------------------------------------------

def _alive(token):
    return grading_process.processes_with_token(token)


def test_run_limited_kills_grandchildren_and_daemons():
    code = ("import subprocess, os, time\n"
            "subprocess.Popen(['sleep', '300'])\n"
            "if os.fork() == 0:\n    os.setsid()\n    time.sleep(300)\n"
            "print('spawned', flush=True)\ntime.sleep(300)\n")
    t0 = time.monotonic()
    r = grading_process.run_limited([sys.executable, "-c", code], timeout=0.7, grace=0.3)
    assert r.status == "timeout" and time.monotonic() - t0 < 15
    assert len(r.killed) >= 3  # the child, sleep, the setsid daemon
    assert all(not psutil.pid_exists(p) or psutil.Process(p).status() == psutil.STATUS_ZOMBIE for p in r.killed)


def test_run_limited_memory_limit():
    code = "x = []\nwhile True:\n    x.append(bytearray(50_000_000))\n"
    r = grading_process.run_limited([sys.executable, "-c", code], timeout=60, memory_mb=300)
    assert r.status == "memory" and r.peak_mb > 300


def test_run_limited_keeps_only_the_output_tail():
    r = grading_process.run_limited([sys.executable, "-c", "for i in range(200000): print(i)"],
                                    timeout=30, keep_output=1000)
    assert len(r.output) <= 1000 and r.output.strip().endswith("199999")


def test_guard_blocks_protected_reads_writes_and_programs(tmp_path):
    prot, sand = tmp_path / "autograder", tmp_path / "sandbox"
    prot.mkdir()
    sand.mkdir()
    (prot / "q1.py").write_text("secret")
    code = f"""
from teachkit.grading_runner import install_guard
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


# --- the OS sandbox ------------------------------------------------------------------------------

from teachkit import grading_sandbox as sb  # noqa: E402

ROOT = Path(__file__).parents[1]


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

    full = {str(p) for p in grading._integrity_files(full=True)}
    narrow = {str(p) for p in grading._integrity_files(full=False)}
    pkg = Path(teachkit.__file__).parent
    assert str(pkg / "checks.py") in full and str(pkg / "checks.py") not in narrow
    assert str(Path(otter.__file__)) in full
    assert str(pkg / "grading_clean.py") in narrow
    assert any(p.endswith(".pth") for p in full) and any(p.endswith(".pth") for p in narrow)


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
out["write_teachkit"] = writable(os.path.join(os.path.dirname(teachkit.__file__), "checks.py"))
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
