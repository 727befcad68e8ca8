"""Export graded globals from a student's notebook and read them back in a clean process.

``teachkit grade`` never runs hidden tests inside the student's Python process. Instead the
notebook's process writes every global that a hidden test names to a folder, as *data only*,
and a separate clean process reads the folder back and runs the tests on it. This module holds
both halves of that round trip:

=================================  ==========================  ================================
value in the notebook              file                        value the test receives
=================================  ==========================  ================================
ArviZ data (DataTree,              ``NAME.tree.json`` +        ``xarray.DataTree``
InferenceData), xarray Dataset     ``NAME.tree.npz``
``pymc.Model``                     ``NAME.json``               ``teachkit.checks.describe_model``
                                                               dict
NumPy array (numeric/bool/str)     ``NAME.npy``                ``numpy.ndarray``
pandas DataFrame / Series          ``NAME.json`` (table)       DataFrame / Series
numbers, strings, None, lists,     ``NAME.json``               the same (tuples become lists,
tuples, dicts (nested arrays ok)                               NumPy scalars Python numbers)
=================================  ==========================  ================================

Nothing is ever unpickled and no binary container format (HDF5, zarr codecs) is parsed: NumPy
files are read with ``allow_pickle=False`` and every other format is JSON, so a hostile notebook
can at worst make its own globals wrong. (ArviZ's own netCDF would also need netCDF4/h5netcdf,
which are not installed.)

Examples
--------
>>> import tempfile, numpy as np
>>> with tempfile.TemporaryDirectory() as d:
...     manifest = export_globals({"q1_x": np.arange(3), "q2_s": {"a": 1.5}}, ["q1_x", "q2_s", "q3"], d)
...     env, problems = load_exports(d)
>>> env["q1_x"].tolist(), env["q2_s"], "q3" in env
([0, 1, 2], {'a': 1.5}, False)
>>> problems["q3"]
'q3 was not defined when the notebook finished'
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
"""Name of the file, written last, that lists what was exported and what could not be."""

MAX_JSON_BYTES = 50_000_000
"""Largest JSON export read back (bytes); larger files are reported, not parsed."""

_NUMPY_KINDS = "biufcUSM"  # bool, int, uint, float, complex, str, bytes, datetime


def _is_arviz_data(value: Any) -> bool:
    cls = type(value)
    names = {c.__name__ for c in cls.__mro__}
    module = cls.__module__ or ""
    return bool(names & {"DataTree", "InferenceData"}) or (
        module.startswith("xarray") and names & {"Dataset", "DataArray"}
    )


def _is_pymc_model(value: Any) -> bool:
    return any(c.__name__ == "Model" and (c.__module__ or "").startswith("pymc") for c in type(value).__mro__)


def _as_tree(value: Any):
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


def _plain_array(values):
    import numpy as np

    arr = np.asarray(values)
    if arr.dtype.kind == "O":  # e.g. nutpie's divergence_message: None or str
        arr = np.array(["" if v is None else str(v) for v in arr.ravel()]).reshape(arr.shape)
    if arr.dtype.kind not in _NUMPY_KINDS:
        raise TypeError(f"variables of dtype {arr.dtype} cannot be exported")
    return arr


def _safe_attrs(attrs: Mapping) -> dict:
    out = {}
    for k, v in attrs.items():
        try:
            out[str(k)] = _to_jsonable(v)
        except TypeError:
            out[str(k)] = str(v)[:1000]
    return out


def _write_tree(value: Any, folder: Path, name: str) -> None:
    """Write ArviZ/xarray data as ``NAME.tree.npz`` (arrays) plus ``NAME.tree.json`` (layout)."""
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
    np.savez(folder / f"{name}.tree.npz", **arrays)
    (folder / f"{name}.tree.json").write_text(json.dumps({"kind": "tree", "nodes": nodes}))


def _read_tree(folder: Path, name: str):
    import numpy as np
    import xarray as xr

    for suffix in (".tree.json", ".tree.npz"):
        if (folder / f"{name}{suffix}").is_symlink():
            raise ValueError(f"{name}{suffix} is a symbolic link, not a file the export wrote")
    layout = json.loads((folder / f"{name}.tree.json").read_text())
    if not isinstance(layout, dict) or layout.get("kind") != "tree":
        raise ValueError(f"{name}.tree.json does not describe a DataTree")
    datasets = {}
    with np.load(folder / f"{name}.tree.npz", allow_pickle=False) as npz:
        for entry in layout["nodes"]:
            coords = {c: (spec["dims"], npz[spec["key"]], spec.get("attrs", {}))
                      for c, spec in entry["coords"].items()}
            data_vars = {v: (spec["dims"], npz[spec["key"]], spec.get("attrs", {}))
                         for v, spec in entry["vars"].items()}
            datasets[str(entry["path"])] = xr.Dataset(data_vars, coords=coords, attrs=entry.get("attrs", {}))
    return xr.DataTree.from_dict(datasets)


def _to_jsonable(value: Any, depth: int = 0) -> Any:
    """Convert plain data (with NumPy pieces) to JSON-ready Python objects, or raise TypeError."""
    import numpy as np

    if depth > 50:
        raise TypeError("it is nested more than 50 levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, np.generic):
        return value
    if isinstance(value, np.generic):
        if value.dtype.kind in "biuf":
            return value.item()
        raise TypeError(f"NumPy scalars of dtype {value.dtype} are not supported")
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufUS":
            raise TypeError(f"arrays of dtype {value.dtype} are not supported")
        return {"__ndarray__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, (list, tuple)):
        return [_to_jsonable(v, depth + 1) for v in value]
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                raise TypeError(f"dict keys must be strings or numbers, not {type(k).__name__}")
            out[str(k) if not isinstance(k, str) else k] = _to_jsonable(v, depth + 1)
        if "__ndarray__" in out:
            raise TypeError("dicts with the key '__ndarray__' are reserved")
        return out
    raise TypeError(f"values of type {type(value).__module__}.{type(value).__qualname__} cannot be exported")


def _from_jsonable(value: Any) -> Any:
    import numpy as np

    if isinstance(value, list):
        return [_from_jsonable(v) for v in value]
    if isinstance(value, dict):
        if "__ndarray__" in value and set(value) == {"__ndarray__", "dtype"}:
            return np.asarray(value["__ndarray__"], dtype=np.dtype(str(value["dtype"])))
        return {k: _from_jsonable(v) for k, v in value.items()}
    return value


def export_value(value: Any, name: str, folder: str | os.PathLike) -> dict:
    """Write one global to ``folder`` and return its manifest entry.

    Parameters
    ----------
    value : object
        The global's value at the end of the notebook.
    name : str
        The global's name; it becomes the file's stem.
    folder : path-like
        Existing folder to write into.

    Returns
    -------
    dict
        ``{"kind": ..., "file": ...}`` on success, ``{"error": sentence}`` when the value cannot
        be exported (the test then receives ``None`` and the feedback shows the sentence).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     export_value(3.5, "q1_x", d)["kind"], export_value(print, "q2_f", d)["error"][:23]
    ('json', 'q2_f could not be saved')
    """
    folder = Path(folder)
    if not name.isidentifier():
        raise ValueError(f"{name!r} is not a Python identifier; only globals can be exported")
    if value is Ellipsis:
        return {"error": f"{name} is still `...`: this question was not answered"}
    try:
        if _is_arviz_data(value):
            path = folder / f"{name}.tree.json"
            _write_tree(value, folder, name)
            return {"kind": "tree", "file": path.name}
        if _is_pymc_model(value):
            from teachkit.checks import describe_model

            desc = _to_jsonable(describe_model(value))
            path = folder / f"{name}.json"
            path.write_text(json.dumps({"kind": "model", "value": desc}))
            return {"kind": "model", "file": path.name}
        module = type(value).__module__ or ""
        if module.startswith("pandas") and type(value).__name__ in ("DataFrame", "Series"):
            path = folder / f"{name}.json"
            kind = "dataframe" if type(value).__name__ == "DataFrame" else "series"
            frame = value if kind == "dataframe" else value.to_frame(
                name="__series__" if value.name is None else value.name)
            path.write_text(json.dumps({"kind": kind, "value": frame.to_json(orient="table")}))
            return {"kind": kind, "file": path.name}
        import numpy as np

        if isinstance(value, np.ndarray):
            if value.dtype.kind not in _NUMPY_KINDS:
                raise TypeError(f"arrays of dtype {value.dtype} (e.g. object arrays) cannot be exported")
            path = folder / f"{name}.npy"
            np.save(path, value, allow_pickle=False)
            return {"kind": "ndarray", "file": path.name}
        data = _to_jsonable(value)
        path = folder / f"{name}.json"
        path.write_text(json.dumps({"kind": "json", "value": data}, allow_nan=True))
        return {"kind": "json", "file": path.name}
    except Exception as exc:  # anything the student's object does wrong is their problem
        return {"error": f"{name} could not be saved for grading: {type(exc).__name__}: {exc}"[:500]}


def export_globals(namespace: Mapping[str, Any], names: Iterable[str], folder: str | os.PathLike) -> dict:
    """Export ``names`` from ``namespace`` into ``folder`` and write the manifest last.

    Parameters
    ----------
    namespace : mapping
        The notebook's globals.
    names : iterable of str
        The globals that the hidden tests take as parameters.
    folder : path-like
        Folder to write into (created if missing).

    Returns
    -------
    dict
        The manifest: ``{name: entry}`` as returned by :func:`export_value`, with
        ``{"missing": True}`` for names that were not defined.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     export_globals({"a": 1}, ["a", "b"], d)
    {'a': {'kind': 'json', 'file': 'a.json'}, 'b': {'missing': True}}
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict] = {}
    for name in sorted(set(names)):
        if name in namespace:
            manifest[name] = export_value(namespace[name], name, folder)
        else:
            manifest[name] = {"missing": True}
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest))
    tmp.replace(folder / MANIFEST)
    return manifest


def _load_one(folder: Path, name: str, entry: Mapping) -> Any:
    file = entry.get("file")
    if not isinstance(file, str) or Path(file).name != file or not file.startswith(name + "."):
        raise ValueError(f"the manifest names an unexpected file {file!r}")
    path = folder / file
    if path.is_symlink() or not path.is_file():
        raise ValueError(f"{file} is missing or is not a regular file")
    kind = entry.get("kind")
    if kind == "tree":
        return _read_tree(folder, name)
    if kind == "ndarray":
        import numpy as np

        return np.load(path, allow_pickle=False)
    if kind in ("json", "model", "dataframe", "series"):
        if path.stat().st_size > MAX_JSON_BYTES:
            raise ValueError(f"{file} is larger than {MAX_JSON_BYTES} bytes")
        payload = json.loads(path.read_text())
        if not isinstance(payload, dict) or payload.get("kind") != kind:
            raise ValueError(f"{file} does not hold a {kind} export")
        if kind in ("dataframe", "series"):
            import io

            import pandas as pd

            frame = pd.read_json(io.StringIO(payload["value"]), orient="table")
            if kind == "dataframe":
                return frame
            series = frame.iloc[:, 0]
            return series.rename(None) if series.name == "__series__" else series
        return _from_jsonable(payload["value"])
    raise ValueError(f"unknown export kind {kind!r}")


def load_exports(folder: str | os.PathLike) -> tuple[dict[str, Any], dict[str, str]]:
    """Read back what :func:`export_globals` wrote.

    Parameters
    ----------
    folder : path-like
        The export folder.

    Returns
    -------
    env : dict
        ``{name: value}`` for every global that was exported and could be read.
    problems : dict
        ``{name: sentence}`` for every global that was missing, could not be exported or could
        not be read; tests then receive ``None`` for it.

    Raises
    ------
    ValueError
        If the folder has no manifest (the notebook's process did not finish its export).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     load_exports(d)
    Traceback (most recent call last):
    ...
    ValueError: no export manifest found: the notebook did not finish running, so nothing it computed can be graded
    """
    folder = Path(folder)
    mpath = folder / MANIFEST
    if not mpath.is_file():
        raise ValueError(
            "no export manifest found: the notebook did not finish running, so nothing it "
            "computed can be graded"
        )
    manifest = json.loads(mpath.read_text())
    if not isinstance(manifest, dict):
        raise ValueError("the export manifest is not a JSON object; the export step was tampered with")
    env: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, entry in manifest.items():
        if not isinstance(name, str) or not name.isidentifier() or not isinstance(entry, dict):
            continue
        if entry.get("missing"):
            problems[name] = f"{name} was not defined when the notebook finished"
        elif "error" in entry:
            problems[name] = str(entry["error"])[:500]
        else:
            try:
                env[name] = _load_one(folder, name, entry)
            except Exception as exc:
                problems[name] = f"{name} could not be read back: {type(exc).__name__}: {exc}"[:500]
    return env, problems

