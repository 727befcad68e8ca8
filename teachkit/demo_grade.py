"""The demo's build-and-grade step: build every assignment, grade a bundled sample class.

:func:`build` runs ``teachkit build`` into the demo's output folder (so the committed
``exercises/`` and ``autograder/`` are left alone); :func:`grade_class` writes the sample class of
:func:`teachkit.sample_submissions.demo_class` next to it and grades that class with
``teachkit grade``'s machinery (time limit, workers, tamper-resistant clean-process tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEMO_ASSIGNMENT", "GradeStep", "build", "grade_class", "project_root"]

#: The assignment whose sample class the demo grades (NumPy only: seconds per notebook).
DEMO_ASSIGNMENT = "hw01-mvnormal-cholesky"


@dataclass
class GradeStep:
    """What :func:`grade_class` produced."""

    class_dir: Path
    gradebook: object
    gradebook_csv: Path
    feedback_dir: Path


def project_root() -> Path:
    """The checkout holding ``solutions/``, ``exercises/`` and ``autograder/``.

    Examples
    --------
    >>> (project_root() / "solutions").is_dir()
    True
    """
    import teachkit

    for candidate in (Path(teachkit.__file__).resolve().parents[1], Path.cwd()):
        if (candidate / "solutions").is_dir() and (candidate / "exercises").is_dir():
            return candidate
    raise ValueError(
        "teachkit demo builds and grades the homework of a teachkit checkout, but no folder with "
        "solutions/ and exercises/ was found; run it from the project folder (make demo)"
    )


def build(out, *, log=print) -> list:
    """``teachkit build`` of every assignment into ``out/build`` (the checkout is left alone)."""
    from teachkit import assignments

    root = project_root()
    out = Path(out)
    log(f"  building every assignment from {root / 'solutions'} into {out / 'build'} ...")
    built = assignments.build(root=root, out=out / "build")
    log(f"  built {len(built)} assignments")
    return built


def grade_class(out, *, workers: int = 2, timeout: float = 120, log=print) -> GradeStep:
    """Write the sample class into ``out/class`` and grade it against ``out/build``."""
    from teachkit import grading
    from teachkit.sample_submissions import demo_class

    root = project_root()
    out = Path(out)
    class_dir = out / "class"
    class_dir.mkdir(parents=True, exist_ok=True)
    for name, data in demo_class(root, DEMO_ASSIGNMENT).items():
        (class_dir / name).write_bytes(data)
    log(f"  grading {len(list(class_dir.glob('*.ipynb')))} sample submissions to {DEMO_ASSIGNMENT} "
        f"({workers} at a time, {timeout:.0f} s limit each) ...")
    book = grading.grade(
        out / "build" / "autograder" / DEMO_ASSIGNMENT,
        sorted(class_dir.glob("*.ipynb")),
        workers=workers,
        timeout=timeout,
        out=out / "grading",
        progress=True,
        rerun=True,
        root=root,
    )
    return GradeStep(class_dir, book, out / "grading" / "gradebook.csv", out / "grading" / "feedback")
