"""What an assignment is calibrated against: ``solutions/calibration/<name>.toml``.

The file lists the assignment's *wrong sample submissions*: each is the solution (the student
notebook with its answer cells filled in from the instructor's notebook) changed by small text
edits of the kind students make, with the score each question must get. Optionally it names
*rewrites*: correct notebooks in other styles, which must get full marks like the solution.

.. code-block:: toml

    # paths (globs) of correct notebooks in other styles, relative to this file
    rewrites = ["hw09/*.ipynb"]

    [[wrong]]
    label = "upper Cholesky factor: z @ L instead of z @ L.T"
    scores = { q1 = 3, q2 = 2, q3 = 4 }      # a list gives the scores allowed: q3 = [2, 3]
    messages = { q2 = "multiply by L.T" }     # a phrase the question's feedback must show
    note = "q2's method is wrong; q1 and q3 do not depend on it"   # optional: why these scores

    [[wrong.edits]]
    old = "q2_samples = z @ q2_L.T"
    new = "q2_samples = z @ q2_L"

Every edit must match exactly once in the filled notebook, so that a changed master notebook
makes a stale edit fail loudly instead of silently grading the solution.

Examples
--------
>>> spec = parse_spec('''
... [[wrong]]
... label = "typo"
... scores = { q1 = 0, q2 = [1, 2] }
... [[wrong.edits]]
... old = "x = 1"
... new = "x = 2"
... ''')
>>> w = spec.wrong[0]
>>> w.label, w.scores, w.edits[0].new
('typo', {'q1': 0.0, 'q2': (1.0, 2.0)}, 'x = 2')
>>> w.mismatches({"q1": 0.0, "q2": 2.0}), w.mismatches({"q1": 1.0, "q2": 2.0})
({}, {'q1': (0.0, 1.0)})
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from teachkit.sample_submissions import Edit

__all__ = ["CalibrationSpec", "WrongSubmission", "load_spec", "parse_spec", "spec_path", "to_toml"]


@dataclass(frozen=True)
class WrongSubmission:
    """A wrong submission: what the student did, and what the grader must give it.

    ``scores`` maps each question to its expected score, or to a tuple of the scores it may get
    where a check of a *wrong* model is borderline by nature (a centred fit whose ESS sits near
    the threshold): the points for what the submission got wrong are lost either way.
    """

    label: str
    edits: tuple[Edit, ...]
    scores: dict[str, float | tuple[float, ...]]
    messages: dict[str, str] = field(default_factory=dict)  # question -> phrase in its feedback
    note: str = ""  # why the expected scores are what they are

    def allowed(self, question: str) -> tuple[float, ...]:
        """The scores ``question`` may get (empty when the spec does not say)."""
        want = self.scores.get(question)
        if want is None:
            return ()
        return want if isinstance(want, tuple) else (want,)

    def mismatches(self, got: dict[str, float]) -> dict[str, tuple]:
        """``{question: (expected, got)}`` for every question whose score is not as expected."""
        out = {}
        for q in sorted(set(self.scores) | set(got)):
            have = got.get(q)
            if have is None or not any(abs(have - a) < 1e-9 for a in self.allowed(q)):
                out[q] = (self.scores.get(q), have)
        return out


@dataclass(frozen=True)
class CalibrationSpec:
    """``wrong`` submissions and ``rewrites`` (paths of correct notebooks in other styles)."""

    wrong: tuple[WrongSubmission, ...] = ()
    rewrites: tuple[Path, ...] = ()
    source: str = ""


def _score(value, where: str) -> float | tuple[float, ...]:
    if isinstance(value, list):
        if not value:
            raise ValueError(f"{where}: an empty list of allowed scores; give at least one")
        return tuple(_score(v, where) for v in value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: a score must be a number or a list of numbers, not {value!r}")
    return float(value)


def parse_spec(text: str, *, base: str | Path = ".", source: str = "<string>") -> CalibrationSpec:
    """Read a calibration spec from TOML text (see the module docstring for the format).

    Raises ``ValueError`` with the file and entry when something is missing or malformed.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source} is not valid TOML: {exc}") from None
    unknown = set(data) - {"wrong", "rewrites"}
    if unknown:
        raise ValueError(
            f"{source}: unknown keys {sorted(unknown)}; a calibration spec has "
            "'wrong' (a list of tables) and 'rewrites' (a list of paths)"
        )
    wrong = []
    for i, entry in enumerate(data.get("wrong", [])):
        where = f"{source}, wrong submission {i + 1}"
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"{where}: give it a label (what the student did wrong)")
        where = f"{source}, wrong submission {label!r}"
        edits = entry.get("edits") or []
        if not edits or not all(
            isinstance(e, dict) and isinstance(e.get("old"), str) and isinstance(e.get("new"), str)
            for e in edits
        ):
            raise ValueError(
                f"{where}: needs [[wrong.edits]] tables, each with strings old and new"
            )
        scores = entry.get("scores")
        if not isinstance(scores, dict) or not scores:
            raise ValueError(
                f"{where}: needs scores = {{ q1 = ..., ... }}, the score of every question"
            )
        messages = entry.get("messages", {})
        if not isinstance(messages, dict) or not all(isinstance(v, str) for v in messages.values()):
            raise ValueError(f"{where}: messages must map questions to phrases (strings)")
        note = entry.get("note", "")
        if not isinstance(note, str):
            raise ValueError(f"{where}: note must be a string")
        unknown = set(entry) - {"label", "edits", "scores", "messages", "note"}
        if unknown:
            raise ValueError(
                f"{where}: unknown keys {sorted(unknown)} (known: label, edits, scores, "
                "messages, note)"
            )
        wrong.append(
            WrongSubmission(
                label.strip(),
                tuple(Edit(e["old"], e["new"]) for e in edits),
                {str(q): _score(v, f"{where}, score of {q}") for q, v in scores.items()},
                dict(messages),
                " ".join(note.split()),
            )
        )
    labels = [w.label for w in wrong]
    if len(set(labels)) != len(labels):
        raise ValueError(
            f"{source}: two wrong submissions share a label; labels name them in the report"
        )
    rewrites = data.get("rewrites", [])
    if not isinstance(rewrites, list) or not all(isinstance(r, str) for r in rewrites):
        raise ValueError(f"{source}: rewrites must be a list of paths or globs (strings)")
    base = Path(base)
    paths = []
    for pattern in rewrites:
        found = sorted(base.glob(pattern))
        if not found:
            raise ValueError(f"{source}: rewrites pattern {pattern!r} matches no file under {base}")
        paths += found
    return CalibrationSpec(tuple(wrong), tuple(paths), source)


def spec_path(name: str, root: str | Path = ".") -> Path:
    """Where assignment ``name``'s spec lives: ``<root>/solutions/calibration/<name>.toml``."""
    return Path(root) / "solutions" / "calibration" / f"{name}.toml"


def load_spec(name: str, root: str | Path = ".") -> CalibrationSpec:
    """Assignment ``name``'s calibration spec; an empty one when it has none."""
    path = spec_path(name, root)
    if not path.is_file():
        return CalibrationSpec(source=str(path))
    return parse_spec(path.read_text(), base=path.parent, source=str(path))


def _toml_str(s: str) -> str:
    if "\n" in s and "'''" not in s and all(c >= " " or c in "\t\n" for c in s):
        return "'''\n" + s + "'''"  # TOML drops the newline that follows the opening quotes
    return (
        '"'
        + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        + '"'
    )


def _toml_value(v) -> str:
    if isinstance(v, tuple | list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, int | float):
        return repr(v)
    return _toml_str(str(v))


def _toml_key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else _toml_str(k)


def to_toml(wrong: list[WrongSubmission], *, header: str = "", rewrites: list[str] = ()) -> str:
    """Write wrong submissions (and rewrite globs) as a spec file's TOML text.

    >>> w = WrongSubmission("typo", (Edit("a = 1\\nb = 2", "a = 2\\nb = 2"),), {"q1": 0.0, "q2": (1.0, 2.0)})
    >>> parse_spec(to_toml([w])).wrong[0] == w
    True
    """
    out = [*(f"# {line}".rstrip() for line in header.splitlines())]
    if rewrites:
        out += ["rewrites = " + _toml_value(list(rewrites))]
    for w in wrong:
        out += [
            "",
            "[[wrong]]",
            f"label = {_toml_str(w.label)}",
            "scores = { "
            + ", ".join(f"{_toml_key(q)} = {_toml_value(v)}" for q, v in w.scores.items())
            + " }",
        ]
        if w.note:
            out.append(f"note = {_toml_str(w.note)}")
        if w.messages:
            out.append(
                "messages = { "
                + ", ".join(f"{_toml_key(q)} = {_toml_str(m)}" for q, m in w.messages.items())
                + " }"
            )
        for e in w.edits:
            out += ["", "[[wrong.edits]]", f"old = {_toml_str(e.old)}", f"new = {_toml_str(e.new)}"]
    return "\n".join(out).lstrip("\n") + "\n"
