"""A class roster: who the students are, which submission is whose, and whose ID a notebook declares.

:func:`read_roster` reads ``roster.csv`` (columns ``id``, ``name``, ``email``, optionally
``section``, ``canvas_id``, ``sis_id``, ``login``; header names in any case and order).
:func:`match_submissions` assigns each submission to roster students, by Gradescope's
``submission_metadata.yml`` when the export holds one (:func:`read_gradescope_metadata`), otherwise
by file name (:func:`name_matches`). :func:`declared_student_id` reads a notebook's
``STUDENT_ID = "..."`` line from its JSON without running anything, and :func:`id_check` compares it
with the submission's owner.

The file-name rule: a submission belongs to the student whose ID (case ignored) *is* the
notebook's file stem or the name of the folder holding it, or *starts* it followed by ``_``, ``-``
or ``.``: ``s123.ipynb``, ``s123/hw.ipynb``, ``S123_hw04.ipynb`` and ``s123-final.ipynb`` are all
``s123``'s. When several IDs fit (``s1`` and ``s1_b``), the longest wins; the file stem is tried
before the folder.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     p = Path(d) / "roster.csv"
...     _ = p.write_text("ID,Name,Email\\ns1,Ana Lima,ana@uni.edu\\ns12,Bo Chen,bo@uni.edu\\n")
...     r = read_roster(p)
>>> [s.id for s in r.students], name_matches("S12_hw01", r).id, name_matches("s3", r)
(['s1', 's12'], 's12', None)
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from teachkit.simulate.student import is_placeholder, normalise_student_id

__all__ = [
    "DeclaredId",
    "Roster",
    "Student",
    "declared_student_id",
    "id_check",
    "match_submissions",
    "name_matches",
    "read_gradescope_metadata",
    "read_roster",
]

#: roster columns every file must have
REQUIRED = ("id", "name", "email")
#: optional roster columns (``canvas_id``, ``sis_id``, ``login`` fill the Canvas export's columns)
OPTIONAL = ("section", "canvas_id", "sis_id", "login")
GRADESCOPE_METADATA = "submission_metadata.yml"


@dataclass(frozen=True)
class Student:
    """One roster row: the student's ID (as written in the roster), name, email and the rest."""

    id: str
    name: str
    email: str
    section: str = ""
    canvas_id: str = ""
    sis_id: str = ""
    login: str = ""
    line: int = 0

    @property
    def key(self) -> str:
        """The ID as the data seed sees it (:func:`teachkit.simulate.student.normalise_student_id`)."""
        return normalise_student_id(self.id)


@dataclass
class Roster:
    """The students of a class, in roster order, and the file they came from."""

    students: list[Student]
    path: str = ""
    has_section: bool = False
    _by_key: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_key = {s.key: s for s in self.students}

    def get(self, student_id: str) -> Student | None:
        """The student with this ID (whitespace and case ignored), or None."""
        if not isinstance(student_id, str):
            return None
        return self._by_key.get(normalise_student_id(student_id))

    def by_email(self, email: str) -> Student | None:
        """The student with this email address (case ignored), or None."""
        e = str(email or "").strip().casefold()
        return next((s for s in self.students if e and s.email.strip().casefold() == e), None)


def read_roster(path: str | os.PathLike) -> Roster:
    """Read a roster CSV: one student a row, columns ``id, name, email`` and optionally ``section``.

    Parameters
    ----------
    path : path
        A CSV file with a header row. Header names are case-insensitive and may come in any
        order; other columns are ignored. ``canvas_id``, ``sis_id`` and ``login`` fill the Canvas
        export (:mod:`teachkit.grading.lms`).

    Returns
    -------
    Roster

    Raises
    ------
    ValueError
        A sentence naming the file (and line) when the file is missing, not CSV, lacks a column,
        or has an empty or duplicate ID.
    """
    p = Path(path)
    if not p.is_file():
        raise ValueError(
            f"roster {str(p)!r} does not exist: give a CSV file with columns id,name,email"
        )
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(
            f"roster {p} is not a text CSV file (not UTF-8); save it from the spreadsheet "
            "as 'CSV UTF-8'"
        ) from None
    if b"\x00" in raw or text.lstrip().startswith(("{", "[", "<")) or raw[:2] == b"PK":
        raise ValueError(
            f"roster {p} is not a CSV file; save it as CSV with a header row id,name,email"
        )
    rows, lines = [], []
    try:
        reader = csv.reader(io.StringIO(text), strict=True)
        for r in reader:
            if any(c.strip() for c in r):
                rows.append(r)
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise ValueError(f"roster {p} is not valid CSV ({exc}); save it again as CSV") from None
    if not rows:
        raise ValueError(
            f"roster {p} is empty; it needs a header row id,name,email and one row per student"
        )
    header = [h.strip().casefold().replace(" ", "_") for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValueError(
            f"roster {p} has no column {', '.join(repr(m) for m in missing)} in its header "
            f"(line {lines[0]} reads {','.join(rows[0])!r}); the header needs id,name,email "
            "(and optionally section)"
        )
    col = {c: header.index(c) for c in (*REQUIRED, *OPTIONAL) if c in header}
    students, seen = [], {}
    for row, line in zip(rows[1:], lines[1:], strict=False):
        cell = {c: (row[i].strip() if i < len(row) else "") for c, i in col.items()}
        if not cell["id"]:
            raise ValueError(
                f"roster {p}, line {line}: the id is empty; give every student an ID "
                "(or delete the line)"
            )
        key = normalise_student_id(cell["id"])
        if key in seen:
            raise ValueError(
                f"roster {p}, line {line}: id {cell['id']!r} is already used on line "
                f"{seen[key]} (IDs are compared without case); each student needs their own ID"
            )
        seen[key] = line
        students.append(
            Student(
                cell["id"],
                cell["name"],
                cell["email"],
                cell.get("section", ""),
                cell.get("canvas_id", ""),
                cell.get("sis_id", ""),
                cell.get("login", ""),
                line,
            )
        )
    return Roster(students, str(p), has_section="section" in col)


def name_matches(name: str, roster: Roster) -> Student | None:
    """The student whose ID is ``name`` or starts it followed by ``_``, ``-`` or ``.`` (longest ID wins).

    >>> r = Roster([Student("s1", "A", "a@x"), Student("s1_b", "B", "b@x")])
    >>> name_matches("s1_b_hw", r).id, name_matches("S1-late", r).id, name_matches("s10", r)
    ('s1_b', 's1', None)
    """
    n = str(name).strip().casefold()
    best = None
    for s in roster.students:
        k = s.key
        if n == k or (n.startswith(k) and n[len(k) : len(k) + 1] in ("_", "-", ".")):
            if best is None or len(k) > len(best.key):
                best = s
    return best


# --- Gradescope "Export Submissions" metadata ---------------------------------------------------------


def _yaml_load(text: str):
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    def _any(loader, suffix, node):  # Ruby tags (!ruby/object:...) read as plain data
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    _Loader.add_multi_constructor("!", _any)
    _Loader.add_multi_constructor("tag:", _any)
    return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)


def _submitters(entry) -> list[dict]:
    if not isinstance(entry, dict):
        return []
    subs = entry.get(":submitters", entry.get("submitters"))
    out = []
    for s in subs if isinstance(subs, list) else []:
        if isinstance(s, dict):
            out.append(
                {
                    k.lstrip(":"): str(v)
                    for k, v in s.items()
                    if isinstance(k, str) and v is not None
                }
            )
    return out


def read_gradescope_metadata(paths: Iterable[str | os.PathLike]) -> dict[str, list[dict]]:
    """``{submission folder: [{"name", "sid", "email"}, ...]}`` from every ``submission_metadata.yml``.

    Gradescope's "Export Submissions" zip holds one ``submission_<n>/`` folder per submission and a
    ``submission_metadata.yml`` mapping each folder to its submitters (Ruby-style keys:
    ``:submitters:`` with ``:name:``, ``:sid:``, ``:email:``). ``paths`` are the submission
    arguments: the file is read from inside a zip or from an unpacked folder (searched to three
    levels), never from a notebook.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / GRADESCOPE_METADATA).write_text(
    ...         "submission_7:\\n  :submitters:\\n  - :name: Ana Lima\\n    :sid: 's1'\\n"
    ...         "    :email: ana@uni.edu\\n  :score: 3.0\\n")
    ...     read_gradescope_metadata([d])
    {'submission_7': [{'name': 'Ana Lima', 'sid': 's1', 'email': 'ana@uni.edu'}]}
    """
    texts: list[tuple[str, str]] = []
    for spec in paths:
        p = Path(spec)
        if p.is_dir():
            for depth in ("", "*/", "*/*/"):
                texts += [
                    (str(f), f.read_text(errors="replace"))
                    for f in sorted(p.glob(depth + GRADESCOPE_METADATA))
                ]
        elif p.suffix == ".zip" and p.is_file():
            try:
                with zipfile.ZipFile(p) as zf:
                    for name in zf.namelist():
                        if Path(name).name == GRADESCOPE_METADATA and name.count("/") <= 2:
                            texts.append((f"{p}:{name}", zf.read(name).decode("utf-8", "replace")))
            except zipfile.BadZipFile:
                pass
    out: dict[str, list[dict]] = {}
    for where, text in texts:
        try:
            data = _yaml_load(text)
        except Exception as exc:
            raise ValueError(
                f"{where} is not readable YAML ({type(exc).__name__}: {str(exc)[:200]}); "
                "export the submissions from Gradescope again"
            ) from None
        if not isinstance(data, dict):
            continue
        for folder, entry in data.items():
            who = _submitters(entry)
            if who:
                out[str(folder)] = who
    return out


def _parts(origin: str) -> list[str]:
    return [x for x in re.split(r"[/\\:]", origin) if x]


def match_submissions(
    submissions: Iterable, roster: Roster, metadata: dict[str, list[dict]] | None = None
) -> dict[str, list[Student]]:
    """Each submission's roster students: ``{submission id: [Student, ...]}`` (empty: unmatched).

    ``submissions`` are objects with ``id`` and ``origin`` (:class:`~.submission.Submission` or
    :class:`~.feedback.Result`). A submission inside a folder named in Gradescope's metadata belongs
    to that folder's submitters (each found in the roster by ``sid``, else by email; a group
    submission belongs to all its members); any other submission is matched by its file name
    (:func:`name_matches` on the notebook's stem, then on its folder's name).
    """
    metadata = metadata or {}
    out: dict[str, list[Student]] = {}
    for sub in submissions:
        parts = _parts(str(getattr(sub, "origin", "") or ""))
        found: list[Student] = []
        folder = next((x for x in reversed(parts[:-1]) if x in metadata), None)
        if folder is not None:
            for who in metadata[folder]:
                s = roster.get(who.get("sid", "")) or roster.by_email(who.get("email", ""))
                if s is not None and s not in found:
                    found.append(s)
        if not found:
            stem = Path(parts[-1]).stem if parts else str(sub.id)
            s = name_matches(stem, roster) or (
                name_matches(parts[-2], roster) if len(parts) > 1 else None
            )
            if s is None and not parts:
                s = name_matches(str(sub.id), roster)
            if s is not None:
                found.append(s)
        out[sub.id] = found
    return out


# --- the notebook's declared STUDENT_ID ---------------------------------------------------------------


@dataclass(frozen=True)
class DeclaredId:
    """What a notebook says about its author: ``found`` is False when it has no STUDENT_ID line;
    ``value`` is the literal assigned (a string, or another literal, or None when not a literal)."""

    found: bool
    value: object = None
    cell: int | None = None

    @property
    def text(self) -> str:
        return self.value if isinstance(self.value, str) else repr(self.value)


_ASSIGN = re.compile(
    r"^[ \t]*STUDENT_ID[ \t]*(?::[^=\n]*)?=[ \t]*(.+?)[ \t]*(?:#.*)?$", re.MULTILINE
)


def declared_student_id(notebook: dict | bytes | str) -> DeclaredId:
    """The ``STUDENT_ID = "..."`` of a notebook, read from its JSON (nothing is run).

    The first code cell line that assigns ``STUDENT_ID`` counts (the one the data were simulated
    with). Its right-hand side is read with :func:`ast.literal_eval`; anything that is not a
    literal (``STUDENT_ID = input()``) gives ``value=None``.

    >>> nb = {"cells": [{"cell_type": "code", "source": ["import numpy as np\\n", "STUDENT_ID = 's42'  # me"]}]}
    >>> declared_student_id(nb)
    DeclaredId(found=True, value='s42', cell=0)
    >>> declared_student_id({"cells": []}).found
    False
    """
    import ast

    if isinstance(notebook, (bytes, str)):
        try:
            notebook = json.loads(notebook)
        except (ValueError, UnicodeDecodeError):
            return DeclaredId(False)
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    for i, cell in enumerate(cells if isinstance(cells, list) else []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        m = _ASSIGN.search(src)
        if m is None:
            continue
        value = _assigned_literal(src)
        if (
            value is _NOT_PARSED
        ):  # a cell Python cannot parse (a magic, a typo): read the line alone
            try:
                value = ast.literal_eval(m.group(1))
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                value = None
        return DeclaredId(True, value, i)
    return DeclaredId(False)


_NOT_PARSED = object()


def _assigned_literal(src: str):
    """The literal first assigned to ``STUDENT_ID`` at the top level of ``src`` (None when it
    is not a literal), or ``_NOT_PARSED`` when ``src`` is not Python (IPython magics are blanked)."""
    import ast

    code = "\n".join(
        "pass" if ln.lstrip().startswith(("%", "!")) else ln for ln in src.splitlines()
    )
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return _NOT_PARSED
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if (
            any(isinstance(t, ast.Name) and t.id == "STUDENT_ID" for t in targets)
            and node.value is not None
        ):
            try:
                return ast.literal_eval(node.value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                return None
    return _NOT_PARSED


def id_check(declared: DeclaredId, owners: list[Student], roster: Roster | None = None) -> str:
    """The gradebook's ``id_check`` value for a notebook and the students it belongs to.

    ``ok``; ``absent`` (no STUDENT_ID line: not an error); ``placeholder`` (not filled in, or not
    a string); ``mismatch: notebook says X`` (X is not the owner's ID; ``, the ID of NAME`` when X
    is another roster student's); for a submission that matches no roster student, ``unmatched``
    or ``unmatched: notebook says X``.

    >>> r = Roster([Student("s1", "Ana", "a@x"), Student("s2", "Bo", "b@x")])
    >>> id_check(DeclaredId(True, "S1 "), [r.students[0]], r), id_check(DeclaredId(True, "s2"), [r.students[0]], r)
    ('ok', 'mismatch: notebook says s2, the ID of Bo')
    >>> id_check(DeclaredId(True, "your-student-id"), [r.students[0]], r), id_check(DeclaredId(False), [], r)
    ('placeholder', 'unmatched')
    """
    if not declared.found:
        return "absent" if owners else "unmatched"
    if is_placeholder(declared.value):
        return "placeholder" if owners else "unmatched: placeholder"
    said = str(declared.value).strip()
    if not owners:
        return f"unmatched: notebook says {said}"
    if normalise_student_id(said) in {s.key for s in owners}:
        return "ok"
    other = roster.get(said) if roster is not None else None
    return f"mismatch: notebook says {said}" + (
        f", the ID of {other.name or other.id}" if other else ""
    )
