"""Warm the compile cache with the instructor's own notebook before grading a class.

Every sandboxed notebook gets a private *copy* of the grader's compile cache and its own
compilations are thrown away with it (:func:`teachkit.grading.sandbox.private_caches`: a student
can neither poison what later processes load nor see what other notebooks compiled). The
reference models of ``teachkit warmup`` are not the graphs a homework builds, so without more,
every submission compiles every model of the assignment cold.

:func:`warm_from_solution` runs the instructor's notebook (``<name>.ipynb`` in the autograder
folder that ``teachkit build`` writes: trusted code, the same models the students are asked to
build) once, outside the sandbox, with the grader's own ``PYTENSOR_FLAGS``, so that its graphs
land in the cache every sandboxed copy starts from. A stamp per notebook and installed
versions makes later runs skip it.

Run as ``python -m teachkit.grading.solution_warmup NOTEBOOK`` it executes one notebook with
nbclient in the notebook's folder (errors in cells do not stop it).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

__all__ = ["solution_notebook", "warm_from_solution"]


def solution_notebook(assignment) -> Path | None:
    """The instructor's notebook beside the assignment's tests, if the folder has one."""
    folder = Path(assignment.source)
    if not folder.is_dir():
        return None
    path = folder / f"{assignment.name}.ipynb"
    return path.resolve() if path.is_file() else None  # absolute: the warm-up runs in its folder


def _stamp(cache: str, notebook: Path) -> Path:
    from importlib import metadata

    h = hashlib.sha256(notebook.read_bytes())
    for dist in ("pymc", "pytensor", "nutpie", "numba", "numpy"):
        try:
            h.update(f"{dist}={metadata.version(dist)};".encode())
        except metadata.PackageNotFoundError:
            pass
    return Path(cache) / f"teachkit-solution-{h.hexdigest()[:20]}.json"


def warm_from_solution(assignment, *, timeout: float = 1800, quiet: bool = True) -> float | None:
    """Run the assignment's instructor notebook once into the grader's compile cache.

    Returns the seconds it took, 0.0 when a stamp says it already ran with these versions, or
    None when there is nothing to do (no notebook, no cache, tests that fit no models).
    """
    from teachkit.grading.limits import run_limited
    from teachkit.grading.sandbox import compiles, host_compile_cache

    notebook = solution_notebook(assignment)
    if notebook is None or not compiles(*assignment.tests.values(), notebook.read_text()):
        return None
    from teachkit.fit.pytensor_config import configure_pytensor

    configure_pytensor()  # the grader's flags: the cache the sandboxes copy
    cache = host_compile_cache()
    if cache is None:
        return None
    stamp = _stamp(cache, notebook)
    if stamp.is_file():
        return 0.0
    env = {**os.environ, "PYTENSOR_FLAGS": os.environ.get("PYTENSOR_FLAGS", "")}
    # in a copy of the folder: the notebook writes files (Otter's log) that do not belong there
    with tempfile.TemporaryDirectory(prefix="teachkit-solution-warmup-") as tmp:
        work = Path(tmp) / "work"
        shutil.copytree(notebook.parent, work, ignore=shutil.ignore_patterns("*.zip"))
        r = run_limited([sys.executable, "-m", "teachkit.grading.solution_warmup", str(work / notebook.name)],
                        timeout=timeout, env=env, cwd=str(work))
    if r.returncode == 0:
        stamp.write_text(json.dumps({"notebook": str(notebook), "seconds": round(r.seconds, 1)}))
    elif not quiet:
        print(f"teachkit: warming the compile cache with {notebook.name} failed (exit {r.returncode}); "
              f"grading continues, compiling cold:\n{r.output[-500:]}", file=sys.stderr)
    return r.seconds


def _execute(path: str) -> int:
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=None, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(Path(path).parent)}})
    client.execute()
    return 0


if __name__ == "__main__":  # pragma: no cover - run by warm_from_solution
    raise SystemExit(_execute(sys.argv[1]))
