"""Fast tier for ``teachkit.course.build`` and ``teachkit build``.

- the committed ``exercises/`` and ``autograder/`` are what the masters build (``--check``);
- a build is deterministic, and ``--check`` names the stale files when a master changes;
- every master follows the grading contract (python3 kernel, python-format tests, a seed
  variable, tests for every question, question-prefixed graded names, hidden tests that carry
  the points) and the student notebooks leak no hidden test;
- the teachkit wheel bundled into each autograder zip installs with pip.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from teachkit import cli
from teachkit.course import build as assignments

ROOT = Path(__file__).resolve().parents[2]
NAMES = assignments.assignment_names(ROOT)


def _raw(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(source)


def toy_master(
    path: Path,
    *,
    answer: str = "2",
    kernel: str = "python3",
    config_extra: str = "",
    tests: bool = True,
) -> Path:
    """A one-question master notebook in the course's format."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": "Python 3", "language": "python"}
    cells = [
        _raw(
            "# ASSIGNMENT CONFIG\nname: hw99-toy\nseed:\n  variable: SEED\n  autograder_value: 3\n"
            "  student_value: 3\ntests:\n  ok_format: false\nexport_cell: false\n" + config_extra
        ),
        nbformat.v4.new_code_cell("SEED = 3"),
        _raw("# BEGIN QUESTION\nname: q1\npoints: 2"),
        nbformat.v4.new_markdown_cell("Set `q1_x` to 2."),
        _raw("# BEGIN SOLUTION"),
        nbformat.v4.new_code_cell(f"q1_x = {answer}  # SOLUTION"),
        _raw("# END SOLUTION"),
    ]
    if tests:
        cells += [
            _raw("# BEGIN TESTS"),
            nbformat.v4.new_code_cell("def test_type(q1_x):\n    assert isinstance(q1_x, int)"),
            nbformat.v4.new_code_cell(
                '""" # BEGIN TEST CONFIG\npoints: 2\nhidden: true\n""" # END '
                "TEST CONFIG\ndef test_value(q1_x):\n    assert q1_x == 2"
            ),
            _raw("# END TESTS"),
        ]
    cells.append(_raw("# END QUESTION"))
    nb.cells = cells
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for sub in ("exercises", "autograder")
        for p in sorted((root / sub).rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------------------------
# the committed outputs


def test_every_course_assignment_has_a_master():
    assert set(assignments.ASSIGNMENTS) >= set(NAMES)
    assert NAMES, "solutions/ holds no master notebook"


def test_committed_outputs_are_up_to_date():
    stale = assignments.check(root=ROOT)
    assert stale == [], "run `teachkit build` and commit:\n" + "\n".join(stale)


def test_cli_check_passes_on_committed_outputs(capsys):
    assert cli.main(["build", "--check", "--root", str(ROOT), NAMES[0]]) == 0
    assert "up to date" in capsys.readouterr().out


def test_cli_rejects_unknown_assignment(capsys):
    assert cli.main(["build", "--root", str(ROOT), "hw99-nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown assignment(s) hw99-nope" in err and NAMES[0] in err


# --------------------------------------------------------------------------------------------
# determinism and staleness on a toy project


@pytest.fixture(scope="module")
def toy_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("toy")
    toy_master(root / "solutions" / "hw99-toy.ipynb")
    assignments.build(root=root)
    return root


def test_build_writes_student_notebook_and_autograder(toy_project):
    files = set(tree_bytes(toy_project))
    assert files == {
        "exercises/hw99-toy.ipynb",
        "autograder/hw99-toy/autograder.zip",
        "autograder/hw99-toy/hw99-toy.ipynb",
        "autograder/hw99-toy/otter_config.json",
        "autograder/hw99-toy/environment.yml",
        "autograder/hw99-toy/requirements.txt",
        "autograder/hw99-toy/setup.sh",
        "autograder/hw99-toy/run_autograder",
        "autograder/hw99-toy/constraints.txt",
        "autograder/hw99-toy/tests/q1.py",
    }
    student = nbformat.read(str(toy_project / "exercises" / "hw99-toy.ipynb"), as_version=4)
    sources = "\n".join(c.source for c in student.cells)
    assert "q1_x = ..." in sources and "q1_x = 2" not in sources
    public = student.metadata["otter"]["tests"]["q1"]
    assert "test_type" in public and "test_value" not in public  # hidden test stays hidden


def test_build_is_byte_for_byte_deterministic(toy_project, tmp_path):
    again = tmp_path / "again"
    assignments.build(root=toy_project, out=again)
    first, second = tree_bytes(toy_project), tree_bytes(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_zip_has_fixed_dates_sorted_members_and_executable_scripts(toy_project):
    with zipfile.ZipFile(toy_project / "autograder" / "hw99-toy" / "autograder.zip") as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in infos}
        assert modes["run_autograder"] == 0o755 and modes["setup.sh"] == 0o755
        assert modes["otter_config.json"] == 0o644
        config = json.loads(zf.read("otter_config.json"))
        env = yaml.safe_load(zf.read("environment.yml"))
    assert config["seed"] == 3 and config["seed_variable"] == "SEED"
    assert "python=3.12" in env["dependencies"]
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    wheel = [p for p in pip if p.endswith(".whl")]
    assert len(wheel) == 1 and wheel[0].startswith("/autograder/source/files/teachkit-")
    assert f"files/{Path(wheel[0]).name}" in names  # the requirement points into the zip


def test_only_assignments_that_fit_models_warm_up_the_grading_image(toy_project):
    toy = toy_project / "autograder" / "hw99-toy"
    assert "teachkit warmup" not in (toy / "setup.sh").read_text()  # NumPy only: nothing to warm
    root = ROOT
    for name in assignments.assignment_names(root):
        with zipfile.ZipFile(root / "autograder" / name / "autograder.zip") as zf:
            setup, run = zf.read("setup.sh").decode(), zf.read("run_autograder").decode()
        fits = "pm.sample" in (root / "solutions" / f"{name}.ipynb").read_text()
        assert ("python -m teachkit warmup" in setup) == fits, name
        # the warm-up and every graded notebook share one compile cache
        flags = f'PYTENSOR_FLAGS="{assignments.GRADESCOPE_PYTENSOR_FLAGS}"'
        assert (flags in setup and flags in run) == fits, name
        if fits:
            assert run.index(flags) < run.index("-m teachkit.grading.gradescope")


def test_check_lists_stale_files_after_a_master_changes(toy_project, tmp_path):
    import shutil

    root = tmp_path / "proj"
    shutil.copytree(toy_project, root)
    assert assignments.check(root=root) == []
    toy_master(root / "solutions" / "hw99-toy.ipynb", answer="1 + 1")
    stale = assignments.check(root=root)
    assert (
        "autograder/hw99-toy/hw99-toy.ipynb: differs from what solutions/hw99-toy.ipynb builds"
        in stale
    )
    assert not any(s.startswith("exercises/") for s in stale)  # the student sees "..." either way
    (root / "autograder" / "hw99-toy" / "tests" / "q1.py").unlink()
    (root / "autograder" / "hw99-toy" / "notes.txt").write_text("left over")
    stale = assignments.check(root=root)
    assert "autograder/hw99-toy/tests/q1.py: missing (run teachkit build hw99-toy)" in stale
    assert (
        "autograder/hw99-toy/notes.txt: not produced by the build (delete it or rebuild)" in stale
    )
    assert cli.main(["build", "--check", "--root", str(root)]) == 1


def test_check_reports_the_pinned_versions_stale_when_the_installed_ones_change(
    toy_project, tmp_path, monkeypatch
):
    import shutil

    from teachkit.grading import versions

    root = tmp_path / "proj"
    shutil.copytree(toy_project, root)
    pinned = (root / "autograder" / "hw99-toy" / "constraints.txt").read_text()
    assert versions.parse_constraints(pinned)["pymc"] == versions.grading_versions()["pymc"]
    monkeypatch.setattr(
        versions, "constraints_text", lambda: pinned.replace("pymc==", "pymc==0.0.0.dev0+")
    )
    stale = assignments.check(root=root)
    assert (
        "autograder/hw99-toy/constraints.txt: differs from what solutions/hw99-toy.ipynb builds"
        in stale
    )
    assert "autograder/hw99-toy/autograder.zip: constraints.txt differs" in stale


def test_check_reports_a_zip_whose_teachkit_wheel_is_older_than_the_code(
    toy_project, tmp_path, monkeypatch
):
    import shutil

    root = tmp_path / "proj"
    shutil.copytree(toy_project, root)
    real = assignments.build_wheel

    def changed_code(dest):  # the same package with one module edited since the zip was built
        wheel = real(dest)
        members = {n: zipfile.ZipFile(wheel).read(n) for n in zipfile.ZipFile(wheel).namelist()}
        members["teachkit/checks/sampler.py"] += b"\n# edited\n"
        return assignments.write_deterministic_zip(members, wheel)

    monkeypatch.setattr(assignments, "build_wheel", changed_code)
    stale = assignments.check(root=root)
    name = assignments.build_wheel(tmp_path).name
    assert (
        f"autograder/hw99-toy/autograder.zip: files/{name} differs: teachkit's code changed "
        "since the zip was built" in stale
    ), stale


def test_the_wheel_is_the_same_bytes_from_any_checkout_path(tmp_path):
    # what lets --check compare it byte for byte: nothing of the machine or the path goes in
    import teachkit

    checkout = str(Path(teachkit.__file__).resolve().parents[1])
    wheel = zipfile.ZipFile(assignments.build_wheel(tmp_path))
    leaks = [n for n in wheel.namelist() if checkout.encode() in wheel.read(n)]
    assert not leaks, f"the wheel names the checkout path {checkout} in {leaks}"
    assert all(info.date_time == wheel.infolist()[0].date_time for info in wheel.infolist())


def test_build_refuses_a_master_that_breaks_the_rules(tmp_path):
    toy_master(tmp_path / "solutions" / "hw99-toy.ipynb", kernel="conda-env-teach")
    with pytest.raises(ValueError, match="kernelspec name is 'conda-env-teach'"):
        assignments.build_assignment("hw99-toy", root=tmp_path)
    with pytest.raises(ValueError, match="no master notebook solutions/hw98"):
        assignments.build_assignment("hw98", root=tmp_path)
    with pytest.raises(ValueError, match="no solutions/ folder"):
        assignments.assignment_names(tmp_path / "elsewhere")


def test_master_problems_names_each_rule(tmp_path):
    path = toy_master(tmp_path / "a.ipynb", tests=False, config_extra="")
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("ok_format: false", "ok_format: true")
    nb.cells[0].source = re.sub(r"seed:\n(  .*\n)+", "", nb.cells[0].source)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="3\n")]
    nbformat.write(nb, str(path))
    problems = " | ".join(assignments.master_problems(path))
    assert "OK format" in problems
    assert "no seed variable" in problems
    assert "stored outputs" in problems
    assert "question q1 has no tests" in problems


# --------------------------------------------------------------------------------------------
# the course's masters follow the grading contract


def _questions(nb):
    """{question: {"points": p, "tests": [(source, hidden, points)]}} parsed from a master."""
    questions, current, in_tests = {}, None, False
    for cell in nb.cells:
        src = cell.source
        if cell.cell_type == "raw" and src.startswith("# BEGIN QUESTION"):
            meta = yaml.safe_load(src)
            current = meta["name"]
            questions[current] = {"points": meta["points"], "tests": []}
        elif cell.cell_type == "raw" and src.startswith("# BEGIN TESTS"):
            in_tests = True
        elif cell.cell_type == "raw" and src.startswith("# END TESTS"):
            in_tests = False
        elif in_tests and cell.cell_type == "code":
            config = {}
            if "# BEGIN TEST CONFIG" in src:
                head, _, body = src.partition('""" # END TEST CONFIG')
                config = yaml.safe_load(head.split("\n", 1)[1])
                src = body
            questions[current]["tests"].append(
                (src, config.get("hidden", False), config.get("points"))
            )
    return questions


@pytest.mark.parametrize("name", NAMES)
def test_master_follows_the_rules(name):
    assert assignments.master_problems(ROOT / "solutions" / f"{name}.ipynb") == []


@pytest.mark.parametrize("name", NAMES)
def test_questions_have_public_and_hidden_tests_that_carry_the_points(name):
    nb = nbformat.read(str(ROOT / "solutions" / f"{name}.ipynb"), as_version=4)
    questions = _questions(nb)
    assert questions
    for q, info in questions.items():
        public = [t for t in info["tests"] if not t[1]]
        hidden = [t for t in info["tests"] if t[1]]
        assert public, f"{q} has no public test (students get no instant feedback)"
        if q == "q0" and info["points"] == 0:
            continue  # the student-ID question: checked in the open, graded nowhere
        assert hidden, f"{q} has no hidden test"
        assert all(t[2] == 0 for t in public), f"{q}: public tests should carry no points"
        assert sum(t[2] for t in hidden) == pytest.approx(info["points"]), q


@pytest.mark.parametrize("name", NAMES)
def test_tests_take_only_question_prefixed_globals(name):
    """Graded objects are passed by question-prefixed names (docs/interfaces.md).

    A test may also take an *earlier* question's answer: a step is graded against the student's
    own earlier answer (hw01 q2 against the student's q1_sigma), so an error is charged once.
    """
    nb = nbformat.read(str(ROOT / "solutions" / f"{name}.ipynb"), as_version=4)
    seen: list[str] = []
    for q, info in _questions(nb).items():
        seen.append(q)
        for source, _, _ in info["tests"]:
            (func,) = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
            # STUDENT_ID: the ID the per-student data derive from (docs/interfaces.md)
            params = [a.arg for a in func.args.args if a.arg != "STUDENT_ID"]
            if q == "q0" and not params:
                continue  # the student-ID question's test takes only STUDENT_ID
            assert params and any(p.startswith(f"{q}_") for p in params), (q, func.name, params)
            assert all(any(p.startswith(f"{e}_") for e in seen) for p in params), (
                q,
                func.name,
                params,
            )


@pytest.mark.parametrize("name", NAMES)
def test_student_notebook_is_runnable_and_leaks_nothing(name):
    student = nbformat.read(str(ROOT / "exercises" / f"{name}.ipynb"), as_version=4)
    assert student.metadata["kernelspec"]["name"] == "python3"
    code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
    assert re.search(r"^SEED = \d+$", code, flags=re.MULTILINE), "the seed variable is not assigned"
    assert "# SOLUTION" not in code and "BEGIN SOLUTION" not in code
    master = nbformat.read(str(ROOT / "solutions" / f"{name}.ipynb"), as_version=4)
    for q, info in _questions(master).items():
        assert f'grader.check("{q}")' in code
        public_tests = student.metadata["otter"]["tests"][q]
        for source, hidden, _ in info["tests"]:
            func = re.search(r"def (\w+)\(", source).group(1)
            assert (func in public_tests) != hidden, (q, func)
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")


# --------------------------------------------------------------------------------------------
# the bundled wheel


def test_bundled_wheel_installs_with_pip(tmp_path):
    wheel = assignments.build_wheel(tmp_path)
    assert wheel.read_bytes() == assignments.build_wheel(tmp_path / "..").read_bytes()
    target = tmp_path / "site"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (target / "teachkit" / "course" / "build.py").is_file()
    meta = next(target.glob("teachkit-*.dist-info")) / "METADATA"
    text = meta.read_text()
    assert "Requires-Dist: pymc" in text and "Requires-Dist: otter-grader" in text
