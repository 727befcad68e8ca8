"""Build homework: master notebooks -> student notebooks + Otter autograders.

``teachkit build`` runs `Otter Assign <https://otter-grader.readthedocs.io>`_ (otter-grader 7)
on every master notebook ``solutions/<name>.ipynb`` and writes

``exercises/<name>.ipynb``
    the student notebook (solutions replaced by ``...``, hidden tests removed, public tests
    in the notebook metadata so that ``grader.check("q1")`` works offline);
``autograder/<name>/autograder.zip``
    the Gradescope-compatible autograder (upload it as-is; ``otter run -a`` takes it too);
``autograder/<name>/<name>.ipynb``
    the instructor's notebook: solutions and every test (public and hidden);
``autograder/<name>/tests/q*.py``
    the test files (exception-based "python" format) exactly as they are inside the zip;
``autograder/<name>/otter_config.json``, ``environment.yml``, ``requirements.txt``
    what Gradescope's ``setup.sh`` and ``run_autograder`` read, copied out of the zip for review;
``autograder/<name>/setup.sh``, ``run_autograder``
    Gradescope's scripts (:mod:`teachkit.grading.gradescope`): ``run_autograder`` grades with
    teachkit's engine (not Otter's ``run_otter.py``) and writes ``results.json``; ``setup.sh``
    installs bubblewrap and verifies the pinned versions, and for an assignment that fits PyMC
    models ends with ``teachkit warmup`` (compiled once, when Gradescope builds the image); both
    then set :data:`GRADESCOPE_PYTENSOR_FLAGS`, so that every submission's fits hit that cache;
``autograder/<name>/constraints.txt``
    exact versions of the grading stack installed where the build ran
    (:func:`teachkit.grading.versions.constraints_text`); ``environment.yml``'s pip list starts
    with ``-c`` of it, so the image installs exactly those, and ``--check`` reports it stale
    when the installed versions change.

Determinism
-----------
Otter stamps random cell ids into notebooks and the build time into the zip's name and into
every member's date. ``teachkit build`` replaces cell ids by ids derived from each cell's
content, renames the zip to ``autograder.zip`` and rewrites it with sorted members, a fixed
date (1980-01-01) and fixed permissions. So building twice from the same master gives
byte-identical notebooks and test files, and ``teachkit build --check`` (which rebuilds into a
temporary folder and compares) reports only real changes.

How teachkit reaches Gradescope
-------------------------------
The hidden tests import :mod:`teachkit.simulate` and :mod:`teachkit.checks`, so the grading
image must have teachkit installed. Every build writes a pure-Python wheel of the installed
teachkit package (``teachkit-<version>-py3-none-any.whl``, built in-process from the package
files and the metadata in ``pyproject.toml``, with fixed timestamps) into the zip under
``files/``. Gradescope unpacks the zip into ``/autograder/source``, so ``requirements.txt``
names the wheel by its absolute path there::

    /autograder/source/files/teachkit-0.1.0-py3-none-any.whl

Otter Generate puts that line into the ``pip:`` section of ``environment.yml``; pip installs the
wheel and, through its ``Requires-Dist`` metadata, PyMC, ArviZ, nutpie and the rest. The image
uses Python 3.12 (``python_version`` is set by the build). ``otter run`` on a local machine does
not install anything: it uses the environment it runs in, where teachkit is already installed.

The wheel is built from the package files alone (fixed timestamps, no paths of the machine), so
the same tree gives the same bytes anywhere, and ``--check`` compares it byte for byte like
every other file: a zip whose wheel predates a change to teachkit's code would grade on
Gradescope with the old checks, so it is reported stale ("run teachkit build").

Master notebook rules (enforced by :func:`master_problems`)
-----------------------------------------------------------
- the kernelspec is the standard ``python3`` (``otter run`` starts the notebook's own kernel);
- the ``ASSIGNMENT CONFIG`` cell sets ``tests: ok_format: false`` (exception-based tests: NumPy 2
  prints ``np.True_`` and breaks OK-format output comparison) and ``seed: variable:`` (Otter
  rebinds that variable in every cell during grading; notebooks pass it as ``random_seed=``);
- every question has at least one test; graded objects are stored under question-prefixed
  names (``q3_idata``), which the test functions take as parameters.

The build itself never executes a notebook (``otter assign`` runs with ``no_run_tests``): the
``grading`` test tier runs ``otter run`` on the solutions instead.
"""

from __future__ import annotations

import base64
import contextlib
import filecmp
import hashlib
import importlib.metadata
import io
import logging
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

__all__ = [
    "ASSIGNMENTS",
    "BuildResult",
    "assignment_names",
    "build",
    "build_assignment",
    "build_wheel",
    "check",
    "master_problems",
    "normalise_notebook",
    "write_deterministic_zip",
]

#: The homework of the course, in order (see ``docs/interfaces.md``).
ASSIGNMENTS = (
    "hw01-mvnormal-cholesky",
    "hw02-grants-binomial",
    "hw03-varying-effects",
    "hw04-covarying-parameters",
)

#: Python version of the Gradescope grading image.
GRADING_PYTHON = "3.12"

#: Where Gradescope unpacks the autograder zip; files added by the build live in ``files/``.
GRADESCOPE_FILES = "/autograder/source/files"
#: Files in ``autograder/<name>/`` that ``teachkit calibrate`` writes: a build keeps them, and
#: ``build --check`` does not count them as stale.
CALIBRATION_GLOB = "calibration*"

#: PyTensor settings of the grading image, for the warm-up at image build *and* every graded
#: notebook: one compile cache whatever a notebook imports first (a notebook that imports pymc
#: before teachkit would otherwise compile into PyTensor's default ``~/.pytensor`` and miss
#: everything the warm-up compiled).
GRADESCOPE_PYTENSOR_FLAGS = "base_compiledir=/root/.cache/teachkit/pytensor,blas__ldflags="

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_EXECUTABLE = {"run_autograder", "setup.sh"}


@dataclass(frozen=True)
class BuildResult:
    """What one assignment's build wrote.

    Attributes
    ----------
    name : str
        The assignment, e.g. ``"hw01-mvnormal-cholesky"``.
    student : pathlib.Path
        The student notebook ``exercises/<name>.ipynb``.
    autograder : pathlib.Path
        The folder ``autograder/<name>/``.
    """

    name: str
    student: Path
    autograder: Path

    @property
    def zip(self) -> Path:
        """The Gradescope autograder zip, ``autograder/<name>/autograder.zip``."""
        return self.autograder / "autograder.zip"


# --------------------------------------------------------------------------------------------
# master notebooks


def _solutions_dir(root: Path) -> Path:
    sol = Path(root) / "solutions"
    if not sol.is_dir():
        raise ValueError(
            f"there is no solutions/ folder under {Path(root).resolve()}; run teachkit build from "
            "the project root or pass --root DIR"
        )
    return sol


def assignment_names(root: str | Path = ".") -> list[str]:
    """Names of the master notebooks in ``<root>/solutions``, sorted.

    Parameters
    ----------
    root : str or pathlib.Path
        The project folder holding ``solutions/``.

    Returns
    -------
    list of str
        One name per ``solutions/<name>.ipynb`` (checkpoints excluded).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "solutions").mkdir()
    >>> _ = (root / "solutions" / "hw09-demo.ipynb").write_text("{}")
    >>> assignment_names(root)
    ['hw09-demo']
    """
    return sorted(p.stem for p in _solutions_dir(Path(root)).glob("*.ipynb"))


def _config_cell(nb: nbformat.NotebookNode) -> tuple[int, dict] | tuple[None, None]:
    for i, cell in enumerate(nb.cells):
        src = cell.source.lstrip()
        if cell.cell_type == "raw" and re.match(r"#\s*ASSIGNMENT\s+CONFIG", src, re.IGNORECASE):
            return i, yaml.safe_load(src) or {}
        if cell.cell_type == "markdown" and src.startswith("```otter"):
            body = src.split("\n", 1)[1].rsplit("```", 1)[0]
            if re.match(r"#\s*ASSIGNMENT\s+CONFIG", body.lstrip(), re.IGNORECASE):
                return i, yaml.safe_load(body) or {}
    return None, None


def master_problems(path: str | Path) -> list[str]:
    """What is wrong with a master notebook, as sentences (empty when it can be built).

    Checks the rules that keep grading reproducible and robust: kernelspec ``python3``,
    exception-based tests, a ``seed.variable``, no stored outputs, and at least one test per
    question.

    Parameters
    ----------
    path : str or pathlib.Path
        A master notebook in Otter Assign format.

    Returns
    -------
    list of str
        One sentence per problem.

    Examples
    --------
    >>> import nbformat, tempfile, os
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.metadata["kernelspec"] = {"name": "mykernel", "language": "python", "display_name": "x"}
    >>> path = os.path.join(tempfile.mkdtemp(), "hw.ipynb")
    >>> nbformat.write(nb, path)
    >>> for problem in master_problems(path):
    ...     print(problem)  # doctest: +ELLIPSIS
    the kernelspec name is 'mykernel'; ...
    there is no ASSIGNMENT CONFIG cell; ...
    """
    nb = nbformat.read(str(path), as_version=4)
    problems = []
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        problems.append(
            f"the kernelspec name is {kernel!r}; otter run starts the notebook's own kernel, so "
            "save the master with the standard 'python3' kernel"
        )
    _, config = _config_cell(nb)
    if config is None:
        problems.append(
            "there is no ASSIGNMENT CONFIG cell; add a raw cell starting with "
            "'# ASSIGNMENT CONFIG' as its first line"
        )
        return problems
    if (config.get("tests") or {}).get("ok_format", True):
        problems.append(
            "the tests are in OK format; set 'tests: {ok_format: false}' in the ASSIGNMENT "
            "CONFIG and write exception-based test functions"
        )
    if not (config.get("seed") or {}).get("variable"):
        problems.append(
            "no seed variable is configured; set 'seed: {variable: SEED, autograder_value: N, "
            "student_value: N}' and pass random_seed=SEED to every sampler"
        )
    outputs = [i + 1 for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("outputs")]
    if outputs:
        problems.append(
            f"cells {outputs} have stored outputs; clear all outputs before committing a master "
            "notebook (they would leak into diffs and into the student notebook)"
        )
    question, has_tests = None, False
    for cell in nb.cells:
        src = cell.source.lstrip()
        if cell.cell_type != "raw":
            continue
        if re.match(r"#\s*BEGIN\s+QUESTION", src, re.IGNORECASE):
            question = (yaml.safe_load(src) or {}).get("name", "?")
            manual = (yaml.safe_load(src) or {}).get("manual", False)
            has_tests = manual
        elif re.match(r"#\s*BEGIN\s+TESTS", src, re.IGNORECASE):
            has_tests = True
        elif re.match(r"#\s*END\s+QUESTION", src, re.IGNORECASE):
            if not has_tests:
                problems.append(f"question {question} has no tests; add a BEGIN TESTS block")
            question = None
    return problems


# --------------------------------------------------------------------------------------------
# normalisation


def normalise_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Make a notebook independent of when and where it was built (in place; returned).

    Cell ids become the first 12 hex digits of a hash of the cell's type and source (a
    counter is appended to repeated cells), outputs and execution counts are cleared.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A notebook as read by :func:`nbformat.read`.

    Returns
    -------
    nbformat.NotebookNode
        The same notebook.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    >>> normalise_notebook(nb).cells[0].id == normalise_notebook(nb).cells[0].id
    True
    >>> len(nb.cells[0].id)
    12
    """
    seen: dict[str, int] = {}
    for cell in nb.cells:
        digest = hashlib.sha1(f"{cell.cell_type}\0{cell.source}".encode()).hexdigest()[:12]
        n = seen.get(digest, 0)
        seen[digest] = n + 1
        cell["id"] = digest if n == 0 else f"{digest}-{n}"
        if cell.cell_type == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def write_deterministic_zip(members: dict[str, bytes], path: str | Path) -> Path:
    """Write a zip whose bytes depend only on ``members`` (sorted, fixed dates and modes).

    Parameters
    ----------
    members : dict of str to bytes
        Archive name -> content.
    path : str or pathlib.Path
        Where to write the zip.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> a = write_deterministic_zip({"b.txt": b"2", "a.txt": b"1"}, os.path.join(d, "a.zip"))
    >>> b = write_deterministic_zip({"a.txt": b"1", "b.txt": b"2"}, os.path.join(d, "b.zip"))
    >>> a.read_bytes() == b.read_bytes()
    True
    """
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            mode = 0o755 if Path(name).name in _EXECUTABLE else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, members[name])
    return path


# --------------------------------------------------------------------------------------------
# the teachkit wheel that goes into the autograder zip


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def _wheel_metadata(pyproject: Path, dist) -> str:
    """The wheel's METADATA: from ``pyproject.toml`` in a checkout, else the installed dist.

    Read from the checkout's ``pyproject.toml`` verbatim, so that the same tree gives the same
    bytes whatever setuptools installed it (setuptools rewrites ``pymc>=6,<7`` as
    ``pymc<7,>=6``, and its versions differ in what they write).
    """
    import tomllib

    project = tomllib.loads(pyproject.read_text()).get("project", {}) if pyproject.is_file() else {}
    lines = ["Metadata-Version: 2.1"]
    if project.get("name") == "teachkit":
        lines += [f"Name: {project['name']}", f"Version: {dist.version}"]
        if project.get("description"):
            lines.append(f"Summary: {project['description']}")
        if project.get("requires-python"):
            lines.append(f"Requires-Python: {project['requires-python']}")
        requires = list(project.get("dependencies", []))
        extras = project.get("optional-dependencies", {})
        for extra, reqs in extras.items():
            for req in reqs:
                base, _, marker = req.partition(";")
                when = (
                    f'({marker.strip()}) and extra == "{extra}"'
                    if marker
                    else f'extra == "{extra}"'
                )
                requires.append(f"{base.strip()}; {when}")
        lines += [f"Requires-Dist: {req}" for req in requires]
        lines += [f"Provides-Extra: {e}" for e in extras]
    else:  # an installed teachkit, no checkout: what its installer wrote
        metadata = dist.metadata
        lines += [f"Name: {metadata['Name']}", f"Version: {dist.version}"]
        for key in ("Summary", "Requires-Python"):
            if metadata.get(key):
                lines.append(f"{key}: {metadata[key]}")
        lines += [f"Requires-Dist: {req}" for req in (dist.requires or [])]
        lines += [f"Provides-Extra: {e}" for e in metadata.get_all("Provides-Extra") or []]
    return "\n".join(lines) + "\n"


def build_wheel(dest: str | Path) -> Path:
    """Write a pure-Python wheel of the installed teachkit package into ``dest``.

    The wheel holds the package's ``.py`` files and package data (no ``__pycache__``) and the
    project's metadata (name, version, ``Requires-Dist``; :func:`_wheel_metadata`), so ``pip install``
    of the wheel also installs PyMC, ArviZ, otter-grader and the rest. Timestamps are fixed:
    the same sources give the same bytes.

    Parameters
    ----------
    dest : str or pathlib.Path
        An existing folder.

    Returns
    -------
    pathlib.Path
        The wheel, ``dest/teachkit-<version>-py3-none-any.whl``.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> wheel = build_wheel(tempfile.mkdtemp())
    >>> wheel.name.startswith("teachkit-") and wheel.name.endswith("-py3-none-any.whl")
    True
    >>> "teachkit/course/build.py" in zipfile.ZipFile(wheel).namelist()
    True
    """
    import teachkit

    dist = importlib.metadata.distribution("teachkit")
    version = dist.version
    package = Path(teachkit.__file__).resolve().parent
    data_suffixes = {".py", ".ipynb", ".json", ".csv"}
    members: dict[str, bytes] = {}
    for f in sorted(package.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts and f.suffix in data_suffixes:
            members[f"teachkit/{f.relative_to(package).as_posix()}"] = f.read_bytes()

    info = f"teachkit-{version}.dist-info"
    members[f"{info}/METADATA"] = _wheel_metadata(package.parent / "pyproject.toml", dist).encode()
    members[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: teachkit.assignments\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n"
    )
    members[f"{info}/entry_points.txt"] = b"[console_scripts]\nteachkit = teachkit.cli:main\n"
    members[f"{info}/top_level.txt"] = b"teachkit\n"
    record = [f"{name},{_record_hash(data)},{len(data)}" for name, data in sorted(members.items())]
    record.append(f"{info}/RECORD,,")
    members[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    return write_deterministic_zip(members, Path(dest) / f"teachkit-{version}-py3-none-any.whl")


# --------------------------------------------------------------------------------------------
# building


@contextlib.contextmanager
def _quiet_otter():
    """Silence Otter's INFO logging and stdout chatter during a build."""
    names = ("otter", "otter.assign", "otter.generate")
    levels = [logging.getLogger(n).level for n in names]
    for n in names:
        logging.getLogger(n).setLevel(logging.WARNING)
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            yield buf
    finally:
        for n, level in zip(names, levels):
            logging.getLogger(n).setLevel(level)


def _prepare_master(master: Path, work: Path, wheel: Path) -> Path:
    """Copy the master into ``work`` with the build's settings added to its config cell."""
    nb = nbformat.read(str(master), as_version=4)
    index, config = _config_cell(nb)
    config = dict(config)
    config.setdefault("name", master.stem)
    config["requirements"] = [f"{GRADESCOPE_FILES}/{wheel.name}"]
    config["python_version"] = GRADING_PYTHON
    config["run_tests"] = False
    config["solutions_pdf"] = False
    config["template_pdf"] = False
    nb.cells[index] = nbformat.v4.new_raw_cell(
        "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=True)
    )
    out = work / master.name
    nbformat.write(nb, str(out))
    return out


def _fits_models(master: Path) -> bool:
    """Whether the master notebook fits PyMC models (and its grading image wants a warm-up)."""
    nb = nbformat.read(str(master), as_version=4)
    return any(c.cell_type == "code" and "pm.sample" in c.source for c in nb.cells)


def build_assignment(
    name: str, *, root: str | Path = ".", out: str | Path | None = None, wheel: Path | None = None
) -> BuildResult:
    """Build one assignment: student notebook and autograder folder.

    Parameters
    ----------
    name : str
        The master notebook ``<root>/solutions/<name>.ipynb``.
    root : str or pathlib.Path
        The project folder.
    out : str or pathlib.Path, optional
        Where ``exercises/`` and ``autograder/`` are written (default ``root``).
    wheel : pathlib.Path, optional
        A teachkit wheel to bundle (default: :func:`build_wheel` into a temporary folder).

    Returns
    -------
    BuildResult

    Raises
    ------
    ValueError
        If the master notebook does not exist or breaks a rule of :func:`master_problems`.
    """
    from otter.assign import main as otter_assign

    from teachkit.grading.gradescope import gradescope_members
    from teachkit.grading.versions import constraints_text

    root = Path(root).resolve()
    out = root if out is None else Path(out).resolve()
    master = _solutions_dir(root) / f"{name}.ipynb"
    if not master.is_file():
        known = ", ".join(assignment_names(root)) or "none"
        raise ValueError(f"there is no master notebook solutions/{name}.ipynb; known: {known}")
    problems = master_problems(master)
    if problems:
        raise ValueError(f"solutions/{name}.ipynb cannot be built: " + "; ".join(problems))

    with tempfile.TemporaryDirectory(prefix=f"teachkit-build-{name}-") as tmp:
        tmp = Path(tmp)
        if wheel is None:
            wheel = build_wheel(tmp)
        work = tmp / "src"
        work.mkdir()
        prepared = _prepare_master(master, work, wheel)
        dist = tmp / "dist"
        with _quiet_otter():
            otter_assign(str(prepared), str(dist), no_pdfs=True, no_run_tests=True)

        student_nb = nbformat.read(str(dist / "student" / master.name), as_version=4)
        ag_nb = nbformat.read(str(dist / "autograder" / master.name), as_version=4)
        (zip_path,) = sorted((dist / "autograder").glob("*.zip"))
        with zipfile.ZipFile(zip_path) as zf:
            members = {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}
        members[f"files/{wheel.name}"] = wheel.read_bytes()
        members.update(
            gradescope_members(
                members,
                fits=_fits_models(master),
                constraints=constraints_text(),
                pytensor_flags=GRADESCOPE_PYTENSOR_FLAGS,
            )
        )

        student = out / "exercises" / master.name
        ag_dir = out / "autograder" / name
        student.parent.mkdir(parents=True, exist_ok=True)
        kept = {p.name: p.read_bytes() for p in ag_dir.glob(CALIBRATION_GLOB) if p.is_file()}
        shutil.rmtree(ag_dir, ignore_errors=True)
        (ag_dir / "tests").mkdir(parents=True)
        for fname, data in kept.items():  # measured by `teachkit calibrate`, not built
            (ag_dir / fname).write_bytes(data)
        nbformat.write(normalise_notebook(student_nb), str(student))
        nbformat.write(normalise_notebook(ag_nb), str(ag_dir / master.name))
        write_deterministic_zip(members, ag_dir / "autograder.zip")
        for member, data in members.items():
            if member.startswith("tests/") or member in (
                "otter_config.json",
                "environment.yml",
                "setup.sh",
                "run_autograder",
                "constraints.txt",
            ):
                (ag_dir / member).write_bytes(data)
        (ag_dir / "requirements.txt").write_text(f"{GRADESCOPE_FILES}/{wheel.name}\n")
    return BuildResult(name, student, ag_dir)


def build(
    names: list[str] | None = None, *, root: str | Path = ".", out: str | Path | None = None
) -> list[BuildResult]:
    """Build several assignments (default: every master notebook in ``solutions/``).

    Parameters
    ----------
    names : list of str, optional
        Assignment names; ``None`` or empty means all of :func:`assignment_names`.
    root, out : str or pathlib.Path
        As in :func:`build_assignment`.

    Returns
    -------
    list of BuildResult
    """
    names = list(names or assignment_names(root))
    with tempfile.TemporaryDirectory(prefix="teachkit-wheel-") as tmp:
        wheel = build_wheel(tmp)
        return [build_assignment(n, root=root, out=out, wheel=wheel) for n in names]


def _zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _compare_zip(fresh: Path, committed: Path) -> list[str]:
    """Differences between two autograder zips, member by member, the bundled wheel included."""
    a, b = _zip_members(fresh), _zip_members(committed)
    diffs = []
    for member in sorted(set(a) | set(b)):
        if member not in b:
            diffs.append(f"{member} is missing from the committed zip")
        elif member not in a:
            diffs.append(f"{member} is in the committed zip but would not be built")
        elif member.endswith(".whl") and a[member] != b[member]:
            diffs.append(f"{member} differs: teachkit's code changed since the zip was built")
        elif a[member] != b[member]:
            diffs.append(f"{member} differs")
    return diffs


def check(names: list[str] | None = None, *, root: str | Path = ".") -> list[str]:
    """Rebuild into a temporary folder and list the committed outputs that are stale.

    Parameters
    ----------
    names : list of str, optional
        Assignments to check (default: all).
    root : str or pathlib.Path
        The project folder holding ``solutions/``, ``exercises/`` and ``autograder/``.

    Returns
    -------
    list of str
        One line per stale, missing or unexpected file (empty when everything is up to date).
    """
    root = Path(root).resolve()
    names = list(names or assignment_names(root))
    stale = []
    with tempfile.TemporaryDirectory(prefix="teachkit-check-") as tmp:
        tmp = Path(tmp)
        build(names, root=root, out=tmp)
        for name in names:
            rel_student = Path("exercises") / f"{name}.ipynb"
            fresh_files = [rel_student] + [
                p.relative_to(tmp)
                for p in sorted((tmp / "autograder" / name).rglob("*"))
                if p.is_file()
            ]
            committed_dir = root / "autograder" / name
            committed_files = (
                {
                    p.relative_to(root)
                    for p in committed_dir.rglob("*")
                    if p.is_file() and not p.match(CALIBRATION_GLOB)
                }
                if committed_dir.is_dir()
                else set()
            )
            for rel in fresh_files:
                committed = root / rel
                if not committed.is_file():
                    stale.append(f"{rel}: missing (run teachkit build {name})")
                elif rel.name == "autograder.zip":
                    stale += [f"{rel}: {d}" for d in _compare_zip(tmp / rel, committed)]
                elif not filecmp.cmp(tmp / rel, committed, shallow=False):
                    stale.append(f"{rel}: differs from what solutions/{name}.ipynb builds")
            for rel in sorted(committed_files - set(fresh_files)):
                stale.append(f"{rel}: not produced by the build (delete it or rebuild)")
    return stale
