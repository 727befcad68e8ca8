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

from teachkit import grading, grading_examiner, grading_process, grading_wire, provenance

TOY = Path(__file__).parent / "fixtures" / "toy-assignment" / "dist" / "autograder"


# --- the wire: data round trip, handles, never a pickle ---------------------------------------

def _roundtrip(value):
    enc = grading_wire.Encoder()
    tree = enc.encode(value)
    json.dumps(tree)  # the header is plain JSON
    return grading_wire.decode(tree, enc.blobs)


def test_wire_round_trip_of_every_data_kind():
    df = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}, index=["r1", "r2"])
    tree = xr.DataTree.from_dict({
        "posterior": xr.Dataset({"mu": (("chain", "draw"), np.arange(6.0).reshape(2, 3))},
                                coords={"chain": [0, 1], "draw": [0, 1, 2]}),
    })
    ns = {"q1_a": np.array([[1, 2], [3, 4]]), "q1_f": np.float64(2.5), "q2_d": {"k": [1, (2, 3)], "z": None, 4: {5}},
          "q3_df": df, "q4_s": df["a"], "q5_t": tree, "q6_str": "station 3", "q7": (b"\x00\x01", 1 + 2j, ...),
          "q8": [float("nan"), float("inf"), 2**70, range(1, 5, 2), slice(1, None)], "q9": np.bool_(True)}
    env = _roundtrip(ns)
    np.testing.assert_array_equal(env["q1_a"], ns["q1_a"])
    assert env["q1_a"].dtype == ns["q1_a"].dtype and env["q1_a"].flags.writeable
    assert env["q1_f"] == 2.5 and type(env["q1_f"]) is np.float64  # the type survives (doctests print it)
    assert env["q2_d"] == {"k": [1, (2, 3)], "z": None, 4: {5}}
    pd.testing.assert_frame_equal(env["q3_df"], df)
    pd.testing.assert_series_equal(env["q4_s"], df["a"])
    xr.testing.assert_identical(env["q5_t"]["posterior"].to_dataset(), tree["posterior"].to_dataset())
    assert env["q6_str"] == "station 3" and env["q7"] == (b"\x00\x01", 1 + 2j, ...)
    assert np.isnan(env["q8"][0]) and env["q8"][1:] == [float("inf"), 2**70, range(1, 5, 2), slice(1, None)]
    assert repr(env["q9"]) == "np.True_"


def test_wire_sends_non_data_as_handles_and_refuses_them_without_a_table():
    with pytest.raises(TypeError, match="cannot be sent as data"):
        grading_wire.Encoder().encode(lambda: 1)
    with pytest.raises(TypeError, match="cannot be sent as data"):
        grading_wire.Encoder().encode(np.array([object()]))  # object arrays would need pickles
    from teachkit.grading_student import Handles

    h = Handles()
    tree = grading_wire.Encoder(handle=h.add).encode({"f": print, "g": [len]})
    assert tree["v"][0][1]["$"] == "h" and "__call__" in tree["v"][0][1]["dunders"]
    with pytest.raises(grading_wire.WireError, match="handle where none"):
        grading_wire.decode(tree, [])


def test_wire_never_unpickles_and_refuses_malformed_data():
    import io

    pickled = io.BytesIO()
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    for bad in ({"$": "nd", "dtype": "|O", "shape": [1], "b": 0},          # object dtype
                {"$": "nd", "dtype": "<f8", "shape": [3], "b": 0},          # size does not match
                {"$": "nd", "dtype": "<f8", "shape": [1], "b": 7},          # no such blob
                {"$": "pickle", "v": "gASVAA=="},                            # unknown tag
                {"x": 1}):                                                   # untagged object
        with pytest.raises(grading_wire.WireError):
            grading_wire.decode(bad, [pickled.getvalue()])
    layout = {"kind": "tree", "nodes": [{"path": "/", "attrs": {}, "coords": {},
                                         "vars": {"mu": {"key": "a0", "dims": ["x"]}}}]}
    npz = io.BytesIO()
    np.savez(npz, a0=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        grading_wire.decode({"$": "tree", "layout": layout, "b": 0}, [npz.getvalue()])


def test_wire_frames_refuse_oversized_headers():
    import socket
    import struct

    a, b = socket.socketpair()
    with a, b:
        a.sendall(struct.pack(">II", grading_wire.MAX_HEADER + 1, 0))
        with pytest.raises(grading_wire.WireError, match="larger than allowed"):
            grading_wire.recv_frame(b)
        grading_wire.send_frame(a, {"op": "x"}, [b"blob"])
        assert grading_wire.recv_frame(b) == ({"op": "x"}, [b"blob"])


# --- the examiner on live objects (same code path as grading, in one process) ------------------

STUDENT_CODE = """
import numpy as np
def square(x): return x ** 2
def fiberator():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b
class Point:
    def __init__(self, x, y): self.x, self.y = x, y
    def __repr__(self): return f"Point({self.x}, {self.y})"
    def __eq__(self, o): return isinstance(o, Point) and (self.x, self.y) == (o.x, o.y)
    def __add__(self, o): return Point(self.x + o.x, self.y + o.y)
    def __len__(self): return 2
def greet(name): print("hello", name); return len(name)
def boom(): raise KeyError("missing")
def forever():
    while True: pass
z = np.arange(5.0)
"""


def _student_ns(code=STUDENT_CODE):
    ns = {}
    exec(code, ns)
    return ns


def _ok(name, cases, points=None, **extra):
    spec = {"name": name, "points": points, **extra,
            "suites": [{"cases": [{"code": c, "hidden": h} for c, h in cases], "scored": True, "setup": "",
                        "teardown": "", "type": "doctest"}]}
    return "OK_FORMAT = True\ntest = " + repr(spec) + "\n"


def test_examiner_runs_doctests_on_live_functions_generators_and_classes():
    tests = {"q1": _ok("q1", [(">>> square(3)\n9", False), (">>> square(2.5)\n6.25", True),
                               (">>> np.isclose(square(1.5), 2.25)\nnp.True_", True)], points=3),
             "q2": _ok("q2", [(">>> fib = fiberator()\n>>> [next(fib) for _ in range(6)]\n[0, 1, 1, 2, 3, 5]", False),
                               (">>> Point(1, 2) + Point(3, 4)\nPoint(4, 6)\n>>> len(Point(0, 0))\n2", True),
                               (">>> greet('ab')\nhello ab\n2", True),
                               (">>> boom()\nTraceback (most recent call last):\nKeyError: 'missing'", True)],
                       points=[1, 1, 1, 1])}
    out = grading_examiner.run_offline(tests, _student_ns())
    q = out["questions"]
    assert out["finished"] and (q["q1"]["score"], q["q2"]["score"]) == (3.0, 4.0), q


def test_examiner_gives_partial_credit_and_otter_messages():
    wrong = STUDENT_CODE.replace("return x ** 2", "return x * 2")
    tests = {"q1": _ok("q1", [(">>> square(2)\n4", False), (">>> square(3)\n9", True)], points=5,
                       all_or_nothing=False),
             "q2": _ok("q2", [(">>> square(2)\n4", False), (">>> square(3)\n9", True)], points=2,
                       all_or_nothing=True)}
    q = grading_examiner.run_offline(tests, _student_ns(wrong))["questions"]
    assert (q["q1"]["score"], q["q2"]["score"]) == (2.5, 0.0)
    failed = [c for c in q["q1"]["cases"] if not c["passed"]][0]
    assert "Expected:\n    9\nGot:\n    6" in failed["message"] and failed["hidden"]


def test_examiner_python_tests_get_proxies_modules_and_env():
    tests = {"q3": (
        "from otter.test_files import test_case\nOK_FORMAT = False\nname = 'q3'\npoints = 2\n"
        "@test_case(points=1)\ndef test_objects(square, np, z, Point, fiberator):\n"
        "    import itertools, types\n"
        "    assert square(16) == 256 and np.allclose(z, np.arange(5.0))\n"
        "    assert np is __import__('numpy')  # imported here by name, not the student's object\n"
        "    p = Point(1, 2)\n"
        "    assert isinstance(p, Point) and p == Point(1, 2) and p.x == 1 and repr(p) == 'Point(1, 2)'\n"
        "    assert isinstance(fiberator(), types.GeneratorType)\n"
        "    assert list(itertools.islice(fiberator(), 5)) == [0, 1, 1, 2, 3]\n"
        "@test_case(points=1, hidden=True)\ndef test_env(env):\n"
        "    assert env['square'](3) == 9 and 'z' in env and env.get('nope') is None\n")}
    q = grading_examiner.run_offline(tests, _student_ns())["questions"]["q3"]
    assert q["score"] == 2.0, q


def test_expected_outputs_and_test_code_never_reach_the_notebook():
    seen = []
    ns = _student_ns()
    from teachkit import grading_student

    orig = grading_student.Server.answer

    def answer(self, req, blobs):
        seen.append(json.dumps(req) + repr(blobs))
        return orig(self, req, blobs)

    grading_student.Server.answer = answer
    try:
        tests = {"q1": _ok("q1", [(">>> square(12345)\n152399025", True)], points=1),
                 "q2": ("from otter.test_files import test_case\nOK_FORMAT = False\nname = 'q2'\n"
                        "@test_case(hidden=True)\ndef test_secret(square):\n    SECRET_MARK = 1\n"
                        "    assert square(777) == 603729\n")}
        q = grading_examiner.run_offline(tests, ns)["questions"]
    finally:
        grading_student.Server.answer = orig
    assert q["q1"]["score"] == 1 and q["q2"]["score"] == 1
    wire_text = " ".join(seen)
    assert "12345" in wire_text and "777" in wire_text  # the arguments go, as they must
    for secret in ("152399025", "603729", "SECRET_MARK", "test_secret", "assert", ">>>"):
        assert secret not in wire_text


def test_a_function_that_never_returns_fails_only_its_case():
    import socket

    tests = {"q1": _ok("q1", [(">>> forever()", True), (">>> square(2)\n4", True)], points=2)}
    a, b = socket.socketpair()
    # the request time limit is a SIGALRM in the notebook's main thread: run the real server in
    # a child process, as grading does
    code = (f"import socket, sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
            "from teachkit.grading_student import Server\n"
            f"ns = {{}}\nexec({STUDENT_CODE!r}, ns)\n"
            "s = socket.socket(fileno=int(sys.argv[1]))\n"
            "Server(s, ns).finish({})\n")
    p = subprocess.Popen([sys.executable, "-c", code, str(b.fileno())], pass_fds=(b.fileno(),))
    b.close()
    t0 = time.monotonic()
    try:
        out = grading_examiner.Examiner(tests, grading_examiner.Student(a, request_timeout=1.0)).run()
    finally:
        a.close()
        p.wait(30)
    q = out["questions"]["q1"]
    assert [c["passed"] for c in q["cases"]] == [False, True] and q["score"] == 1.0
    assert "time limit" in q["cases"][0]["message"] and time.monotonic() - t0 < 20


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

def test_examiner_scores_with_otter_and_reports_missing_globals():
    a = grading.load_assignment(TOY)
    x = np.random.default_rng(7).normal(3.0, 2.0, size=40)
    out = grading_examiner.run_offline(a.tests, {"q1_mean": float(x.mean()), "q3_z": np.zeros(40)})
    q = out["questions"]
    assert (q["q1"]["score"], q["q2"]["score"], q["q3"]["score"]) == (2.0, 0.0, 0.0)
    msg = " ".join(c["message"] for c in q["q2"]["cases"])
    assert "q2_summary was not defined" in msg
    assert "not the standardised data" in q["q3"]["cases"][0]["message"]


def test_unanswered_values_are_reported():
    a = grading.load_assignment(TOY)
    q = grading_examiner.run_offline(a.tests, {"q1_mean": ...})["questions"]
    assert q["q1"]["score"] == 0 and "not answered" in " ".join(c["message"] for c in q["q1"]["cases"])


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


def test_fabricated_posterior_earns_no_points_in_the_examiner():
    tests = {"q1": (
        "from otter.test_files import test_case\nOK_FORMAT = False\nname = 'q1'\npoints = 4\n"
        "@test_case()\ndef test_mean(q1_idata):\n"
        "    assert abs(float(q1_idata['posterior']['mu'].mean()) - 1.0) < 0.05\n")}
    truth_only = xr.DataTree.from_dict({"posterior": xr.Dataset({"mu": (("chain", "draw"), np.ones((2, 100)))})})
    out = grading_examiner.run_offline(tests, {"q1_idata": truth_only})
    assert out["questions"]["q1"]["score"] == 0
    assert "real sampler run" in out["questions"]["q1"]["cases"][0]["message"]
    assert grading_examiner.run_offline(tests, {"q1_idata": _fake_run()})["questions"]["q1"]["score"] == 4


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

from teachkit import grading_sandbox as sb

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
    assert str(pkg / "grading_examiner.py") in narrow
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
