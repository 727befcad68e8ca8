"""The former home of :mod:`teachkit.course.build`, kept so that existing code keeps working."""

from teachkit.course.build import (
    ASSIGNMENTS,
    GRADESCOPE_PYTENSOR_FLAGS,
    BuildResult,
    assignment_names,
    build,
    build_assignment,
    build_wheel,
    check,
    master_problems,
    normalise_notebook,
    write_deterministic_zip,
)

__all__ = [
    "ASSIGNMENTS",
    "GRADESCOPE_PYTENSOR_FLAGS",
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
