"""Per-student data: the data seed of a student, derived from the assignment and the student's ID.

A homework notebook starts with ``STUDENT_ID = "..."`` and simulates its data with
``seed=student_seed(ASSIGNMENT, STUDENT_ID)``; the hidden tests compute the same seed from the
same two strings, so they know the truth behind every student's own data.

The seed is the first 31 bits of ``SHA-256("teachkit-student-seed/v1/<assignment>/<id>")``,
where ``<id>`` is the ID with surrounding whitespace removed and case folded (``" S123 "`` and
``"s123"`` are the same student). It is stable across processes, machines, Python versions and
years; Python's :func:`hash` is salted per process and is never used. Changing the formula
changes every student's data, so it carries a version (``v1``).
"""

from __future__ import annotations

import hashlib
import re

__all__ = [
    "PLACEHOLDER_ID",
    "is_placeholder",
    "normalise_student_id",
    "require_student_id",
    "student_seed",
]

#: what the student notebooks ship with, to be replaced by the student's own ID
PLACEHOLDER_ID = "your-student-id"

_SEED_SALT = "teachkit-student-seed/v1"
_PLACEHOLDER = re.compile(
    r"""^(?:|\.+|_+|-+|\?+|x+|0+|id|student.?id|your.*|my.*|todo|tbd|none|null|n/?a|<.*>|\[.*\]|\{.*\})$""",
    re.IGNORECASE,
)


def normalise_student_id(student_id: str) -> str:
    """The ID as the seed sees it: surrounding whitespace removed, case folded.

    >>> normalise_student_id("  S1234567 ")
    's1234567'
    """
    if not isinstance(student_id, str):
        raise TypeError(
            f'STUDENT_ID must be a string in quotes, like STUDENT_ID = "s1234567"; '
            f"got {type(student_id).__name__} {student_id!r}"
        )
    return student_id.strip().casefold()


def is_placeholder(student_id: object) -> bool:
    """True when ``student_id`` is not a real ID: not a string, empty, or a placeholder.

    Placeholders are the shipped ``"your-student-id"``, anything starting with "your" or "my",
    ``"..."``, ``"xxx"``, ``"TODO"``, ``"<id>"``, ``"student_id"`` and the like.

    >>> [is_placeholder(s) for s in ["s1234567", "your-student-id", "...", "", "  ", "<id>", 42]]
    [False, True, True, True, True, True, True]
    """
    if not isinstance(student_id, str):
        return True
    return bool(_PLACEHOLDER.match(student_id.strip()))


def require_student_id(student_id: object) -> str:
    """Return the normalised ID, or raise ValueError with a sentence saying what to do.

    >>> require_student_id("your-student-id")
    Traceback (most recent call last):
    ...
    ValueError: STUDENT_ID is 'your-student-id', a placeholder: set it to your own student ID, \
like STUDENT_ID = "s1234567", then run the notebook again from the top (your data depend on it)
    """
    if is_placeholder(student_id):
        if student_id is Ellipsis:
            shown = "still ... (not filled in)"
        elif isinstance(student_id, str):
            shown = repr(student_id)
        else:
            shown = f"{student_id!r} (not a string)"
        raise ValueError(
            f"STUDENT_ID is {shown}, a placeholder: set it to your own student ID, like "
            'STUDENT_ID = "s1234567", then run the notebook again from the top (your data depend '
            "on it)"
        )
    return normalise_student_id(student_id)  # type: ignore[arg-type]


def student_seed(assignment: str, student_id: str) -> int:
    """The data seed of ``student_id`` in ``assignment``: an integer in [0, 2**31).

    Parameters
    ----------
    assignment : str
        The assignment's name, e.g. ``"hw04-covarying-parameters"``.
    student_id : str
        The student's ID; surrounding whitespace and case do not matter. A placeholder raises
        ValueError (:func:`require_student_id`).

    Examples
    --------
    >>> student_seed("hw04-covarying-parameters", "s1234567")
    1578799411
    >>> student_seed("hw04-covarying-parameters", " S1234567 ") == student_seed(
    ...     "hw04-covarying-parameters", "s1234567")
    True
    >>> student_seed("hw03-varying-effects", "s1234567") != student_seed(
    ...     "hw04-covarying-parameters", "s1234567")
    True
    """
    if not isinstance(assignment, str) or not assignment.strip():
        raise ValueError(
            f"assignment must be the assignment's name, like 'hw04-covarying-parameters'; "
            f"got {assignment!r}"
        )
    sid = require_student_id(student_id)
    digest = hashlib.sha256(f"{_SEED_SALT}/{assignment.strip()}/{sid}".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1
