"""Reuse of compiled nutpie models within one process: the second fit of a structure is fast.

PyTensor's persistent cache (:func:`teachkit.fit.cache_dir`) makes a new process's compile
a few seconds instead of a minute, but about 10 s of every ``nutpie.compile_pymc_model`` call is
nutpie's own Numba C wrapper, which Numba refuses to cache on disk ("uses dynamic globals").
A lecture that refits the same model on new data, the calibration benchmark, ``teachkit demo``
and a grader refitting reference models all pay that again and again.

:func:`compiled_for` removes it: the model's graph is rewritten so that every data array (each
observed array and every non-scalar float constant, e.g. sufficient statistics) becomes a named shared
variable; a fingerprint of what is left -- the graph's structure, its scalar constants (prior
scales), the shared variables' names and types, the coordinates -- identifies the compiled code.
A second model with the same fingerprint reuses the compiled model with its own data swapped in
(``CompiledModel.with_data``). Different prior scales, dims, coordinate labels or structure give
a different fingerprint and a fresh compile, so reuse can never mix two models up.

The cache holds the last :data:`MAX_ENTRIES` structures of this process and nothing on disk.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

__all__ = ["MAX_ENTRIES", "clear", "compiled_for", "stats"]

#: Compiled structures kept per process (least recently used dropped first).
MAX_ENTRIES = 16

_CACHE: OrderedDict[str, object] = OrderedDict()
_LOCK = threading.Lock()
_STATS = {"hits": 0, "misses": 0}
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_DATA_PREFIX = "_teachkit_data_"


def clear() -> None:
    """Forget every compiled model (the next fit of each structure compiles again).

    Examples
    --------
    >>> clear(); stats()
    {'hits': 0, 'misses': 0, 'entries': 0}
    """
    with _LOCK:
        _CACHE.clear()
        _STATS.update(hits=0, misses=0)


def stats() -> dict[str, int]:
    """Hits, misses and entries of this process's cache (for tests and benchmarks)."""
    with _LOCK:
        return {**_STATS, "entries": len(_CACHE)}


def _with_data_as_shared(model):
    """A copy of ``model`` with its data arrays as named shared variables.

    Observed arrays become ``<rv>_observed``; other float constants with more than one element
    become ``_teachkit_data_<k>`` in the graph's topological order (deterministic for one
    structure). :func:`_data_of` then reads every data array off the copy by name.
    """
    import pytensor
    from pymc.model.fgraph import ModelObservedRV, fgraph_from_model, model_from_fgraph
    from pytensor.graph.basic import Constant
    from pytensor.tensor.type import TensorType

    fg, _ = fgraph_from_model(model)
    for node in list(fg.toposort()):
        if isinstance(node.op, ModelObservedRV):
            rv, data = node.inputs[0], node.inputs[1]
            if isinstance(data, Constant):
                shared = pytensor.shared(np.asarray(data.data), name=f"{rv.name}_observed")
                fg.replace(data, shared, import_missing=True)
    k = 0
    for node in list(fg.toposort()):
        for inp in node.inputs:
            if (
                isinstance(inp, Constant)
                and isinstance(inp.type, TensorType)
                and inp.type.ndim >= 1
                and inp.type.dtype.startswith("float")  # data; integer arrays may be shapes
                and np.size(inp.data) > 1
                and inp in fg.variables
            ):
                shared = pytensor.shared(
                    np.asarray(inp.data), name=f"{_DATA_PREFIX}{k}", shape=inp.type.shape
                )
                fg.replace(inp, shared, import_missing=True)
                k += 1
    return model_from_fgraph(fg, mutate_fgraph=True)


def _data_of(model) -> dict[str, np.ndarray]:
    from pytensor.compile.sharedvalue import SharedVariable
    from pytensor.graph.traversal import ancestors
    from pytensor.tensor.type import TensorType

    out = {}
    roots = [*model.named_vars.values(), *model.rvs_to_values.values()]  # values: observed data
    for var in ancestors(roots):
        if isinstance(var, SharedVariable) and isinstance(var.type, TensorType) and var.name:
            out[var.name] = var.get_value()
    return out


def _fingerprint(model) -> str | None:
    """A digest of everything but the data, or ``None`` if the model cannot be keyed safely."""
    import pytensor
    from pymc.model.fgraph import fgraph_from_model
    from pytensor.compile.sharedvalue import SharedVariable
    from pytensor.graph.basic import Constant
    from pytensor.tensor.type import TensorType

    fg, _ = fgraph_from_model(model)
    h = hashlib.sha256()
    text = pytensor.printing.debugprint(fg.outputs, file="str", print_type=True)
    h.update(_ADDRESS.sub("", text).encode())
    names = []
    seen: dict[str, int] = {}  # name -> id of the shared variable that has it
    for node in fg.toposort():
        for inp in node.inputs:
            if isinstance(inp, Constant) and isinstance(inp.type, TensorType):
                arr = np.asarray(inp.data)
                h.update(repr((arr.dtype.str, arr.shape)).encode() + arr.tobytes())
            elif isinstance(inp, SharedVariable) and isinstance(inp.type, TensorType):
                if not inp.name or seen.setdefault(inp.name, id(inp)) != id(inp):
                    return None  # unnamed data, or two variables with one name: not swappable
                names.append((inp.name, str(inp.type)))
    h.update(repr(sorted(set(names))).encode())
    for rv in model.free_RVs:  # transforms print as addresses: key their type and settings
        tr = model.rvs_to_transforms.get(rv)
        settings = _ADDRESS.sub("", repr(sorted(vars(tr).items()))) if tr is not None else ""
        h.update(f"{rv.name}:{type(tr).__name__}:{settings}".encode())
    h.update(_ADDRESS.sub("", repr(sorted(model.rvs_to_initial_values.items(), key=str))).encode())
    h.update(repr({k: list(map(str, v)) for k, v in model.coords.items()}).encode())
    h.update(repr(sorted(model.named_vars_to_dims.items())).encode())
    return h.hexdigest()


def compiled_for(model: Any) -> tuple[Any, bool]:
    """A nutpie compiled model of ``model``, reusing this process's compile of its structure.

    Parameters
    ----------
    model : pymc.Model

    Returns
    -------
    compiled : nutpie.CompiledModel
        Ready for ``nutpie.sample``; carries ``model``'s data.
    hit : bool
        Whether the compile was reused.
    """
    import nutpie

    shared_model = _with_data_as_shared(model)
    key = _fingerprint(shared_model)
    data = _data_of(shared_model)
    with _LOCK:
        cached = _CACHE.get(key) if key is not None else None
        if cached is not None:
            _CACHE.move_to_end(key)
            _STATS["hits"] += 1
    if cached is not None:
        names = {var.name for var in cached.shared_var_keys}
        return cached.with_data(**{n: v for n, v in data.items() if n in names}), True
    compiled = nutpie.compile_pymc_model(shared_model)
    with _LOCK:
        _STATS["misses"] += 1
        if key is not None:
            _CACHE[key] = compiled
            while len(_CACHE) > MAX_ENTRIES:
                _CACHE.popitem(last=False)
    return compiled, False
