"""teachkit.grading.wire: the data-only codec between the notebook and the examiner."""

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from teachkit.grading import wire


def _roundtrip(value):
    enc = wire.Encoder()
    tree = enc.encode(value)
    json.dumps(tree)  # the header is plain JSON
    return wire.decode(tree, enc.blobs)


def test_wire_round_trip_of_every_data_kind():
    df = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}, index=["r1", "r2"])
    tree = xr.DataTree.from_dict({
        "posterior": xr.Dataset({"mu": (("chain", "draw"), np.arange(6.0).reshape(2, 3))},
                                coords={"chain": [0, 1], "draw": [0, 1, 2]}),
    })
    ns = {"q1_a": np.array([[1, 2], [3, 4]]), "q1_f": np.float64(2.5), "q2_d": {"k": [1, (2, 3)], "z": None, 4: {5}},
          "q3_df": df, "q4_s": df["a"], "q5_t": tree, "q6_str": "station 3", "q7": (b"\x00\x01", 1 + 2j, ...),
          "q8": [float("nan"), float("inf"), 2**70, range(1, 5, 2), slice(1, None)], "q9": np.bool_(True)}
    env = _roundtrip(ns)
    np.testing.assert_array_equal(env["q1_a"], ns["q1_a"])
    assert env["q1_a"].dtype == ns["q1_a"].dtype and env["q1_a"].flags.writeable
    assert env["q1_f"] == 2.5 and type(env["q1_f"]) is np.float64  # the type survives (doctests print it)
    assert env["q2_d"] == {"k": [1, (2, 3)], "z": None, 4: {5}}
    pd.testing.assert_frame_equal(env["q3_df"], df)
    pd.testing.assert_series_equal(env["q4_s"], df["a"])
    xr.testing.assert_identical(env["q5_t"]["posterior"].to_dataset(), tree["posterior"].to_dataset())
    assert env["q6_str"] == "station 3" and env["q7"] == (b"\x00\x01", 1 + 2j, ...)
    assert np.isnan(env["q8"][0]) and env["q8"][1:] == [float("inf"), 2**70, range(1, 5, 2), slice(1, None)]
    assert repr(env["q9"]) == "np.True_"


def test_wire_sends_non_data_as_handles_and_refuses_them_without_a_table():
    with pytest.raises(TypeError, match="cannot be sent as data"):
        wire.Encoder().encode(lambda: 1)
    with pytest.raises(TypeError, match="cannot be sent as data"):
        wire.Encoder().encode(np.array([object()]))  # object arrays would need pickles
    from teachkit.grading.answers import Handles

    h = Handles()
    tree = wire.Encoder(handle=h.add).encode({"f": print, "g": [len]})
    assert tree["v"][0][1]["$"] == "h" and "__call__" in tree["v"][0][1]["dunders"]
    with pytest.raises(wire.WireError, match="handle where none"):
        wire.decode(tree, [])


def test_wire_never_unpickles_and_refuses_malformed_data():
    import io

    pickled = io.BytesIO()
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    for bad in ({"$": "nd", "dtype": "|O", "shape": [1], "b": 0},          # object dtype
                {"$": "nd", "dtype": "<f8", "shape": [3], "b": 0},          # size does not match
                {"$": "nd", "dtype": "<f8", "shape": [1], "b": 7},          # no such blob
                {"$": "pickle", "v": "gASVAA=="},                            # unknown tag
                {"x": 1}):                                                   # untagged object
        with pytest.raises(wire.WireError):
            wire.decode(bad, [pickled.getvalue()])
    layout = {"kind": "tree", "nodes": [{"path": "/", "attrs": {}, "coords": {},
                                         "vars": {"mu": {"key": "a0", "dims": ["x"]}}}]}
    npz = io.BytesIO()
    np.savez(npz, a0=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        wire.decode({"$": "tree", "layout": layout, "b": 0}, [npz.getvalue()])


def test_wire_frames_refuse_oversized_headers():
    import socket
    import struct

    a, b = socket.socketpair()
    with a, b:
        a.sendall(struct.pack(">II", wire.MAX_HEADER + 1, 0))
        with pytest.raises(wire.WireError, match="larger than allowed"):
            wire.recv_frame(b)
        wire.send_frame(a, {"op": "x"}, [b"blob"])
        assert wire.recv_frame(b) == ({"op": "x"}, [b"blob"])
