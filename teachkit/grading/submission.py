"""Submissions: notebooks found in files, folders and zips, and the checks before they run.

:func:`find_submissions` collects notebooks (a Gradescope "Export Submissions" zip too) and gives
each a unique id; :func:`parse_notebook` turns a notebook's bytes into a notebook or a status
(``invalid-notebook``, ``wrong-assignment``) without running anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from teachkit.grading.assignment import Assignment

MAX_NOTEBOOK_BYTES = 100_000_000


@dataclass
class Submission:
    """One notebook to grade: an id for the gradebook and its raw bytes."""

    id: str
    data: bytes
    origin: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _safe_id(text: str) -> str:
    out = "".join(c if c.isalnum() or c in "-_." else "_" for c in text).strip("._")
    return out or "submission"


def find_submissions(paths: Iterable[str | os.PathLike]) -> list[Submission]:
    """Collect submissions from ``.ipynb`` files, folders (searched recursively) and zips.

    A zip (e.g. Gradescope's "Export Submissions") contributes every ``.ipynb`` inside it, named
    after its folder (``submission_123``) or file. Files given explicitly are graded even when
    they are not notebooks (they get the status ``invalid-notebook``). Ids are made unique.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "ana.ipynb").write_text("{}")
    ...     [s.id for s in find_submissions([d])]
    ['ana']
    """
    found: list[tuple[str, bytes, str]] = []
    for spec in paths:
        p = Path(spec)
        if not p.exists():
            raise ValueError(f"submission {str(p)!r} does not exist")
        if p.is_dir():
            for f in sorted(p.rglob("*.ipynb")):
                if ".ipynb_checkpoints" in f.parts:
                    continue
                rel = f.relative_to(p)
                found.append((rel.stem if len(rel.parts) == 1 else "_".join(rel.parts[:-1]) + "_" + rel.stem,
                              f.read_bytes(), str(f)))
        elif p.suffix == ".zip":
            try:
                with zipfile.ZipFile(p) as zf:
                    for info in sorted(zf.infolist(), key=lambda i: i.filename):
                        name = info.filename
                        if info.is_dir() or not name.endswith(".ipynb") or "__MACOSX" in name or ".ipynb_checkpoints" in name:
                            continue
                        parts = Path(name).parts
                        sid = parts[-2] if len(parts) > 1 else Path(name).stem
                        if info.file_size > MAX_NOTEBOOK_BYTES:
                            data = b""
                        else:
                            data = zf.read(info)
                        found.append((sid, data, f"{p}:{name}"))
            except zipfile.BadZipFile:
                found.append((p.stem, p.read_bytes(), str(p)))
        else:
            found.append((p.stem, p.read_bytes()[:MAX_NOTEBOOK_BYTES + 1], str(p)))
    seen: dict[str, int] = {}
    subs = []
    for sid, data, origin in found:
        sid = _safe_id(sid)
        if sid in seen:
            seen[sid] += 1
            sid = f"{sid}-{seen[sid]}"
        else:
            seen[sid] = 1
        subs.append(Submission(sid, data, origin))
    return subs


def parse_notebook(data: bytes, assignment: Assignment) -> tuple[dict | None, str, str]:
    """Parse and validate a submission: ``(notebook, status, reason)``; notebook None if not gradable.

    Examples
    --------
    >>> from teachkit.grading.assignment import Assignment
    >>> a = Assignment("hw", {"q1": ""}, ("q1_x",), {"assignment_name": "hw"})
    >>> parse_notebook(b"", a)[1:]
    ('invalid-notebook', 'the file is empty')
    >>> parse_notebook(b'{"cells": [], "metadata": {"otter": {"assignment_name": "hw9"}}, "nbformat": 4}', a)[1]
    'wrong-assignment'
    """
    if not data.strip():
        return None, "invalid-notebook", "the file is empty"
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, "invalid-notebook", f"the file is larger than {MAX_NOTEBOOK_BYTES // 10**6} MB"
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, "invalid-notebook", f"the file is not a Jupyter notebook (not valid JSON: {exc})"[:300]
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "invalid-notebook", "the file is JSON but not a Jupyter notebook (no list of cells)"
    if int(nb.get("nbformat", 4) or 4) < 4:
        return None, "invalid-notebook", "the notebook uses nbformat 3 or older; open and re-save it in Jupyter"
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    otter_meta = meta.get("otter") if isinstance(meta.get("otter"), dict) else {}
    got = otter_meta.get("assignment_name")
    expected = assignment.config.get("assignment_name")
    if expected and got and got != expected:
        return None, "wrong-assignment", f"this notebook is for assignment '{got}', not '{expected}'"
    if not any(isinstance(c, dict) and c.get("cell_type") == "code" for c in nb["cells"]):
        return None, "invalid-notebook", "the notebook has no code cells"
    return nb, "ok", ""
