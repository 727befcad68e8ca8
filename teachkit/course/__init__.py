"""The course: master notebooks -> student notebooks and autograders, and their calibration.

:mod:`~teachkit.course.build` is ``teachkit build``: Otter Assign on ``solutions/``, deterministic
student notebooks in ``exercises/`` and autograders in ``autograder/``.

:mod:`~teachkit.course.calibration_spec` reads what an assignment is calibrated against (its
wrong sample submissions and their expected scores, correct rewrites), and
:mod:`~teachkit.course.calibrate` grades them over many sampler seeds with the real engine and
writes ``autograder/<name>/calibration.md`` (:mod:`~teachkit.course.calibration_report`).
"""

__all__: list[str] = []  # the API is the modules: course.build, course.calibrate
