"""The integrity report: the code-cell hash, the flags and their thresholds, fingerprints of
ArviZ data computed in the examiner (from copied arrays, no MCMC here)."""

from __future__ import annotations

import csv
from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr

from teachkit.grading.examination import run_offline
from teachkit.grading.integrity import (
    FIELDS,
    array_fingerprint,
    cell_hash,
    code_cell_hashes,
    integrity_flags,
    normalise_code,
    value_fingerprint,
    write_integrity_csv,
)
from teachkit.grading.roster import DeclaredId, Roster, Student

ANSWERS = [
    "sigma = np.diag(sds) @ R @ np.diag(sds)\nL = np.linalg.cholesky(sigma)",
    "samples = rng.multivariate_normal(mean=np.zeros(2), cov=sigma, size=5000)",
    "sample_cov = np.cov(samples, rowvar=False)\nprint(sample_cov.round(2))",
    "det = 1 - r12**2 - r13**2 - r23**2 + 2 * r12 * r13 * r23\nvalid = det > 0",
]


def _nb(*sources):
    return {
        "cells": [{"cell_type": "code", "source": s, "outputs": [{"text": "out"}]} for s in sources]
    }


def _result(rid, cells=(), fingerprints=None, status="ok"):
    return SimpleNamespace(
        id=rid, status=status, code_cells=list(cells), fingerprints=fingerprints or {}
    )


def test_normalisation_ignores_comments_whitespace_and_outputs():
    a = "x = np.diag(sds) @ R   # scale\n\n\ny = [1,\n     2]\n"
    b = "# my answer\nx=np.diag( sds )@R\ny = [1, 2]"
    assert normalise_code(a) == normalise_code(b) == "x=np.diag(sds)@R y=[1,2]"
    assert cell_hash(a) == cell_hash(b)
    assert cell_hash("x = 1") != cell_hash("x = 2")
    assert cell_hash("import numpy as np") != cell_hash("importnumpyasnp")  # names stay apart
    assert normalise_code("%matplotlib inline\nx = 1  # c") == "%matplotlib inline x=1"
    # outputs never enter: the same sources with other outputs hash the same
    nb1, nb2 = _nb(*ANSWERS), _nb(*ANSWERS)
    nb2["cells"][0]["outputs"] = [{"text": "something else"}]
    assert code_cell_hashes(nb1) == code_cell_hashes(nb2) and len(code_cell_hashes(nb1)) == 4
    assert code_cell_hashes(_nb("x = 1", "import numpy as np")) == []  # trivially short


def test_copies_are_flagged_and_template_cells_and_class_idioms_are_not():
    template = code_cell_hashes(
        _nb("import numpy as np\nrng = np.random.default_rng(SEED)"), min_chars=0
    )
    own = [
        code_cell_hashes(
            _nb(*[a + f"\n# {i}" + f"\nextra_{i} = {i} * sigma.sum() + L.trace()" for a in ANSWERS])
        )
        for i in range(4)
    ]
    copied = code_cell_hashes(
        _nb(*[a + "\nextra_0 = 0 * sigma.sum() + L.trace()" for a in ANSWERS])
    )
    setup = code_cell_hashes(_nb("import numpy as np\nrng = np.random.default_rng(SEED)"))
    idiom = code_cell_hashes(_nb("q1_sigma = np.diag([4.0, 1.0]) @ R @ np.diag([4.0, 1.0])"))
    results = [_result(f"n{i}", setup + idiom + own[i]) for i in range(4)] + [
        _result("copy", setup + idiom + copied)
    ]
    flags = integrity_flags(results, template=template)
    assert [(f.kind, f.submissions) for f in flags] == [("shared-code", ("n0", "copy"))]
    assert flags[0].evidence.startswith(
        "4 of 4 / 4 code cells identical"
    )  # the copied answers only
    # without the template the set-up cell, which everybody has, is a class idiom: still only the copy
    assert [f.submissions for f in integrity_flags(results)] == [("n0", "copy")]
    # below the thresholds: two shared cells are not enough
    two = [_result("a", own[0][:2] + own[1][2:]), _result("b", own[0][:2] + own[2][2:])]
    assert integrity_flags(two) == []
    assert [f.kind for f in integrity_flags(two, min_shared=2)] == ["shared-code"]


def test_identical_draws_and_same_data_but_not_the_common_data_set():
    rs = [
        _result("a", fingerprints={"fit_idata.posterior": "p1", "fit_idata.observed_data": "d1"}),
        _result("b", fingerprints={"fit_idata.posterior": "p1", "fit_idata.observed_data": "d1"}),
        _result("c", fingerprints={"fit_idata.posterior": "p3", "fit_idata.observed_data": "d2"}),
        _result("d", fingerprints={"fit_idata.posterior": "p4", "fit_idata.observed_data": "d3"}),
        _result("e", fingerprints={"fit_idata.posterior": "p5", "fit_idata.observed_data": "d4"}),
    ]
    kinds = sorted((f.kind, f.submissions) for f in integrity_flags(rs))
    assert kinds == [("identical-draws", ("a", "b")), ("same-data", ("a", "b"))]
    # a data set most of the class shares is the assignment's own data, not a signal
    common = [_result(k, fingerprints={"fit_idata.observed_data": "same"}) for k in "abcde"]
    assert integrity_flags(common) == []


def test_declared_ids_of_other_students():
    r = Roster(
        [Student("s1", "Ana", "a@x"), Student("s2", "Bo", "b@x"), Student("s3", "Cy", "c@x")]
    )
    owners = {"s1": [r.students[0]], "s2": [r.students[1]], "s3": [r.students[2]]}
    declared = {
        "s1": DeclaredId(True, "s1"),
        "s2": DeclaredId(True, "S1"),
        "s3": DeclaredId(True, "your-id"),
    }
    flags = integrity_flags(
        [_result(i) for i in owners], owners=owners, roster=r, declared=declared
    )
    assert sorted((f.kind, f.students) for f in flags) == [
        ("foreign-id", ("s2", "s1")),
        ("shared-id", ("s1", "s2")),
    ]
    # two submissions of one student are reported once, and their shared code is not a flag
    owners2 = {"s1": [r.students[0]], "s1-v2": [r.students[0]]}
    same = [_result("s1", ANSWERS), _result("s1-v2", ANSWERS)]
    assert [f.kind for f in integrity_flags(same, owners=owners2)] == ["several-submissions"]


def test_integrity_csv_is_written_even_when_empty(tmp_path):
    p = write_integrity_csv([], tmp_path / "integrity.csv")
    assert p.read_text() == ",".join(FIELDS) + "\n"
    rs = [
        _result("a", fingerprints={"x.posterior": "p"}),
        _result("b", fingerprints={"x.posterior": "p"}),
        _result("c"),
        _result("d"),
        _result("e"),
    ]
    write_integrity_csv(integrity_flags(rs), p)
    rows = list(csv.DictReader(p.open()))
    assert rows == [
        {
            "kind": "identical-draws",
            "students": "(unmatched a); (unmatched b)",
            "submissions": "a; b",
            "evidence": "x: bit-identical posterior draws (fingerprint p) in 2 submissions",
        }
    ]


def _tree(draws: np.ndarray, y: np.ndarray) -> xr.DataTree:
    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset({"mu": (("chain", "draw"), draws)}),
            "observed_data": xr.Dataset({"y": (("obs",), y)}),
        }
    )


def test_array_fingerprint_of_posterior_and_data():
    rng = np.random.default_rng(0)
    draws, y = rng.normal(size=(2, 50)), rng.normal(size=20)
    a, b = _tree(draws, y), _tree(draws.copy(), y.copy())
    assert array_fingerprint(a, "posterior") == array_fingerprint(b, "posterior")
    other = draws.copy()
    other[1, 7] += 1e-12
    assert array_fingerprint(_tree(other, y), "posterior") != array_fingerprint(a, "posterior")
    assert array_fingerprint(_tree(other, y), "observed_data") == array_fingerprint(
        a, "observed_data"
    )
    assert array_fingerprint(a, "prior") is None
    assert value_fingerprint(17) == value_fingerprint(17) != value_fingerprint("17")
    assert value_fingerprint([1]) is None and value_fingerprint(True) is None


def test_the_data_fingerprint_ignores_names_order_and_dtype():
    """One data set, fitted in two styles, is one data set: ``same-data`` must see through them."""
    counts = np.array([12, 30, 7, 55, 21])
    a = xr.DataTree.from_dict({"observed_data": xr.Dataset({"awards": (("row",), counts)})})
    b = xr.DataTree.from_dict(
        {"observed_data": xr.Dataset({"A": (("obs",), counts[::-1].astype(float))})}
    )
    assert array_fingerprint(a, "observed_data") == array_fingerprint(b, "observed_data")
    changed = counts.copy()
    changed[2] += 1
    c = xr.DataTree.from_dict({"observed_data": xr.Dataset({"awards": (("row",), changed)})})
    assert array_fingerprint(c, "observed_data") != array_fingerprint(a, "observed_data")
    # the posterior stays exact: a renamed variable is other code, not a copied fit
    pa = xr.DataTree.from_dict(
        {"posterior": xr.Dataset({"mu": (("chain", "draw"), np.ones((1, 3)))})}
    )
    pb = xr.DataTree.from_dict(
        {"posterior": xr.Dataset({"m": (("chain", "draw"), np.ones((1, 3)))})}
    )
    assert array_fingerprint(pa, "posterior") != array_fingerprint(pb, "posterior")


PYTHON_TEST = """from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 1

@test_case(points=1)
def test_fit(fit_idata):
    assert fit_idata is not None
"""


def test_examiner_fingerprints_what_it_received():
    """Through the real socket protocol: the examiner hashes the copied ArviZ arrays of a graded
    global and the notebook's DATA_SEED/STUDENT_ID (a fake posterior: provenance fails it, but
    the fingerprint is of the arrays, whatever their origin)."""
    rng = np.random.default_rng(1)
    tree = _tree(rng.normal(size=(2, 30)), rng.normal(size=10))
    ns = {"fit_idata": tree, "DATA_SEED": 42, "STUDENT_ID": "s1"}
    out = run_offline({"q1": PYTHON_TEST}, ns)
    fp = out["fingerprints"]
    assert fp["fit_idata.posterior"] == array_fingerprint(tree, "posterior")
    assert fp["fit_idata.observed_data"] == array_fingerprint(tree, "observed_data")
    assert fp["DATA_SEED"] == value_fingerprint(42) and fp["STUDENT_ID"] == value_fingerprint("s1")
    assert "DATA_SEED" not in run_offline({"q1": PYTHON_TEST}, {"fit_idata": tree})["fingerprints"]


@pytest.mark.parametrize("src", ["def f(:\n  pass", "!pip install x\nx = 1", "if x:\n\tpass\n  y"])
def test_normalisation_survives_code_that_does_not_tokenize(src):
    assert isinstance(cell_hash(src), str)
