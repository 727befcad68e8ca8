"""Notebook tier: each homework runs top to bottom with nbclient, as a student runs it.

The notebook executed is the student notebook ``exercises/<name>.ipynb`` with every answer cell
filled in from the instructor's notebook (``tests/submissions/homework_submissions.py``): the
solution code, in the notebook a student downloads, with Otter's ``grader.check`` cells live.
No cell may raise, and every public ``grader.check`` must pass. (The instructor's notebook with
the hidden tests is exercised by the grading tier through ``otter run``.)

Run under the MCMC lock::

    flock /tmp/teachkit-mcmc.lock .venv/bin/python -m pytest -m notebook tests/test_homework_notebooks.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "submissions"))
import homework_submissions as hs

pytestmark = pytest.mark.notebook


@pytest.mark.parametrize("name", sorted(hs.FULL))
def test_filled_student_notebook_runs_top_to_bottom(name, tmp_path):
    from nbclient import NotebookClient

    nb = hs.filled_notebook(name)
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, str(path))  # otter.Notebook("<name>.ipynb") looks for the file in the cwd
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    print(f"nbclient {name}: {time.perf_counter() - start:.1f} s")

    checks = [c for c in nb.cells if c.cell_type == "code" and "grader.check" in c.source]
    assert checks, "the student notebook has no grader.check cells"
    for cell in checks:
        text = "".join(
            str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs
        )
        assert "passed" in text.lower() and "failed" not in text.lower(), (cell.source, text[:2000])
