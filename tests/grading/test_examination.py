"""teachkit.grading.examination on live objects: OK and python tests, proxies, time limits,
provenance (the same code path as grading, the notebook's side in a thread or a child process)."""

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

from teachkit import grading
from teachkit.checks import provenance
from teachkit.grading import examination

TOY = Path(__file__).parents[1] / "fixtures" / "toy-assignment" / "dist" / "autograder"


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
    out = examination.run_offline(tests, _student_ns())
    q = out["questions"]
    assert out["finished"] and (q["q1"]["score"], q["q2"]["score"]) == (3.0, 4.0), q


def test_examiner_gives_partial_credit_and_otter_messages():
    wrong = STUDENT_CODE.replace("return x ** 2", "return x * 2")
    tests = {"q1": _ok("q1", [(">>> square(2)\n4", False), (">>> square(3)\n9", True)], points=5,
                       all_or_nothing=False),
             "q2": _ok("q2", [(">>> square(2)\n4", False), (">>> square(3)\n9", True)], points=2,
                       all_or_nothing=True)}
    q = examination.run_offline(tests, _student_ns(wrong))["questions"]
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
    q = examination.run_offline(tests, _student_ns())["questions"]["q3"]
    assert q["score"] == 2.0, q


def test_expected_outputs_and_test_code_never_reach_the_notebook():
    seen = []
    ns = _student_ns()
    from teachkit.grading import answers as grading_student

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
        q = examination.run_offline(tests, ns)["questions"]
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
            "from teachkit.grading.answers import Server\n"
            f"ns = {{}}\nexec({STUDENT_CODE!r}, ns)\n"
            "s = socket.socket(fileno=int(sys.argv[1]))\n"
            "Server(s, ns).finish({})\n")
    p = subprocess.Popen([sys.executable, "-c", code, str(b.fileno())], pass_fds=(b.fileno(),))
    b.close()
    t0 = time.monotonic()
    try:
        out = examination.Examiner(tests, examination.Student(a, request_timeout=1.0)).run()
    finally:
        a.close()
        p.wait(30)
    q = out["questions"]["q1"]
    assert [c["passed"] for c in q["cases"]] == [False, True] and q["score"] == 1.0
    assert "time limit" in q["cases"][0]["message"] and time.monotonic() - t0 < 20


def test_examiner_scores_with_otter_and_reports_missing_globals():
    a = grading.load_assignment(TOY)
    x = np.random.default_rng(7).normal(3.0, 2.0, size=40)
    out = examination.run_offline(a.tests, {"q1_mean": float(x.mean()), "q3_z": np.zeros(40)})
    q = out["questions"]
    assert (q["q1"]["score"], q["q2"]["score"], q["q3"]["score"]) == (2.0, 0.0, 0.0)
    msg = " ".join(c["message"] for c in q["q2"]["cases"])
    assert "q2_summary was not defined" in msg
    assert "not the standardised data" in q["q3"]["cases"][0]["message"]


def test_unanswered_values_are_reported():
    a = grading.load_assignment(TOY)
    q = examination.run_offline(a.tests, {"q1_mean": ...})["questions"]
    assert q["q1"]["score"] == 0 and "not answered" in " ".join(c["message"] for c in q["q1"]["cases"])


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
    out = examination.run_offline(tests, {"q1_idata": truth_only})
    assert out["questions"]["q1"]["score"] == 0
    assert "real sampler run" in out["questions"]["q1"]["cases"][0]["message"]
    assert examination.run_offline(tests, {"q1_idata": _fake_run()})["questions"]["q1"]["score"] == 4
