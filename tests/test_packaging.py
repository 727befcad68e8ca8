"""pyproject.toml uses the metadata that current setuptools installs without a deprecation box."""

import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it():
    meta = tomllib.loads(PYPROJECT.read_text())
    assert meta["project"]["license"] == "BSD-3-Clause"  # PEP 639, not a {text = ...} table
    # setuptools reads project.license as an SPDX expression from 77.0 on
    assert "setuptools>=77" in meta["build-system"]["requires"]
    assert not any("License ::" in c for c in meta["project"].get("classifiers", []))
