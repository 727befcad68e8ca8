"""Tests for the ``teachkit simulate`` and ``teachkit demo`` commands (through cli.main)."""

from __future__ import annotations

import inspect
import json
import re

import pandas as pd
import pytest

from teachkit import cli, simulate
from teachkit.simulate import Simulation


def _help(capsys, argv) -> str:
    with pytest.raises(SystemExit) as exit_:
        cli.main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# teachkit simulate
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, kind, rows",
    [
        (["ozone", "--size", "homework"], "ozone", 1200),
        (["ozone", "--n-days", "7"], "ozone", 84),
        (["grants"], "grants", 18),
        (["funnel"], "funnel", 100),
        (["varying-effects", "--n-groups", "4", "--n-per-group", "3"], "varying_effects", 12),
    ],
)
def test_simulate_writes_data_and_truth(tmp_path, capsys, argv, kind, rows):
    out = tmp_path / "sim"
    assert cli.main(["simulate", *argv, "--seed", "410", "--out", str(out)]) == 0
    assert (out / "data.csv").is_file() and (out / "truth.json").is_file()
    message = capsys.readouterr().out
    assert str(out / "data.csv") in message and "seed 410" in message
    meta = json.loads((out / "truth.json").read_text())
    assert meta["kind"] == kind and meta["params"]["seed"] == 410
    assert len(pd.read_csv(out / "data.csv")) == rows


def test_simulate_matches_the_python_api(tmp_path):
    out = tmp_path / "ve"
    argv = [
        "simulate",
        "varying-effects",
        "--seed",
        "7",
        "--out",
        str(out),
        "--n-per-group",
        "2,5,3",
        "--intercept",
        "1.5",
        "--slope",
        "-0.5",
        "--sd-intercept",
        "0.4",
        "--sd-slope",
        "0.2",
        "--rho",
        "-0.3",
        "--sigma",
        "0.5",
        "--x-dist",
        "uniform",
        "--x-loc",
        "2",
        "--x-scale",
        "6",
        "--center-x",
        "--group-labels",
        "a,b,c",
    ]
    assert cli.main(argv) == 0
    expected = simulate.varying_effects(
        seed=7,
        n_per_group=[2, 5, 3],
        intercept=1.5,
        slope=-0.5,
        sd_intercept=0.4,
        sd_slope=0.2,
        rho=-0.3,
        sigma=0.5,
        x_dist="uniform",
        x_loc=2,
        x_scale=6,
        center_x=True,
        group_labels=["a", "b", "c"],
    )
    got = Simulation.from_dir(out)
    pd.testing.assert_frame_equal(got.data, expected.data)
    assert got.truth == expected.truth and got.params == expected.params


@pytest.mark.parametrize(
    "preset, argv, call",
    [
        (
            "ozone",
            ["--size", "homework", "--rho", "-0.5", "--sigma", "0.3"],
            lambda: simulate.ozone(seed=3, size="homework", rho=-0.5, sigma=0.3),
        ),
        (
            "grants",
            [
                "--tau",
                "0.9",
                "--scale",
                "2",
                "--assign-effects",
                "random",
                "--alpha-female",
                "-1",
                "--alpha-male",
                "-1.2",
            ],
            lambda: simulate.grants(
                seed=3, tau=0.9, scale=2, assign_effects="random", alpha_female=-1, alpha_male=-1.2
            ),
        ),
        (
            "funnel",
            ["--n-groups", "8", "--sd-slope", "0.05"],
            lambda: simulate.funnel(seed=3, n_groups=8, sd_slope=0.05),
        ),
    ],
)
def test_simulate_options_reach_the_generator(tmp_path, preset, argv, call):
    out = tmp_path / preset
    assert cli.main(["simulate", preset, "--seed", "3", "--out", str(out), *argv]) == 0
    got, expected = Simulation.from_dir(out), call()
    assert got.truth == expected.truth and got.params == expected.params
    pd.testing.assert_frame_equal(got.data, expected.data)


def test_same_seed_same_files(tmp_path):
    for name in ("a", "b", "c"):
        seed = "5" if name != "c" else "6"
        cli.main(["simulate", "grants", "--seed", seed, "--out", str(tmp_path / name)])

    def read(name):
        return b"".join((tmp_path / name / f).read_bytes() for f in ("data.csv", "truth.json"))

    assert read("a") == read("b")
    assert read("a") != read("c")


def test_simulate_without_seed_picks_and_reports_one(tmp_path, capsys):
    out = tmp_path / "f"
    assert cli.main(["simulate", "funnel", "--out", str(out)]) == 0
    message = capsys.readouterr().out
    match = re.search(r"no --seed given, so one was chosen: pass --seed (\d+) to repeat", message)
    assert match
    seed = int(match.group(1))
    assert json.loads((out / "truth.json").read_text())["params"]["seed"] == seed
    again = simulate.funnel(seed=seed)
    pd.testing.assert_frame_equal(Simulation.from_dir(out).data, again.data)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["varying-effects", "--rho", "1.5"], "rho must lie strictly between -1 and 1"),
        (["varying-effects", "--n-groups", "0"], "n_groups must be a whole number >= 1; got 0"),
        (["varying-effects", "--n-per-group", "3,0"], "the size of group 2"),
        (
            ["varying-effects", "--n-groups", "3", "--n-per-group", "1,2"],
            "n_per_group gives 2 group sizes but n_groups is 3",
        ),
        (["varying-effects", "--sd-slope", "-1"], "sd_slope must be a standard deviation"),
        (["varying-effects", "--sigma", "nan"], "sigma must be the residual standard deviation"),
        (["varying-effects", "--group-labels", "a,a", "--n-groups", "2"], "must be distinct"),
        (["ozone", "--n-days", "4000"], "n_days must be at most 1800"),
        (["grants", "--scale", "0"], "scale must be a multiplier of the application counts"),
        (["funnel", "--seed", "-3"], "seed must be None, a non-negative int"),
    ],
)
def test_bad_values_print_a_sentence_and_exit_2(tmp_path, capsys, argv, message):
    out = tmp_path / "never"
    assert cli.main(["simulate", argv[0], "--out", str(out), *argv[1:]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("teachkit simulate: error: ") and message in err
    assert "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["ozone", "--seed", "1"], "the following arguments are required: --out"),
        (["ozone", "--size", "huge", "--out", "x"], "invalid choice: 'huge'"),
        (
            ["varying-effects", "--n-per-group", "2,x", "--out", "x"],
            "expected a whole number or a comma-separated list",
        ),
        (["grants", "--size", "homework", "--out", "x"], "unrecognized arguments: --size"),
        (["weather", "--out", "x"], "invalid choice: 'weather'"),
        ([], "required"),
    ],
)
def test_usage_errors_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["simulate", *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_simulate_help_lists_every_preset_and_option(capsys):
    text = _help(capsys, ["simulate"])
    options = cli._simulate_options()
    for preset, opts in options.items():
        assert preset in text
        for flag, *_ in opts:
            assert flag in text, (preset, flag)
    assert "data.csv" in text and "truth.json" in text


@pytest.mark.parametrize("preset", ["ozone", "grants", "funnel", "varying-effects"])
def test_preset_help_documents_each_option_with_the_generators_default(capsys, preset):
    text = " ".join(_help(capsys, ["simulate", preset]).split())  # unwrap lines
    func = simulate.presets.by_cli_name(preset).generator
    signature = inspect.signature(func).parameters
    for flag, key, _, shown, _ in cli._simulate_options()[preset]:
        assert flag in text
        assert key in signature, f"{flag} maps to {key}, which {func.__name__} does not take"
        default = signature[key].default
        if default is None:
            assert isinstance(shown, str)  # described in words, e.g. "set by --size"
        else:
            assert shown == default, f"{flag}: help says {shown!r}, the generator {default!r}"
        assert f"(default: {shown})" in text
    for flag in ("--seed", "--out"):
        assert flag in text
    # every keyword of the generator except seed is exposed
    exposed = {o[1] for o in cli._simulate_options()[preset]}
    assert exposed == set(signature) - {"seed"}


# --------------------------------------------------------------------------------------------
# teachkit demo
# --------------------------------------------------------------------------------------------


def test_demo_prints_summaries_and_writes_every_preset(tmp_path, capsys):
    # the summaries only: the fits and the grading are the end-to-end test's (demo/test_demo_end_to_end.py)
    assert (
        cli.main(["demo", "--seed", "410", "--out", str(tmp_path), "--skip", "fit", "grade"]) == 0
    )
    text = capsys.readouterr().out
    for preset in ("ozone", "grants", "funnel", "varying-effects"):
        folder = tmp_path / "data" / preset
        assert (folder / "data.csv").is_file() and (folder / "truth.json").is_file()
        assert f"{preset}\n{'=' * len(preset)}" in text
        sim = Simulation.from_dir(folder)
        assert sim.params["seed"] == 410
    assert "21,600 rows, 12 stations (1,800 each)" in text
    assert "Dingling" in text and "Wanliu" in text
    t = simulate.grants(seed=410).truth
    assert f"direct (discipline held fixed)   {t['direct_effect']:+.3f} log-odds" in text
    assert f"total  (pooled, expected rates)  {t['total_effect']:+.3f} log-odds" in text
    assert "100 rows, 20 groups (5 each)" in text
    assert "Traceback" not in text


def test_demo_summary_shows_the_truth_table():
    from teachkit.demo import summarize

    sim = simulate.ozone(seed=1, size="homework")
    text = summarize("ozone", sim)
    table = text.split("truth per station")[1].splitlines()
    for station, alpha in sim.truth["alpha"].items():
        line = next(line for line in table if line.strip().startswith(station + " "))
        assert f"{alpha:.4f}" in line and f"{sim.truth['beta'][station]:.4f}" in line
    assert "mu_a 3.45" in text and "rho -0.9" in text
    unbalanced = summarize("ve", simulate.varying_effects(n_per_group=[2, 9, 4], seed=0))
    assert "15 rows, 3 groups (2 to 9)" in unbalanced


def test_demo_help(capsys):
    text = _help(capsys, ["demo"])
    assert "--seed" in text and "--out" in text
