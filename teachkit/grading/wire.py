"""The wire between a notebook's process and the examiner: framing and a data-only codec.

The examiner (which holds the tests) and the notebook's process (which holds the student's
objects) talk over one socket. Every message is a *frame*: a JSON header and any number of raw
binary blobs (array data, bytes), each length-prefixed::

    [4 bytes: header length][4 bytes: blob count][header JSON][8 bytes: length][blob] ...

Values cross the wire as tagged JSON built only from plain data: ``None``, ``bool``, ``int``,
``float`` (``nan``/``inf`` tagged), ``str``, ``bytes``, ``complex``, ``tuple``, ``list``,
``dict`` (any data keys, insertion order kept), ``set``, ``frozenset``, ``range``, ``slice``,
``...``, NumPy arrays and scalars of numeric, boolean, string or date dtypes (raw bytes, never
pickles), pandas ``DataFrame``/``Series`` (pandas' JSON "table" format), ArviZ/xarray data
(arrays as an ``.npz`` blob read with ``allow_pickle=False``), module names. Anything else is
sent as a **handle**: an id in the sending side's table, its type's name and the special
methods it supports, which the examiner wraps in a proxy (:mod:`teachkit.grading.examination`).
Decoding never unpickles, imports or evaluates anything: a hostile process can at worst send
wrong data about its own objects.

Examples
--------
>>> enc = Encoder()
>>> tree = enc.encode({"a": (1, 2.5), "b": [None, "x"], "c": {3}})
>>> decode(tree, enc.blobs)
{'a': (1, 2.5), 'b': [None, 'x'], 'c': {3}}
>>> import numpy as np
>>> enc = Encoder()
>>> x = decode(enc.encode(np.arange(3, dtype=np.int16)), enc.blobs)
>>> x.dtype, x.tolist()
(dtype('int16'), [0, 1, 2])
"""

from __future__ import annotations

import io
import json
import math
import socket
import struct
from collections.abc import Callable
from typing import Any

MAX_HEADER = 64 * 2**20
"""Largest JSON header of a frame (bytes)."""
MAX_BLOBS = 1024 * 2**20
"""Largest total size of a frame's blobs (bytes)."""
MAX_DEPTH = 60
"""Deepest nesting of containers that is encoded as data (deeper: a handle)."""
MAX_ITEMS = 2_000_000
"""Most container items encoded as data in one value."""

_ARRAY_KINDS = "biufcmMSU"


class WireError(Exception):
    """A frame or value that breaks the protocol (the peer is misbehaving or gone)."""


# --- framing -------------------------------------------------------------------------------------

def send_frame(sock: socket.socket, header: dict, blobs: list[bytes] = ()) -> None:
    """Send one frame."""
    data = json.dumps(header, allow_nan=False, separators=(",", ":")).encode()
    parts = [struct.pack(">II", len(data), len(blobs)), data]
    for b in blobs:
        parts.append(struct.pack(">Q", len(b)))
        parts.append(bytes(b) if not isinstance(b, bytes) else b)
    sock.sendall(b"".join(parts))


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 4 * 2**20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        buf.extend(chunk)
    return bytes(buf)


def recv_frame(sock: socket.socket) -> tuple[dict, list[bytes]]:
    """Receive one frame; raise :class:`WireError` on a malformed one, EOFError at the end."""
    n, count = struct.unpack(">II", _recv_exact(sock, 8))
    if n > MAX_HEADER:
        raise WireError(f"a frame header of {n} bytes is larger than allowed")
    if count > 100_000:
        raise WireError(f"a frame with {count} blobs")
    try:
        header = json.loads(_recv_exact(sock, n))
    except ValueError as exc:
        raise WireError(f"a frame header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise WireError("a frame header is not a JSON object")
    blobs, total = [], 0
    for _ in range(count):
        (size,) = struct.unpack(">Q", _recv_exact(sock, 8))
        total += size
        if total > MAX_BLOBS:
            raise WireError("a frame's data is larger than allowed")
        blobs.append(_recv_exact(sock, size))
    return header, blobs


# --- encoding ------------------------------------------------------------------------------------

def type_info(t: type) -> dict:
    """Name of a type as the wire carries it."""
    return {"module": str(getattr(t, "__module__", "") or "")[:200],
            "qualname": str(getattr(t, "__qualname__", getattr(t, "__name__", "?")))[:200],
            "name": str(getattr(t, "__name__", "?"))[:200]}


def _is_arviz_data(value: Any) -> bool:
    names = {c.__name__ for c in type(value).__mro__}
    module = type(value).__module__ or ""
    return bool(names & {"DataTree", "InferenceData"}) and (module.startswith(("xarray", "arviz", "datatree"))) or (
        module.startswith("xarray") and bool(names & {"Dataset", "DataArray"}))


class Encoder:
    """Encode values into tagged JSON plus blobs (:attr:`blobs`).

    Parameters
    ----------
    handle : callable, optional
        ``handle(value) -> dict`` for values that are not data (the notebook's side registers
        them in its handle table). Without it such values raise :class:`TypeError`.
    ref : callable, optional
        ``ref(value) -> int | None``: the handle id of a proxy (the examiner's side sends a
        proxy back as a reference to the original object).
    modules : bool
        Send modules by name (the receiver imports its own copy).
    module_handle : bool
        Send a handle with a module's name too (the receiver falls back to it when it cannot
        import the module, e.g. a student's own ``.py`` file).
    """

    def __init__(self, handle: Callable[[Any], dict] | None = None, ref: Callable[[Any], int | None] | None = None,
                 modules: bool = True, module_handle: bool = False):
        self.blobs: list[bytes] = []
        self._handle = handle
        self._ref = ref
        self._modules = modules
        self._module_handle = module_handle and handle is not None
        self._items = 0

    def _blob(self, data: bytes) -> int:
        self.blobs.append(data)
        return len(self.blobs) - 1

    def encode(self, value: Any, depth: int = 0) -> Any:
        """The wire form of ``value``."""
        if self._ref is not None:
            rid = self._ref(value)
            if rid is not None:
                return {"$": "ref", "id": rid}
        t = type(value)
        if value is None or t is bool or t is str:
            return value
        if t is int:
            return value if abs(value) < 2**53 else {"$": "int", "v": str(value)}
        if t is float:
            return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
        if depth > MAX_DEPTH or self._items > MAX_ITEMS:
            return self._other(value)
        if t in (list, tuple, set, frozenset):
            self._items += len(value)
            items = [self.encode(v, depth + 1) for v in value]
            return items if t is list else {"$": t.__name__, "v": items}
        if t is dict:
            self._items += len(value)
            return {"$": "dict", "v": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()]}
        if t is complex:
            return {"$": "complex", "re": self.encode(value.real), "im": self.encode(value.imag)}
        if t in (bytes, bytearray):
            return {"$": t.__name__, "b": self._blob(bytes(value))}
        if value is Ellipsis:
            return {"$": "ellipsis"}
        if t is range:
            return {"$": "range", "v": [value.start, value.stop, value.step]}
        if t is slice:
            return {"$": "slice", "v": [self.encode(value.start, depth + 1), self.encode(value.stop, depth + 1),
                                        self.encode(value.step, depth + 1)]}
        module = t.__module__ or ""
        if module == "numpy" or module.startswith("numpy."):
            out = self._numpy(value)
            if out is not None:
                return out
        if module.startswith("pandas") and t.__name__ in ("DataFrame", "Series"):
            out = self._pandas(value)
            if out is not None:
                return out
        if _is_arviz_data(value):
            out = self._tree(value)
            if out is not None:
                return out
        if self._modules and isinstance(value, type(math)):
            out = {"$": "module", "name": str(getattr(value, "__name__", ""))[:200]}
            if self._module_handle:
                out["h"] = self._handle(value)
            return out
        return self._other(value)

    def _other(self, value):
        if self._handle is None:
            raise TypeError(f"values of type {type(value).__module__}.{type(value).__qualname__} cannot "
                            "be sent as data")
        return self._handle(value)

    def _numpy(self, value):
        import numpy as np

        if type(value) is np.ndarray:
            dt = value.dtype
            if dt.kind not in _ARRAY_KINDS or dt.fields is not None or dt.subdtype is not None:
                return None
            arr = np.ascontiguousarray(value)
            self._items += 1
            return {"$": "nd", "dtype": dt.str, "shape": list(arr.shape), "b": self._blob(arr.tobytes())}
        if isinstance(value, np.generic) and type(value).__module__ == "numpy":
            dt = value.dtype
            if dt.kind not in _ARRAY_KINDS or dt.fields is not None:
                return None
            return {"$": "npscalar", "dtype": dt.str, "b": self._blob(np.asarray(value).tobytes())}
        if isinstance(value, np.dtype) and value.fields is None:
            return {"$": "npdtype", "v": value.str}
        return None

    def _pandas(self, value):
        try:
            if type(value).__name__ == "Series":
                frame = value.to_frame(name="__series__" if value.name is None else value.name)
                return {"$": "series", "v": frame.to_json(orient="table")}
            return {"$": "frame", "v": value.to_json(orient="table")}
        except Exception:
            return None

    def _tree(self, value):
        try:
            layout, npz = tree_to_bytes(value)
        except Exception:
            return None
        return {"$": "tree", "layout": layout, "b": self._blob(npz)}


# --- decoding ------------------------------------------------------------------------------------

def _plain_array(values):
    import numpy as np

    arr = np.asarray(values)
    if arr.dtype.kind == "O":  # e.g. nutpie's divergence_message: None or str
        arr = np.array(["" if v is None else str(v) for v in arr.ravel()]).reshape(arr.shape)
    if arr.dtype.kind not in _ARRAY_KINDS:
        raise TypeError(f"variables of dtype {arr.dtype} cannot be exported")
    return arr


def _safe_attrs(attrs) -> dict:
    out = {}
    for k, v in attrs.items():
        try:
            json.dumps(v)
            out[str(k)] = v
        except (TypeError, ValueError):
            out[str(k)] = str(v)[:1000]
    return out


def _as_tree(value):
    import xarray as xr

    if isinstance(value, xr.DataTree):
        return value
    if isinstance(value, xr.Dataset):
        return xr.DataTree(dataset=value)
    if isinstance(value, xr.DataArray):
        return xr.DataTree(dataset=value.to_dataset(name=value.name or "value"))
    if hasattr(value, "groups"):  # legacy InferenceData
        return xr.DataTree.from_dict({g: getattr(value, g) for g in value.groups()})
    raise TypeError(f"cannot convert {type(value).__name__} to a DataTree")


def tree_to_bytes(value) -> tuple[dict, bytes]:
    """ArviZ/xarray data as ``(layout, npz bytes)``: every array in one ``.npz``, no pickles."""
    import numpy as np

    tree = _as_tree(value)
    arrays: dict[str, Any] = {}
    nodes = []
    for node in tree.subtree:
        ds = node.to_dataset(inherit=False)
        entry = {"path": node.path, "attrs": _safe_attrs(ds.attrs), "vars": {}, "coords": {}}
        for kind, items in (("coords", ds.coords.items()), ("vars", ds.data_vars.items())):
            for vname, da in items:
                key = f"a{len(arrays)}"
                arrays[key] = _plain_array(da.values)
                entry[kind][str(vname)] = {"key": key, "dims": [str(d) for d in da.dims],
                                          "attrs": _safe_attrs(da.attrs)}
        nodes.append(entry)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return {"kind": "tree", "nodes": nodes}, buf.getvalue()


def tree_from_bytes(layout: dict, data: bytes):
    """Inverse of :func:`tree_to_bytes` (``allow_pickle=False``)."""
    import numpy as np
    import xarray as xr

    if not isinstance(layout, dict) or layout.get("kind") != "tree" or not isinstance(layout.get("nodes"), list):
        raise WireError("a tree without a layout")
    datasets = {}
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        for entry in layout["nodes"]:
            coords = {str(c): (list(map(str, spec["dims"])), npz[str(spec["key"])], spec.get("attrs", {}))
                      for c, spec in entry["coords"].items()}
            data_vars = {str(v): (list(map(str, spec["dims"])), npz[str(spec["key"])], spec.get("attrs", {}))
                         for v, spec in entry["vars"].items()}
            datasets[str(entry["path"])] = xr.Dataset(data_vars, coords=coords, attrs=entry.get("attrs", {}))
    return xr.DataTree.from_dict(datasets)


def _dtype(text):
    import numpy as np

    if not isinstance(text, str) or len(text) > 20:
        raise WireError("a bad dtype")
    dt = np.dtype(text)
    if dt.kind not in _ARRAY_KINDS or dt.fields is not None or dt.subdtype is not None:
        raise WireError(f"dtype {dt} is not allowed on the wire")
    return dt


def decode(tree: Any, blobs: list[bytes], *, handle: Callable[[dict], Any] | None = None,
           ref: Callable[[int], Any] | None = None, module: Callable[[str], Any] | None = None,
           depth: int = 0) -> Any:
    """The value that :meth:`Encoder.encode` encoded.

    ``handle(info)`` builds the receiver's object for a handle (a proxy), ``ref(id)`` looks up
    the receiver's own object for a reference, ``module(name)`` imports a module by name;
    without them, those tags raise :class:`WireError`.
    """
    if depth > MAX_DEPTH + 5:
        raise WireError("a value nested too deeply")
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if isinstance(tree, list):
        return [decode(v, blobs, handle=handle, ref=ref, module=module, depth=depth + 1) for v in tree]
    if not isinstance(tree, dict) or not isinstance(tree.get("$"), str):
        raise WireError("a value that is not tagged data")
    tag = tree["$"]

    def sub(v):
        return decode(v, blobs, handle=handle, ref=ref, module=module, depth=depth + 1)

    def blob():
        i = tree.get("b")
        if not isinstance(i, int) or not 0 <= i < len(blobs):
            raise WireError("a value refers to a missing blob")
        return blobs[i]

    if tag in ("tuple", "set", "frozenset"):
        items = [sub(v) for v in _list(tree.get("v"))]
        return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict":
        out = {}
        for pair in _list(tree.get("v")):
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("a dict item that is not a pair")
            out[sub(pair[0])] = sub(pair[1])
        return out
    if tag == "int":
        return int(str(tree.get("v"))[:10_000])
    if tag == "float":
        v = tree.get("v")
        if v not in ("nan", "inf", "-inf"):
            raise WireError("a bad float")
        return float(v)
    if tag == "complex":
        return complex(sub(tree.get("re")), sub(tree.get("im")))
    if tag == "bytes":
        return blob()
    if tag == "bytearray":
        return bytearray(blob())
    if tag == "ellipsis":
        return Ellipsis
    if tag == "range":
        a, b, c = (int(x) for x in _list(tree.get("v"))[:3])
        return range(a, b, c)
    if tag == "slice":
        return slice(*[sub(v) for v in _list(tree.get("v"))[:3]])
    if tag == "nd":
        import numpy as np

        dt = _dtype(tree.get("dtype"))
        shape = tuple(int(s) for s in _list(tree.get("shape")))
        if any(s < 0 for s in shape):
            raise WireError("a negative array dimension")
        data = blob()
        if len(data) != dt.itemsize * math.prod(shape):
            raise WireError("an array whose data does not match its shape")
        return np.frombuffer(data, dtype=dt).reshape(shape).copy()
    if tag == "npscalar":
        import numpy as np

        dt = _dtype(tree.get("dtype"))
        data = blob()
        if len(data) != dt.itemsize:
            raise WireError("a NumPy scalar of the wrong size")
        return np.frombuffer(data, dtype=dt)[0]
    if tag == "npdtype":
        return _dtype(tree.get("v"))
    if tag in ("frame", "series"):
        import pandas as pd

        text = tree.get("v")
        if not isinstance(text, str):
            raise WireError("a table that is not JSON")
        frame = pd.read_json(io.StringIO(text), orient="table")
        if tag == "frame":
            return frame
        series = frame.iloc[:, 0]
        return series.rename(None) if series.name == "__series__" else series
    if tag == "tree":
        return tree_from_bytes(tree.get("layout"), blob())
    if tag == "module":
        if module is None:
            raise WireError("a module where none is expected")
        got = module(str(tree.get("name")))
        if got is None and isinstance(tree.get("h"), dict) and handle is not None:
            return handle(tree["h"])
        if got is None:
            raise WireError(f"module {tree.get('name')!r} cannot be imported here")
        return got
    if tag == "h":
        if handle is None:
            raise WireError("a handle where none is expected")
        return handle(tree)
    if tag == "ref":
        if ref is None:
            raise WireError("a reference where none is expected")
        return ref(int(tree.get("id")))
    raise WireError(f"unknown tag {tag!r}")


def _list(v) -> list:
    if not isinstance(v, list):
        raise WireError("a value where a list is expected")
    return v
