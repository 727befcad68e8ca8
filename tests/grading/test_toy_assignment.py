"""Grading tier: `teachkit grade` on the toy assignment with good, broken and tampering notebooks."""

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from teachkit import grading
from teachkit.grading.limits import TOKEN_VAR


def _load_cases(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, Path(__file__).parents[1] / "adversarial" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


subs_mod = _load_cases("toy_submissions")
native = _load_cases("native_attacks")

pytestmark = pytest.mark.grading

TOY = Path(__file__).parents[1] / "fixtures" / "toy-assignment" / "dist"


def _tokens_of(pids):
    import psutil

    tokens = set()
    for pid in pids:
        try:
            token = psutil.Process(pid).environ().get(TOKEN_VAR)
        except psutil.Error:
            continue
        if token:
            tokens.add(token)
    return tokens


def _our_processes(tokens=None):
    """Live processes carrying one of ``tokens`` (default: any grading token of this process);
    other developers' graders on the same machine carry tokens of their own."""
    import psutil

    from teachkit.grading.limits import ISSUED_TOKENS

    tokens = ISSUED_TOKENS if tokens is None else tokens
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get(TOKEN_VAR) in tokens:
                found.append(p.pid)
        except psutil.Error:
            pass
    return found


def _temp_dirs(folder=None):
    return sorted(p.name for p in Path(folder or tempfile.gettempdir()).glob("teachkit-grade-*"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("toygrade")
    autograder = root / "autograder"
    shutil.copytree(TOY / "autograder", autograder)
    out = root / "out"
    expect = subs_mod.write_all(root / "class", {"AUTOGRADER": str(autograder), "OUT": str(out)})
    # Native-code attacks win without an OS sandbox (that is why bubblewrap exists): run there,
    # they would append to this very installation (teachkit/checks/, site-packages), so they
    # run only where bubblewrap works; `make test` installs it (scripts/ensure-bubblewrap).
    if grading.resolve_sandbox("auto").kind == "bwrap":
        expect |= native.write_all(root / "class", {"AUTOGRADER": str(autograder), "OUT": str(out)})
    install_before = native.installation_files()
    (root / "class" / "empty.ipynb").write_text("")
    (root / "class" / "not-json.ipynb").write_text("print('hello')")
    other = json.loads((TOY / "student" / "toy.ipynb").read_text())
    other["metadata"]["otter"]["assignment_name"] = "hw01-mvnormal-cholesky"
    (root / "class" / "other-assignment.ipynb").write_text(json.dumps(other))
    good = json.loads((root / "class" / "good.ipynb").read_text())
    cells = list(good["cells"])
    q3 = next(c for c in cells if "q3_z =" in "".join(c["source"]))
    cells.remove(q3)
    at = next(i for i, c in enumerate(cells) if "data =" in "".join(c["source"]))
    reordered = dict(good, cells=cells[:at + 1] + [q3] + cells[at + 1:])  # q3 answered first
    (root / "class" / "reordered.ipynb").write_text(json.dumps(reordered))
    deleted = dict(good, cells=[c for c in good["cells"] if "q2_summary =" not in "".join(c["source"])])
    (root / "class" / "deleted-cell.ipynb").write_text(json.dumps(deleted))
    expect |= {"empty": ("invalid-notebook", 0), "not-json": ("invalid-notebook", 0),
               "other-assignment": ("wrong-assignment", 0), "reordered": ("ok", 5), "deleted-cell": ("ok", 3)}
    tests_before = {p.name: p.read_text() for p in (autograder / "tests").glob("*.py")}
    procs_before = _our_processes()
    # the grader's work folders go to a temp folder of this test alone (others grade here too)
    tmp = root / "tmp"
    tmp.mkdir()
    saved, tempfile.tempdir = tempfile.tempdir, str(tmp)
    try:
        book = grading.grade(autograder, [root / "class"], workers=2, timeout=20, memory_mb=1500, out=out,
                             progress=False)
        dirs_left = _temp_dirs()
    finally:
        tempfile.tempdir = saved
    assert list(tmp.iterdir()) == []
    time.sleep(3)  # let a daemon that outlived its notebook try to act (it must be dead)
    return dict(root=root, out=out, book=book, expect=expect, autograder=autograder, install_before=install_before,
                tests_before=tests_before, procs_before=procs_before, dirs_left=dirs_left)


def test_every_submission_gets_a_row_with_the_expected_status(graded):
    rows = {r.id: r for r in graded["book"].results}
    assert set(rows) == set(graded["expect"])
    wrong = {sid: (rows[sid].status, rows[sid].total, rows[sid].reason)
             for sid, (status, top) in graded["expect"].items()
             if rows[sid].status != status or rows[sid].total > top}
    assert wrong == {}


def test_correct_work_gets_full_marks_and_partial_work_partial(graded):
    rows = {r.id: r for r in graded["book"].results}
    assert rows["good"].total == 5 and rows["reordered"].total == 5
    assert rows["q1-only"].scores == {"q1": 2.0, "q2": 0.0, "q3": 0.0}
    assert rows["raises"].scores == {"q1": 2.0, "q2": 0.0, "q3": 1.0}
    assert rows["infinite-loop"].scores["q1"] == 2.0  # graded up to the cell that hung
    assert rows["sys-exit"].total == 5


def test_gradebook_and_feedback_files(graded):
    df = pd.read_csv(graded["out"] / "gradebook.csv")
    assert list(df.columns) == ["id", "total", "possible", "q1", "q2", "q3", "status", "seconds", "reason",
                                "sandbox", "versions"]
    assert set(df["sandbox"]) == {"bwrap"}
    from teachkit.grading.versions import grading_versions, versions_line

    assert set(df["versions"]) == {versions_line(grading_versions())}  # what graded each row
    assert all(versions_line(grading_versions()) in f.read_text() for f in (graded["out"] / "feedback").glob("*.md"))
    assert len(df) == len(graded["expect"])
    fb = (graded["out"] / "feedback" / "raises.md").read_text()
    assert "ZeroDivisionError" in fb and "q2: 0 / 2" in fb and "q1: 2 / 2" in fb
    assert "longer than the 20 s limit" in (graded["out"] / "feedback" / "infinite-loop.md").read_text()


def test_tampering_changed_nothing_and_left_nothing(graded):
    tests_after = {p.name: p.read_text() for p in (graded["autograder"] / "tests").glob("*.py")}
    assert tests_after == graded["tests_before"]
    assert not (graded["out"] / ".results" / "fake_results.json").exists()
    import teachkit

    assert not (Path(teachkit.__file__).parent / "_adversarial_probe.py").exists()
    assert _our_processes() == []
    assert graded["dirs_left"] == []  # measured in the grader's own temp folder


def test_native_attacks_earn_nothing_and_change_nothing(graded):
    """ctypes reads and writes, /proc and memory of other processes, ignored signals, daemons,
    inherited descriptors: each notebook answers q1 only if its attack worked (docstring of
    tests/adversarial/native_attacks.py), so 0 points means the attack failed."""
    import psutil

    if grading.resolve_sandbox("auto").kind != "bwrap":
        pytest.skip("bubblewrap does not work here: native attacks would change this installation")
    rows = {r.id: r for r in graded["book"].results}
    got = {sid: (rows[sid].status, rows[sid].total) for sid in native.CASES}
    assert got == {sid: (status, 0) for sid, (_, _, status, _) in native.CASES.items()}
    files = native.installation_files()
    assert [str(f) for f in files] == [str(f) for f in graded["install_before"]]  # nothing planted
    assert native.marked_files(files) == []  # nothing appended
    outputs = [graded["out"] / "gradebook.csv", *(graded["out"] / "feedback").glob("*.md"),
               *(graded["autograder"]).rglob("*")]
    assert native.marked_files(p for p in outputs if p.is_file()) == []
    alive = []
    for p in psutil.process_iter():
        try:
            if any(native.MARKER in part for part in p.cmdline()):
                alive.append(p.pid)
        except psutil.Error:
            pass
    assert alive == []  # the daemons died with the notebook's PID namespace


def test_without_bubblewrap_grading_says_so_and_the_guard_still_holds(graded, tmp_path):
    picks = [graded["root"] / "class" / f"{sid}.ipynb"
             for sid in ("good", "patch-otter", "patch-checks", "read-tests", "edit-tests", "fake-results")]
    out = subprocess.run([sys.executable, "-m", "teachkit", "grade", str(graded["autograder"]), *map(str, picks),
                          "--out", str(tmp_path / "out"), "--timeout", "30", "--no-progress", "--workers", "2",
                          "--sandbox", "none"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "NO OS SANDBOX" in out.stderr and "turned off with --sandbox none" in out.stderr
    df = pd.read_csv(tmp_path / "out" / "gradebook.csv").set_index("id")
    assert df["sandbox"].str.startswith("none (").all()
    assert df["total"].to_dict() == {"good": 5, "patch-otter": 0, "patch-checks": 0, "read-tests": 0,
                                     "edit-tests": 0, "fake-results": 0}
    tests_after = {p.name: p.read_text() for p in (graded["autograder"] / "tests").glob("*.py")}
    assert tests_after == graded["tests_before"]


def test_rerun_skips_unchanged_submissions(graded):
    book = grading.grade(graded["autograder"], [graded["root"] / "class"], workers=2, timeout=20,
                         memory_mb=1500, out=graded["out"], progress=False)
    assert all(r.skipped for r in book.results)
    assert [r.total for r in book.results] == [r.total for r in graded["book"].results]


def test_cli_regrades_a_changed_submission(graded, tmp_path):
    nb = json.loads((graded["root"] / "class" / "blank.ipynb").read_text())
    answer = next(c for c in nb["cells"] if "".join(c["source"]).strip() == "q1_mean = ...")
    answer["source"] = subs_mod.CORRECT["q1_mean"].join(["q1_mean = ", ""])  # answered before its check
    sub = tmp_path / "blank.ipynb"
    sub.write_text(json.dumps(nb))
    out = subprocess.run([sys.executable, "-m", "teachkit", "grade", str(graded["autograder"]), str(sub),
                          "--out", str(graded["out"]), "--timeout", "30", "--no-progress"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    df = pd.read_csv(graded["out"] / "gradebook.csv")
    assert df.set_index("id").loc["blank", "q1"] == 2.0


def test_an_answer_after_its_check_counts_as_in_otter_run(graded, tmp_path):
    """Otter grades a question at its `grader.check` cell (the last one, if several) and only
    questions never checked at the end: an answer given after its check earns nothing, and a
    second check after it does."""
    nb = json.loads((graded["root"] / "class" / "blank.ipynb").read_text())
    late = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": subs_mod.CORRECT["q1_mean"].join(["q1_mean = ", ""])}
    checked_again = dict(late, source=late["source"] + '\ngrader.check("q1")')
    (tmp_path / "late.ipynb").write_text(json.dumps(dict(nb, cells=[*nb["cells"], late])))
    (tmp_path / "rechecked.ipynb").write_text(json.dumps(dict(nb, cells=[*nb["cells"], checked_again])))
    book = grading.grade(graded["autograder"], [tmp_path / "late.ipynb", tmp_path / "rechecked.ipynb"],
                         out=tmp_path / "out", progress=False, timeout=30, workers=2)
    assert {r.id: r.scores["q1"] for r in book.results} == {"late": 0.0, "rechecked": 2.0}


def test_dask_local_cluster_gives_the_same_gradebook(graded, tmp_path):
    distributed = pytest.importorskip("distributed")
    picks = [graded["root"] / "class" / f"{sid}.ipynb" for sid in ("good", "raises", "blank", "empty")]
    local = grading.grade(graded["autograder"], picks, out=tmp_path / "local", progress=False, timeout=30)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        viadask = grading.grade(graded["autograder"], picks, out=tmp_path / "dask", progress=False,
                                timeout=30, dask=cluster.scheduler_address)
    key = lambda b: [(r.id, r.status, r.scores) for r in b.results]
    assert key(viadask) == key(local)
    a = pd.read_csv(tmp_path / "local" / "gradebook.csv").drop(columns="seconds")
    b = pd.read_csv(tmp_path / "dask" / "gradebook.csv").drop(columns="seconds")
    pd.testing.assert_frame_equal(a, b)


def test_stopping_the_grader_leaves_no_processes_or_folders(graded, tmp_path):
    import os
    import signal
    import time

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "teachkit", "grade", str(graded["autograder"]),
                             str(graded["root"] / "class" / "infinite-loop.ipynb"),
                             str(graded["root"] / "class" / "daemon.ipynb"), "--workers", "2",
                             "--out", str(tmp_path / "out"), "--timeout", "120", "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ | {"TMPDIR": str(tmp)})
    import psutil

    def started():
        try:
            return _tokens_of(c.pid for c in psutil.Process(proc.pid).children(recursive=True))
        except psutil.Error:
            return set()

    deadline = time.monotonic() + 240  # the grader's own start (imports) is slow on a loaded machine
    while not started() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)  # the notebooks are running now
    tokens = started()
    assert tokens and _our_processes(tokens), "the grader never started a notebook"
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    assert proc.returncode == 130
    assert _our_processes(tokens) == []
    assert list(tmp.iterdir()) == []
