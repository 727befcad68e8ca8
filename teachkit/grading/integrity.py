"""The integrity report: signals worth an instructor's look, never a penalty by themselves.

:func:`integrity_flags` turns a class's results into flags, and :func:`write_integrity_csv`
writes them to ``OUT/integrity.csv`` (columns ``kind, students, submissions, evidence``; one row
per flag, a header alone when nothing was found). The kinds:

``shared-code``
    Two notebooks share at least ``min_shared`` code cells that are identical once comments,
    whitespace and outputs are stripped (:func:`normalise_code`), forming at least
    ``min_fraction`` of the smaller notebook's own cells. A cell does not count when it is one of
    the exercise's own template cells, shorter than :data:`MIN_CHARS` characters, or shared by
    more than a ``common_fraction`` of the class (an idiom everybody writes is no evidence).
``identical-draws`` / ``same-data``
    Two graded submissions whose exported ``*_idata`` have bit-identical posterior draws, or
    whose fits are on identical observed data (fingerprints computed by the examiner from the
    arrays it received: :func:`array_fingerprint`). A data set shared by more than a
    ``common_fraction`` of the class is the assignment's common data (an assignment that gives
    the whole class one data set) and is not flagged; with per-student data every fit is on its
    own data.
``foreign-id``
    A notebook declares the STUDENT_ID of another roster student.
``shared-id``
    Two submissions of different students declare the same STUDENT_ID.
``several-submissions``
    A roster student has more than one submission (the gradebook keeps each; the LMS export
    takes the best).

Examples
--------
>>> normalise_code("x = 1  # the answer\\n\\n\\ny  =  x+1")
'x=1 y=x+1'
>>> cell_hash("x = 1 # a") == cell_hash("x=1")
True
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import os
import re
import tokenize
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Flag",
    "array_fingerprint",
    "cell_hash",
    "code_cell_hashes",
    "integrity_flags",
    "normalise_code",
    "value_fingerprint",
    "write_integrity_csv",
]

#: cells shorter than this (after normalising) are too trivial to count as shared code
MIN_CHARS = 40
FIELDS = ("kind", "students", "submissions", "evidence")
_SKIP = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}


def normalise_code(source: str) -> str:
    """A code cell without comments and with no formatting: tokens joined by one space where
    two names or numbers meet, by nothing elsewhere. IPython magics are kept as text."""
    out: list[str] = []
    try:
        prev = ""
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in _SKIP:
                if tok.type in (tokenize.NEWLINE, tokenize.NL) and out and out[-1] != " ":
                    prev = ""
                    out.append(" ")
                continue
            s = tok.string
            if (
                prev
                and (prev[-1].isalnum() or prev[-1] == "_")
                and (s[:1].isalnum() or s[:1] == "_")
            ):
                out.append(" ")
            out.append(s)
            prev = s
        text = "".join(out)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        text = re.sub(r"#[^\n]*", "", source)
    text = re.sub(r"\s*([=+\-*/%<>!,:;()\[\]{}@.&|^~])\s*", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def cell_hash(source: str) -> str:
    """16 hex digits of SHA-256 of :func:`normalise_code`."""
    return hashlib.sha256(normalise_code(source).encode()).hexdigest()[:16]


def _code_sources(notebook: dict) -> list[str]:
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    out = []
    for c in cells if isinstance(cells, list) else []:
        if isinstance(c, dict) and c.get("cell_type") == "code":
            src = c.get("source", "")
            out.append("".join(src) if isinstance(src, list) else str(src))
    return out


def code_cell_hashes(notebook: dict | bytes, *, min_chars: int = MIN_CHARS) -> list[str]:
    """The :func:`cell_hash` of every code cell at least ``min_chars`` long once normalised
    (outputs never enter), in order, each once.

    >>> nb = {"cells": [{"cell_type": "code", "source": "import numpy as np"},
    ...                 {"cell_type": "code", "source": "q1 = np.linalg.cholesky(np.array([[4.0, 1.0], [1.0, 2.0]]))"}]}
    >>> len(code_cell_hashes(nb)), len(code_cell_hashes(nb, min_chars=0))
    (1, 2)
    """
    if isinstance(notebook, bytes):
        try:
            notebook = json.loads(notebook)
        except (ValueError, UnicodeDecodeError):
            return []
    seen: dict[str, None] = {}
    for src in _code_sources(notebook):
        norm = normalise_code(src)
        if len(norm) >= min_chars:
            seen.setdefault(hashlib.sha256(norm.encode()).hexdigest()[:16], None)
    return list(seen)


# --- fingerprints of what a notebook exported (computed by the examiner) ------------------------------


def array_fingerprint(tree, group: str) -> str | None:
    """16 hex digits of SHA-256 over one group of ArviZ data (``posterior``, ``observed_data``).

    ``posterior``: every variable's name, dtype, shape and bytes, in name order (identical draws
    are bit-identical, names included). ``observed_data``: the *data*, whatever the code around
    them: each variable's values as sorted float64 numbers, the variables in the order of those
    digests, so fits of one data set written in different styles (the likelihood named ``awards``
    or ``A``, rows in another order, integer or float counts) get one fingerprint. None when the
    group is absent or empty.

    Runs in the examiner on the arrays it received over the data-only wire: nothing the
    notebook computed about itself is trusted, nothing is unpickled.
    """
    import numpy as np

    try:
        node = tree[group]
        ds = node.to_dataset() if hasattr(node, "to_dataset") else node
        names = sorted(str(v) for v in ds.data_vars)
    except (KeyError, AttributeError, TypeError):
        return None
    if not names:
        return None
    if group == "observed_data":
        try:
            digests = sorted(
                hashlib.sha256(
                    np.sort(np.asarray(ds[n].values, dtype=float).ravel()).tobytes()
                ).hexdigest()
                for n in names
            )
        except (TypeError, ValueError):  # not numbers: fall back to the exact digest below
            digests = None
        if digests is not None:
            return hashlib.sha256("|".join([group, *digests]).encode()).hexdigest()[:16]
    h = hashlib.sha256(group.encode())
    for n in names:
        a = np.ascontiguousarray(np.asarray(ds[n].values))
        h.update(f"|{n}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes() if a.dtype.kind != "O" else repr(a.tolist()).encode())
    return h.hexdigest()[:16]


def value_fingerprint(value) -> str | None:
    """16 hex digits of SHA-256 of a plain value (a seed, an ID); None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, str, float)):
        return None
    return hashlib.sha256(json.dumps([type(value).__name__, value]).encode()).hexdigest()[:16]


# --- the report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """One row of ``integrity.csv``: what kind of signal, whose work, and the evidence."""

    kind: str
    students: tuple
    submissions: tuple
    evidence: str

    def row(self) -> dict:
        return {
            "kind": self.kind,
            "students": "; ".join(self.students),
            "submissions": "; ".join(self.submissions),
            "evidence": self.evidence,
        }


def _owner(sid: str, owners: Mapping[str, list]) -> str:
    who = owners.get(sid) or []
    return "; ".join(s.id for s in who) if who else f"(unmatched {sid})"


def _common(counts: dict, n: int, common_fraction: float) -> set:
    limit = max(2, common_fraction * n)
    return {k for k, c in counts.items() if c > limit}


def integrity_flags(
    results: Iterable,
    *,
    template: Iterable[str] = (),
    owners: Mapping[str, list] | None = None,
    roster=None,
    declared: Mapping[str, object] | None = None,
    min_shared: int = 3,
    min_fraction: float = 0.5,
    common_fraction: float = 0.5,
) -> list[Flag]:
    """Every integrity flag of a graded class (see the module docstring for the kinds).

    Parameters
    ----------
    results : iterable of Result
        Each with ``id``, ``status``, ``code_cells`` (:func:`code_cell_hashes`) and
        ``fingerprints`` (``{"<name>.posterior": hash, "<name>.observed_data": hash, ...}``).
    template : iterable of str
        Cell hashes of the exercise as handed out (:func:`code_cell_hashes` with ``min_chars=0``):
        cells identical to these are never evidence.
    owners : mapping, optional
        ``{submission id: [Student, ...]}`` from :func:`teachkit.grading.roster.match_submissions`.
    roster : Roster, optional
        For ``foreign-id``.
    declared : mapping, optional
        ``{submission id: DeclaredId}`` (:func:`teachkit.grading.roster.declared_student_id`).
    min_shared, min_fraction : int, float
        A pair is flagged when it shares at least ``min_shared`` counted cells that make at least
        ``min_fraction`` of the smaller notebook's counted cells.
    common_fraction : float
        Cells and data sets shared by more than this fraction of the class (and by more than two
        notebooks) are common knowledge, not evidence.

    Returns
    -------
    list of Flag
    """
    results = list(results)
    owners = owners or {}
    declared = declared or {}
    flags: list[Flag] = []
    template = set(template)
    n = len(results)

    def students(*ids):
        return tuple(_owner(i, owners) for i in ids)

    # identical code cells
    cells = {
        r.id: [c for c in (getattr(r, "code_cells", None) or []) if c not in template]
        for r in results
    }
    counts: dict[str, int] = {}
    for cs in cells.values():
        for c in set(cs):
            counts[c] = counts.get(c, 0) + 1
    common = _common(counts, n, common_fraction)
    own = {i: set(cs) - common for i, cs in cells.items()}
    holders: dict[str, list[str]] = {}  # only pairs that share a counted cell are compared
    for i, cs in own.items():
        for c in cs:
            holders.setdefault(c, []).append(i)
    order = {r.id: k for k, r in enumerate(results)}
    pairs = {
        tuple(sorted(p, key=order.get))
        for ids in holders.values()
        for p in itertools.combinations(ids, 2)
    }
    for a, b in sorted(pairs, key=lambda p: (order[p[0]], order[p[1]])):
        if owners.get(a) and owners.get(a) == owners.get(b):
            continue  # two submissions of the same student
        shared = own[a] & own[b]
        smaller = min(len(own[a]), len(own[b]))
        if smaller and len(shared) >= min_shared and len(shared) / smaller >= min_fraction:
            flags.append(
                Flag(
                    "shared-code",
                    students(a, b),
                    (a, b),
                    f"{len(shared)} of {len(own[a])} / {len(own[b])} code cells identical after "
                    f"removing comments and whitespace ({100 * len(shared) / smaller:.0f}% of the "
                    f"smaller notebook; template cells, cells under {MIN_CHARS} characters and "
                    f"cells shared by most of the class not counted)",
                )
            )
    # identical draws, same data
    for suffix, kind, what in (
        (".posterior", "identical-draws", "bit-identical posterior draws"),
        (".observed_data", "same-data", "identical observed data"),
    ):
        groups: dict[str, list[tuple[str, str]]] = {}
        for r in results:
            for name, h in (getattr(r, "fingerprints", None) or {}).items():
                if name.endswith(suffix) and h:
                    groups.setdefault(h, []).append((r.id, name[: -len(suffix)]))
        sizes = {h: len({i for i, _ in v}) for h, v in groups.items()}
        common = _common(sizes, n, common_fraction)
        for h, members in groups.items():
            ids = sorted({i for i, _ in members})
            if len(ids) < 2 or h in common:
                continue
            if len({_owner(i, owners) for i in ids}) < 2:
                continue
            names = sorted({nm for _, nm in members})
            flags.append(
                Flag(
                    kind,
                    students(*ids),
                    tuple(ids),
                    f"{', '.join(names)}: {what} (fingerprint {h}) in {len(ids)} submissions",
                )
            )
    # declared IDs
    from teachkit.simulate.student import is_placeholder, normalise_student_id

    by_value: dict[str, list[str]] = {}
    for r in results:
        d = declared.get(r.id)
        if d is None or not getattr(d, "found", False) or not isinstance(d.value, str):
            continue
        if is_placeholder(d.value):
            continue
        key = normalise_student_id(d.value)
        by_value.setdefault(key, []).append(r.id)
        if roster is not None:
            other = roster.get(d.value)
            mine = owners.get(r.id) or []
            if other is not None and other not in mine:
                flags.append(
                    Flag(
                        "foreign-id",
                        students(r.id) + (other.id,),
                        (r.id,),
                        f"{r.id} ({_owner(r.id, owners)}) declares STUDENT_ID {d.value!r}, the ID of "
                        f"{other.name or other.id} ({other.id})",
                    )
                )
    for key, ids in by_value.items():
        if len({_owner(i, owners) for i in ids}) > 1:
            flags.append(
                Flag(
                    "shared-id",
                    students(*ids),
                    tuple(ids),
                    f"{len(ids)} submissions of different students declare STUDENT_ID {key!r}",
                )
            )
    # several submissions of one student
    per_student: dict[str, list[str]] = {}
    for sid, who in owners.items():
        for s in who:
            per_student.setdefault(s.id, []).append(sid)
    for stu, ids in per_student.items():
        if len(ids) > 1:
            flags.append(
                Flag(
                    "several-submissions",
                    (stu,),
                    tuple(ids),
                    f"{len(ids)} submissions matched student {stu}; the gradebook lists each, the "
                    "LMS export takes the highest total",
                )
            )
    return flags


def write_integrity_csv(flags: Iterable[Flag], path: str | os.PathLike) -> Path:
    """Write ``integrity.csv`` (a header alone when there are no flags)."""
    path = Path(path)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(FIELDS), lineterminator="\n")
    w.writeheader()
    w.writerows(f.row() for f in flags)
    path.write_text(buf.getvalue())
    return path
