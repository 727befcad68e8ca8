"""Tests of teachkit.fit.pytensor_config: PyTensor's BLAS warning stays away whatever was imported first.

The fresh-process tests compile one small function in PyTensor's C mode (``CVM``), the path on
which PyTensor looks for a BLAS library and, on a pip install, warns "PyTensor could not link to a
BLAS installation". They share teachkit's compile cache, so each takes a few seconds.
"""

import os
import subprocess
import sys
import textwrap

import pytest

from teachkit.fit import pytensor_config
from teachkit.fit.pytensor_config import BLAS_FLAG, configure_pytensor

BLAS_WARNING = "could not link to a BLAS installation"


class _Param:
    """Stands in for PyTensor's ConfigParam: ``val`` exists once the flag was evaluated."""


def _fake_config(user_value=None, evaluated=False):
    param = _Param()
    if evaluated:
        param.val = "-lblas"

    class Config:
        def fetch_val_for_key(self, key):
            if user_value is None:
                raise KeyError(key)
            return user_value

    setattr(Config, BLAS_FLAG, param)
    return Config()


def test_after_import_sets_an_unread_flag():
    config = _fake_config()
    assert pytensor_config._after_import(config) == {BLAS_FLAG: ""}
    assert vars(config)[BLAS_FLAG] == ""


def test_after_import_keeps_the_users_and_an_evaluated_flag():
    user = _fake_config(user_value="-lopenblas")
    assert pytensor_config._after_import(user) == {}
    assert BLAS_FLAG not in vars(user)
    done = _fake_config(evaluated=True)  # a compile already ran: its value stands
    assert pytensor_config._after_import(done) == {}
    assert BLAS_FLAG not in vars(done)


def test_before_import_respects_a_pytensorrc(tmp_path, monkeypatch):
    rc = tmp_path / "rc"
    rc.write_text("[blas]\nldflags = -lblas\n")
    monkeypatch.setenv("PYTENSORRC", str(rc))
    monkeypatch.setenv("PYTENSOR_FLAGS", "floatX=float64")
    assert pytensor_config._before_import() == {}
    assert os.environ["PYTENSOR_FLAGS"] == "floatX=float64"


def _run(code, tmp_path, flags=None):
    """Run ``code`` in a fresh interpreter with a student's environment; return its stderr."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTENSOR_FLAGS", "PYTENSORRC")}
    env["HOME"] = str(tmp_path)  # no ~/.pytensorrc
    env["PYTENSOR_FLAGS"] = (
        flags if flags is not None else (f"base_compiledir={pytensor_config.cache_dir()}")
    )
    prelude = "import warnings; warnings.simplefilter('default')\n"
    out = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stderr


_COMPILE = """
import pytensor, pytensor.tensor as pt
x, y = pt.matrix("x"), pt.matrix("y")
pytensor.function([x, y], pt.dot(x, y), mode="CVM")
print("blas__ldflags=" + repr(pytensor.config.blas__ldflags))
"""


def _needs_a_compiler():
    import pytensor

    if not pytensor.config.cxx:
        pytest.skip("no C compiler: PyTensor skips its BLAS search and never warns")


def test_pymc_imported_first_then_configure(tmp_path):
    _needs_a_compiler()
    control = _run("import pymc\n" + _COMPILE, tmp_path)
    assert BLAS_WARNING in control  # what a student's notebook shows today
    err = _run(
        "import pymc\nimport teachkit\nprint(teachkit.configure_pytensor())\n" + _COMPILE, tmp_path
    )
    assert BLAS_WARNING not in err, err


def test_configure_first_then_pymc(tmp_path):
    _needs_a_compiler()
    code = (
        "import sys, teachkit\nprint(teachkit.configure_pytensor(), file=sys.stderr)\n"
        "import pymc\n" + _COMPILE
    )
    err = _run(code, tmp_path, flags="")
    assert BLAS_WARNING not in err, err
    assert "'base_compiledir'" in err  # before the import, the compile cache is set too


def test_users_blas_flag_is_kept(tmp_path):
    code = (
        "import pytensor, teachkit\nassert teachkit.configure_pytensor() == {}\n"
        "print(repr(pytensor.config.blas__ldflags))"
    )
    env_flags = f"base_compiledir={pytensor_config.cache_dir()},blas__ldflags=-lmyblas"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            **{k: v for k, v in os.environ.items() if k != "PYTENSOR_FLAGS"},
            "PYTENSOR_FLAGS": env_flags,
            "HOME": str(tmp_path),
        },
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "'-lmyblas'"


def test_configure_is_exported_and_idempotent():
    import pytensor  # noqa: F401  (imported: the run-time path)

    configure_pytensor()
    assert configure_pytensor() == {}
