"""Tests of teachkit.fit.reference_warmup: the stamp of a full warm-up (fast) and a real warm-up (slow)."""

import pytest


def test_is_warm_follows_the_stamp_of_a_full_warmup(tmp_path, monkeypatch):
    import json

    from teachkit.fit import reference_warmup as sampling

    monkeypatch.setenv("TEACHKIT_CACHE_DIR", str(tmp_path))
    assert not sampling.is_warm()
    sampling.cache_dir().mkdir(parents=True)
    stamp = sampling.cache_dir() / "teachkit-warmup.json"
    stamp.write_text(json.dumps({"versions": sampling._versions(), "models": []}))
    assert sampling.is_warm()
    stamp.write_text(json.dumps({"versions": {**sampling._versions(), "pymc": "0.0"}}))
    assert not sampling.is_warm()  # another PyMC: the cache no longer fits
    stamp.write_text("not json")
    assert not sampling.is_warm()


def test_teachkit_warmup_command_calls_the_warmup_function(monkeypatch):
    # the module used to be teachkit/fit/warmup.py: once imported (the CLI reads its presets),
    # the submodule shadowed the function of the same name, and `teachkit warmup` died with
    # "TypeError: 'module' object is not callable"
    import teachkit.fit
    from teachkit.cli import main
    from teachkit.fit import reference_warmup

    assert teachkit.fit.warmup is reference_warmup.warmup
    calls = []
    monkeypatch.setattr(reference_warmup, "warmup", lambda **kw: calls.append(kw))
    assert main(["warmup", "--presets", "grants"]) == 0
    assert calls == [{"presets": ["grants"], "likelihoods": ["rows"]}]


@pytest.mark.slow
def test_warmup_compiles_each_reference_model_and_reports_its_time(tmp_path, monkeypatch):
    import io

    from teachkit.cli import main
    from teachkit.fit import reference_warmup as sampling

    monkeypatch.setattr(sampling, "cache_dir", lambda: tmp_path)  # the stamp, not the cache
    out = io.StringIO()
    timings = sampling.warmup(presets=("grants",), out=out)
    assert sorted(timings) == [
        "grants/grants_direct",
        "grants/grants_multilevel",
        "grants/grants_total",
    ]
    assert all(t > 0 for t in timings.values())
    printed = out.getvalue()
    assert "teachkit warmup: 3 models" in printed and "[ 3/3] grants/" in printed
    assert all(label in printed for label in timings)
    assert not (tmp_path / "teachkit-warmup.json").exists()  # only a full warm-up stamps the cache
    with pytest.raises(SystemExit):
        main(["warmup", "--presets", "nonsense"])
