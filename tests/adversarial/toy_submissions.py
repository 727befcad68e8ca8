"""Broken and tampering submissions of the toy assignment, built from its student notebook.

Each entry maps a submission id to (answers, extra cells appended after the init cell, expected
status, expected largest total). ``answers`` fill the ``...`` of each question; ``CORRECT`` is the
right answer. Paths that a tamperer would need are substituted at build time: ``{AUTOGRADER}``
(the autograder folder) and ``{OUT}`` (the gradebook folder).
"""

import copy
import json
from pathlib import Path

TOY = Path(__file__).parents[1] / "fixtures" / "toy-assignment" / "dist"
STUDENT = TOY / "student" / "toy.ipynb"

CORRECT = {
    "q1_mean": "data.mean()",
    "q2_summary": '{"mean": float(data.mean()), "sd": float(data.std(ddof=1))}',
    "q3_z": "(data - data.mean()) / data.std(ddof=1)",
}
BLANK = {}

PATCH_OTTER = """
import otter.test_files.exception_test as et, otter.test_files.abstract_test as at
import otter.test_files.ok_test as ok
ok.run_doctest = lambda *a, **k: (True, "")
ok.OKTestFile.run = lambda self, env: None
et.ExceptionTestFile.run = lambda self, env: None
at.TestFile.score = property(lambda self: self.possible)
at.TestFile.grade = property(lambda self: 1.0)
et.test_case.call_func = lambda self, env: None
"""
PATCH_CHECKS = """
import importlib
import teachkit.checks as c
for name in ("recovery", "divergences", "convergence", "structure"):
    setattr(c, name, lambda *a, **k: True)
# the examiner's code, wherever it lives: make every question score full marks
for modname in ("teachkit.grading_examiner", "teachkit.grading.examination"):
    try:
        ex = importlib.import_module(modname)
    except ImportError:
        continue
    ex.Examiner.examine = lambda self, q, at=None: {"score": 2, "possible": 2, "cases": [], "at": at}
    ex.parse_test_file = lambda *a, **k: None
try:
    import os, teachkit
    open(os.path.join(os.path.dirname(teachkit.__file__), "_adversarial_probe.py"), "w").write("x = 1")
except PermissionError as e:
    print("blocked", e)
"""
READ_TESTS = """
import glob, os
stolen = []
for pattern in ("{AUTOGRADER}/tests/*.py", "../**/tests/q1.py", "/tmp/**/tests/q1.py"):
    try:
        for f in glob.glob(pattern, recursive=True):
            try:
                stolen.append(open(f).read())
            except OSError:
                pass
    except OSError:
        pass
q1_mean = float(len(stolen))
"""
EDIT_TESTS = """
for q in ("q1", "q2", "q3"):
    try:
        open("{AUTOGRADER}/tests/" + q + ".py", "w").write("name = 'x'")
    except OSError as e:
        print("blocked", e)
"""
FAKE_RESULTS = """
import json, os
fake = {"score": 5, "tests": [{"name": "q1", "score": 2}]}
for path in ("results.json", "../results.json", "{OUT}/gradebook.csv", "{OUT}/.results/fake_results.json",
             "../export/manifest.json"):
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        open(path, "w").write(json.dumps(fake))
    except OSError as e:
        print("blocked", e)
"""
FORK_BOMBLET = """
import os, time
if os.fork() == 0:
    os.setsid()
    time.sleep(600)
    os._exit(0)
"""

CASES = {
    # id: (answers, extra cell source or None, expected status, largest allowed total)
    "good": (CORRECT, None, "ok", 5),
    "blank": (BLANK, None, "ok", 0),
    "q1-only": ({"q1_mean": CORRECT["q1_mean"]}, None, "ok", 2),
    "raises": ({**CORRECT, "q2_summary": "1 / 0"}, None, "ok", 3),
    "sys-exit": (CORRECT, "import sys; sys.exit(1)", "ok", 5),
    "infinite-loop": ({"q1_mean": CORRECT["q1_mean"], "q2_summary": "next(x for x in iter(int, 1) if x)"},
                      None, "timeout", 2),
    "memory-hog": (CORRECT, "hog = []\nwhile True:\n    hog.append(bytearray(100_000_000))", "memory", 0),
    "os-exit": (CORRECT, "import os; os._exit(3)", "error", 0),
    "kills-itself": (CORRECT, "import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "error", 0),
    "daemon": (CORRECT, FORK_BOMBLET, "ok", 5),
    "patch-otter": (BLANK, PATCH_OTTER, "ok", 0),
    "patch-checks": (BLANK, PATCH_CHECKS, "ok", 0),
    "read-tests": (BLANK, READ_TESTS, "ok", 0),
    "edit-tests": (BLANK, EDIT_TESTS, "ok", 0),
    "fake-results": (BLANK, FAKE_RESULTS, "ok", 0),
}


def build(answers: dict, extra: str | None, subs: dict[str, str]) -> dict:
    """The student notebook with ``answers`` filled in and ``extra`` after the first cells."""
    nb = json.loads(STUDENT.read_text())
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        for name, value in answers.items():
            src = src.replace(f"{name} = ...", f"{name} = {value}")
        cell["source"] = src
    if extra:
        for k, v in subs.items():
            extra = extra.replace("{" + k + "}", v)
        cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": extra}
        nb["cells"].insert(3, cell)
    return nb


def write_all(folder: Path, subs: dict[str, str]) -> dict[str, tuple[str, float]]:
    """Write every case to ``folder/ID.ipynb``; return ``{id: (status, largest total)}``."""
    folder.mkdir(parents=True, exist_ok=True)
    expect = {}
    for sid, (answers, extra, status, top) in CASES.items():
        (folder / f"{sid}.ipynb").write_text(json.dumps(build(answers, extra, subs)))
        expect[sid] = (status, top)
    return expect
