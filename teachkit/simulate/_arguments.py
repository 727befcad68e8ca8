"""Argument checking shared by the generators: every problem is a ValueError with a sentence."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

__all__: list[str] = []  # private helpers of teachkit.simulate


def _number(name: str, value, *, what: str = "a finite number") -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {what}; got {value!r} of type {type(value).__name__}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be {what}; got {value!r}.")
    return value


def _sd(name: str, value) -> float:
    what = "a standard deviation: a finite number >= 0"
    value = _number(name, value, what=what)
    if value < 0:
        raise ValueError(f"{name} must be {what}; got {value!r}.")
    return value


def _positive(name: str, value, what: str) -> float:
    what = f"{what}: a finite number > 0"
    value = _number(name, value, what=what)
    if value <= 0:
        raise ValueError(f"{name} must be {what}; got {value!r}.")
    return value


def _rho(name: str, value) -> float:
    what = "a correlation strictly between -1 and 1"
    value = _number(name, value, what=what)
    if not -1 < value < 1:
        raise ValueError(
            f"{name} must lie strictly between -1 and 1 (a correlation); got {value!r}. "
            "At +-1 the intercepts and slopes would lie on a line and the covariance matrix "
            "would not be positive definite."
        )
    return value


def _count(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"{name} must be a whole number >= {minimum}; got {value!r} of type "
            f"{type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}; got {value!r}.")
    return int(value)


def _choice(name: str, value, options: Sequence[str]) -> str:
    if value not in options:
        allowed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}.")
    return value


def _flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def _rng(seed) -> np.random.Generator:
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return np.random.default_rng(int(seed))
    raise ValueError(
        "seed must be None, a non-negative int or a numpy.random.Generator; "
        f"got {seed!r} of type {type(seed).__name__}."
    )


def _seed_param(seed):
    """How ``seed`` is recorded in ``params`` (JSON-serialisable)."""
    if seed is None:
        return None
    if isinstance(seed, np.random.Generator):
        return "numpy.random.Generator (not replayable)"
    return int(seed)


def _group_sizes(n_per_group, n_groups) -> np.ndarray:
    if (
        isinstance(n_per_group, (numbers.Integral, bool))
        or not isinstance(n_per_group, (Sequence, np.ndarray))
        or isinstance(n_per_group, str)
    ):
        n = _count("n_per_group", n_per_group)
        groups = 20 if n_groups is None else _count("n_groups", n_groups)
        return np.full(groups, n, dtype=int)
    sizes = list(n_per_group)
    if not sizes:
        raise ValueError(
            "n_per_group is empty; give one whole number >= 1 per group, or a single number "
            "for equal group sizes."
        )
    for j, size in enumerate(sizes):
        _count(f"n_per_group[{j}] (the size of group {j + 1})", size)
    if n_groups is not None and _count("n_groups", n_groups) != len(sizes):
        raise ValueError(
            f"n_per_group gives {len(sizes)} group sizes but n_groups is {n_groups}; give one "
            "size per group (or leave n_groups out)."
        )
    return np.asarray(sizes, dtype=int)


def _labels(group_labels, n_groups: int) -> list[str]:
    if group_labels is None:
        width = len(str(n_groups))
        return [f"g{j:0{width}d}" for j in range(1, n_groups + 1)]
    if isinstance(group_labels, str) or not isinstance(group_labels, (Sequence, np.ndarray)):
        raise ValueError(
            f"group_labels must be a sequence of {n_groups} distinct strings; got {group_labels!r}."
        )
    labels = list(group_labels)
    if len(labels) != n_groups or not all(isinstance(g, str) and g for g in labels):
        raise ValueError(
            f"group_labels must be a sequence of {n_groups} non-empty strings (one per group); "
            f"got {len(labels)} labels: {labels[:5]!r}{' ...' if len(labels) > 5 else ''}."
        )
    if len(set(labels)) != n_groups:
        dup = sorted({g for g in labels if labels.count(g) > 1})
        raise ValueError(f"group_labels must be distinct; repeated: {dup!r}.")
    return labels
