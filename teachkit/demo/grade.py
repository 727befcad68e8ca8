"""The demo's build-and-grade step: build every assignment, grade three bundled sample classes.

:func:`build` runs ``teachkit build`` into the demo's output folder (so the committed
``exercises/`` and ``autograder/`` are left alone); :func:`grade_class` writes a sample class next
to it and grades it with ``teachkit grade``'s machinery (time limit, workers, tamper-resistant
clean-process tests): homework 1's (:func:`teachkit.sample_submissions.demo_class`, NumPy only,
into ``OUT/class`` and ``OUT/grading``), homework 2's, with per-student data and a roster
(:func:`teachkit.sample_submissions.demo_hw02_class`, into ``OUT/hw02-class`` and
``OUT/hw02-grading``, whose ``integrity.csv`` flags the copy), and homework 4's, the flagship MCMC
assignment (:func:`teachkit.sample_submissions.demo_hw04_class`, into ``OUT/hw04-class`` and
``OUT/hw04-grading``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEMO_ASSIGNMENT",
    "DEMO_CLASSES",
    "DemoClass",
    "GradeStep",
    "build",
    "grade_class",
    "project_root",
]

#: The assignment of the demo's first sample class (NumPy only: seconds per notebook).
DEMO_ASSIGNMENT = "hw01-mvnormal-cholesky"


@dataclass(frozen=True)
class DemoClass:
    """One sample class of the demo: where it is written in ``OUT`` and what writes it."""

    #: the folder in ``OUT`` that receives the submissions (and ``roster.csv``, if any)
    class_folder: str
    #: the folder in ``OUT`` that receives the gradebook, feedback and integrity report
    grading_folder: str
    #: the name of the :mod:`teachkit.sample_submissions` function that returns ``{file: bytes}``
    #: given the project root
    maker: str


#: The sample classes the demo grades, in order: ``{assignment: DemoClass}``.
DEMO_CLASSES = {
    DEMO_ASSIGNMENT: DemoClass("class", "grading", "demo_class"),
    "hw02-grants-binomial": DemoClass("hw02-class", "hw02-grading", "demo_hw02_class"),
    "hw04-covarying-parameters": DemoClass("hw04-class", "hw04-grading", "demo_hw04_class"),
}


@dataclass
class GradeStep:
    """What :func:`grade_class` produced."""

    class_dir: Path
    gradebook: object
    gradebook_csv: Path
    feedback_dir: Path
    #: ``OUT/<grading folder>/integrity.csv``: the signals worth a look (never penalties)
    integrity_csv: Path
    #: the class's roster (``roster.csv`` in the class folder), when it has one
    roster: Path | None = None


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
    from teachkit.course import build as course_build

    root = project_root()
    out = Path(out)
    log(f"  building every assignment from {root / 'solutions'} into {out / 'build'} ...")
    built = course_build.build(root=root, out=out / "build")
    log(f"  built {len(built)} assignments")
    return built


def grade_class(
    out, name: str = DEMO_ASSIGNMENT, *, workers: int = 2, timeout: float = 120, log=print
) -> GradeStep:
    """Write the sample class of ``name`` into ``OUT/<class folder>`` and grade it against ``out/build``."""
    from teachkit import grading, sample_submissions

    if name not in DEMO_CLASSES:
        raise ValueError(f"the demo has sample classes of {', '.join(DEMO_CLASSES)}; got {name!r}")
    demo = DEMO_CLASSES[name]
    make = getattr(sample_submissions, demo.maker)
    root = project_root()
    out = Path(out)
    class_dir = out / demo.class_folder
    class_dir.mkdir(parents=True, exist_ok=True)
    for file, data in make(root).items():
        (class_dir / file).write_bytes(data)
    roster = class_dir / "roster.csv" if (class_dir / "roster.csv").is_file() else None
    log(
        f"  grading {len(list(class_dir.glob('*.ipynb')))} sample submissions to {name} "
        f"({workers} at a time, {timeout:.0f} s limit each) ..."
    )
    book = grading.grade(
        out / "build" / "autograder" / name,
        sorted(class_dir.glob("*.ipynb")),
        workers=workers,
        timeout=timeout,
        out=out / demo.grading_folder,
        progress=True,
        rerun=True,
        root=root,
        roster=roster,
    )
    graded = out / demo.grading_folder
    return GradeStep(
        class_dir,
        book,
        graded / "gradebook.csv",
        graded / "feedback",
        graded / "integrity.csv",
        roster,
    )
