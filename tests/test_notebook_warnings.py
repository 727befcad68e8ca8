"""Notebook tier: the homework notebooks run without warning text a student cannot act on.

Each solution notebook ``autograder/<hw>/<hw>.ipynb`` (solutions filled in, as ``teachkit build``
writes it) runs top to bottom with nbclient in a temporary copy of its folder, in a kernel whose
environment is a student's: no ``PYTENSOR_FLAGS`` set by teachkit beyond the compile cache (so the
notebook itself must keep PyTensor quiet, whatever it imports first) and no ``MPLBACKEND``
(Jupyter's inline backend). Every output, streams (stdout and stderr) and rich display data alike,
is searched for warning text (:data:`WARNING_TEXT`): ``UserWarning``, ``RuntimeWarning: ...``,
``WARNING (pytensor...)``, ``warning: ...``.

A warning that a notebook explains may stay. The explanation lives in a markdown cell, together
with an HTML comment that Jupyter does not render and that allows the warning by a regular
expression::

    Fitting the pooled model prints a FutureWarning from ... ; it is harmless because ...
    <!-- expected-warning: FutureWarning: .*pooled -->

The comment counts only in a markdown cell that also holds an explanation (other text than the
comment), and only matching warning lines are allowed. (`teachkit build` keeps markdown cells,
comments included, in the autograder and student notebooks.)

Run under the MCMC lock::

    flock /tmp/teachkit-mcmc.lock .venv/bin/python -m pytest -m notebook tests/test_notebook_warnings.py
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
AUTOGRADER = ROOT / "autograder"
HOMEWORKS = sorted(p.name for p in AUTOGRADER.iterdir() if (p / f"{p.name}.ipynb").exists())

#: Warning text in an output: a warning class (``UserWarning``, ``RuntimeWarning``, ...), a
#: logging ``WARNING`` line, or a ``warning:`` prefix in any case.
WARNING_TEXT = re.compile(r"\b[A-Za-z]*Warning\b|\bWARNING\b|(?i:\bwarning:)")

#: ``<!-- expected-warning: REGEX -->`` in a markdown cell that explains the warning.
EXPECTED_MARKER = re.compile(r"<!--\s*expected-warning:\s*(.*?)\s*-->", re.DOTALL)

_TEXT_MIME = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")


def expected_warnings(nb) -> list[re.Pattern]:
    """The warnings a notebook explains: one regex per ``expected-warning`` comment.

    A comment without an explanation beside it (in the same markdown cell) is an error: the
    allow-list is for warnings the student is told about.
    """
    allowed = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        markers = EXPECTED_MARKER.findall(cell.source)
        if not markers:
            continue
        prose = EXPECTED_MARKER.sub("", cell.source).strip()
        if not prose:
            raise AssertionError(
                f"markdown cell {cell.get('id', '?')} allows warnings {markers} but explains "
                "nothing: write beside the comment what the warning means and why it is harmless"
            )
        allowed += [re.compile(m) for m in markers]
    return allowed


def output_texts(output) -> list[str]:
    """Every piece of text one cell output shows: its stream text or its text-like data."""
    if output.get("output_type") == "stream":
        return [str(output.get("text", ""))]
    if output.get("output_type") == "error":
        return ["\n".join(output.get("traceback", []))]
    data = output.get("data", {})
    return [str(data[m]) for m in _TEXT_MIME if m in data]


def warning_lines(nb, allowed: list[re.Pattern]) -> list[str]:
    """Lines with warning text in the outputs of ``nb`` that no allowed regex matches.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    >>> nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stderr",
    ...     text="ok\\n/x.py:1: UserWarning: careful\\n")]
    >>> warning_lines(nb, [])
    ['[cell 0, stderr] /x.py:1: UserWarning: careful']
    >>> warning_lines(nb, [re.compile("UserWarning: careful")])
    []
    """
    found = []
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            where = output.get("name") or output.get("output_type")
            for text in output_texts(output):
                for line in text.splitlines():
                    if WARNING_TEXT.search(line) and not any(a.search(line) for a in allowed):
                        found.append(f"[cell {i}, {where}] {line.strip()}")
    return found


def student_env() -> dict[str, str]:
    """The pytest process's environment minus what teachkit and conftest set for themselves.

    teachkit's import added ``blas__ldflags=`` to ``PYTENSOR_FLAGS`` in this process; a student's
    Jupyter has no such flag. Only the compile cache is kept (a cold compile adds minutes and does
    not change what is printed).
    """
    from teachkit.fit import cache_dir

    env = {k: v for k, v in os.environ.items() if k not in ("PYTENSOR_FLAGS", "MPLBACKEND")}
    env["PYTENSOR_FLAGS"] = f"base_compiledir={cache_dir()}"
    return env


def test_expected_warnings_need_an_explanation():
    md = nbformat.v4.new_markdown_cell
    nb = nbformat.v4.new_notebook(
        cells=[md("Harmless: PyMC says so. <!-- expected-warning: A.*B -->")]
    )
    assert [p.pattern for p in expected_warnings(nb)] == ["A.*B"]
    bare = nbformat.v4.new_notebook(cells=[md("<!-- expected-warning: A -->")])
    with pytest.raises(AssertionError, match="explains nothing"):
        expected_warnings(bare)


def test_warning_text_pattern():
    hits = [
        "/a.py:9: RuntimeWarning: invalid value",
        "WARNING (pytensor.tensor.blas): x",
        "Warning: the sampler",
        "warning: deprecated",
        "PyTensor ... UserWarning",
    ]
    misses = ["0 divergences; no problems", "sigma_b is small", "Sampling 4 chains"]
    assert all(WARNING_TEXT.search(h) for h in hits)
    assert not any(WARNING_TEXT.search(m) for m in misses)


@pytest.mark.notebook
@pytest.mark.parametrize("hw", HOMEWORKS)
def test_solution_notebook_prints_no_warnings(hw, tmp_path):
    from nbclient import NotebookClient

    folder = tmp_path / hw
    shutil.copytree(AUTOGRADER / hw, folder, ignore=shutil.ignore_patterns("*.zip"))
    path = folder / f"{hw}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    allowed = expected_warnings(nb)
    client = NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    start = time.perf_counter()
    client.execute(env=student_env())  # raises CellExecutionError on the first failing cell
    print(f"nbclient {hw}: {time.perf_counter() - start:.1f} s")
    found = warning_lines(nb, allowed)
    assert not found, (
        f"{hw} prints {len(found)} line(s) of warning text; fix the cause, or explain the warning "
        "in a markdown cell with <!-- expected-warning: REGEX -->:\n" + "\n".join(found[:40])
    )
