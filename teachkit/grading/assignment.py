"""The assignment: an Otter autograder read once, before any notebook runs.

:func:`load_assignment` reads an autograder folder or zip (what ``otter assign`` and
``teachkit build`` write): the test files (``tests/*.py``, OK or python format, checked here so
that a broken test file stops grading before it starts), ``otter_config.json`` and support
files. The test sources are kept in memory and travel to the examiner in its job file, so
editing the files on disk during grading changes nothing.

Examples
--------
>>> a = load_assignment(Path(__file__).parents[2] / "tests/fixtures/toy-assignment/dist/autograder")
>>> a.name, sorted(a.tests), sorted(a.names), a.possible
('toy-assignment', ['q1', 'q2', 'q3'], ['q1_mean', 'q2_summary', 'q3_z'], {'q1': 2.0, 'q2': 2.0, 'q3': 1.0})
>>> file_format("OK_FORMAT = True\\ntest = {}"), file_format("OK_FORMAT = False")
('ok', 'python')
>>> graded_names('from otter.test_files import test_case\\n@test_case()\\ndef t(q1_x, env): pass')
{'q1_x'}
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

GRADER_VERSION = "1"

_OTTER_PLUMBING = {"run_autograder", "run_otter.py", "setup.sh", "environment.yml", "requirements.txt",
                   "requirements.r", "otter_config.json"}


@dataclass(frozen=True)
class Assignment:
    """An assignment's autograder as the grader needs it.

    Attributes
    ----------
    name : str
        ``assignment_name`` from ``otter_config.json`` (or the folder name).
    tests : dict
        ``{question: test file source}``, read once, before any submission runs.
    names : tuple of str
        Globals the python-format tests take as parameters (OK-format tests look names up as
        they run).
    config : dict
        ``otter_config.json``.
    files : dict
        Support files ``{relative path: bytes}`` copied next to each notebook.
    source : str
        Where the autograder was read from.
    """

    name: str
    tests: dict
    names: tuple
    config: dict
    files: dict = field(default_factory=dict)
    source: str = ""

    @property
    def fingerprint(self) -> str:
        """Hash of everything that decides a score (tests, config, grader version)."""
        h = hashlib.sha256(GRADER_VERSION.encode())
        for q in sorted(self.tests):
            h.update(q.encode() + b"\0" + self.tests[q].encode() + b"\0")
        h.update(json.dumps(self.config, sort_keys=True).encode())
        return h.hexdigest()

    @property
    def possible(self) -> dict:
        """Points available per question (Otter's rules: ``points`` as a total or a list,
        per-case points, cases without points sharing the rest)."""
        return {q: float(parse_test_file(src, q).possible) for q, src in sorted(self.tests.items())}

    @property
    def formats(self) -> dict:
        """``{question: "ok" | "python"}``."""
        return {q: file_format(src) for q, src in sorted(self.tests.items())}


def _assignment_from_members(members: dict[str, bytes], source: str, fallback_name: str) -> Assignment:
    
    tests = {Path(p).stem: data.decode("utf-8") for p, data in members.items()
             if p.startswith("tests/") and p.endswith(".py") and p.count("/") == 1
             and not Path(p).name.startswith("__")}
    if not tests:
        raise ValueError(f"{source} has no tests/*.py files; point at an autograder folder or "
                         "autograder zip made by `teachkit build` / `otter assign`")
    config = json.loads(members["otter_config.json"]) if "otter_config.json" in members else {}
    names: set[str] = set()
    for q, src in tests.items():
        try:
            parse_test_file(src, q)
        except Exception as exc:
            raise ValueError(f"test {q} of {source} is not a valid Otter test file (OK or python "
                             f"format): {type(exc).__name__}: {exc}") from None
        names |= graded_names(src)
    files = {p[len("files/"):]: d for p, d in members.items() if p.startswith("files/") and not p.endswith("/")}
    name = config.get("assignment_name") or fallback_name
    return Assignment(name, tests, tuple(sorted(names)), config, files, source)


def load_assignment(spec: str | os.PathLike, *, root: str | os.PathLike = ".") -> Assignment:
    """Read an assignment's autograder.

    Parameters
    ----------
    spec : str or path
        A folder with ``tests/*.py`` and ``otter_config.json`` (what ``otter assign`` writes),
        a folder holding an autograder zip, a zip, or a name under ``ROOT/autograder/``.
    root : path
        Project root used to resolve a bare name.

    Returns
    -------
    Assignment

    Raises
    ------
    ValueError
        If nothing gradable is found there.
    """
    path = Path(spec)
    if not path.exists() and (Path(root) / "autograder" / str(spec)).exists():
        path = Path(root) / "autograder" / str(spec)
    if not path.exists():
        raise ValueError(f"assignment {str(spec)!r} not found: give a folder or zip made by "
                         f"`teachkit build`, or a name under {Path(root) / 'autograder'}")
    if path.is_dir():
        if (path / "tests").is_dir():
            members = {f"tests/{p.name}": p.read_bytes() for p in sorted((path / "tests").glob("*.py"))}
            for extra in ("otter_config.json",):
                if (path / extra).is_file():
                    members[extra] = (path / extra).read_bytes()
            if (path / "files").is_dir():
                for p in sorted((path / "files").rglob("*")):
                    if p.is_file():
                        members[f"files/{p.relative_to(path / 'files').as_posix()}"] = p.read_bytes()
            return _assignment_from_members(members, str(path), path.name)
        zips = sorted(path.glob("*.zip"))
        if len(zips) != 1:
            raise ValueError(f"{path} has no tests/ folder and {len(zips)} zip files; expected one autograder zip")
        path = zips[0]
    try:
        with zipfile.ZipFile(path) as zf:
            members = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{path} is not a zip file: {exc}") from None
    return _assignment_from_members(members, str(path), path.stem)


def file_format(source: str) -> str:
    """``"ok"`` for an OK-format (doctest) test file, ``"python"`` otherwise."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return "python"
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "OK_FORMAT" for t in node.targets):
            try:
                return "ok" if ast.literal_eval(node.value) else "python"
            except ValueError:
                return "python"
    return "python"


def parse_test_file(source: str, name: str):
    """An Otter ``TestFile`` (``OKTestFile`` or ``ExceptionTestFile``) from a test file's source."""
    path = f"tests/{name}.py"
    if file_format(source) == "ok":
        from otter.test_files.ok_test import OKTestFile

        env: dict = {}
        exec(compile(source, path, "exec"), env)  # the instructor's own file, as Otter does
        return OKTestFile.from_spec(env["test"], path=path)
    from otter.test_files.exception_test import ExceptionTestFile

    return ExceptionTestFile.from_string(source, path=path)


def graded_names(source: str) -> set[str]:
    """Globals the test functions of a python-format file take as parameters (not ``env``)."""
    names: set[str] = set()
    if file_format(source) == "ok":
        return names
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            args = node.args
            for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                if a.arg != "env":
                    names.add(a.arg)
    return names
