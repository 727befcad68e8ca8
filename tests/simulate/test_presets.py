"""Tests of teachkit.simulate.presets: the one registry of data designs."""

from __future__ import annotations

import inspect

import pytest

from teachkit import simulate
from teachkit.simulate import presets


def test_every_generator_is_a_preset():
    generators = {
        name
        for name in simulate.__all__
        if inspect.isfunction(getattr(simulate, name))
        and getattr(simulate, name).__module__ != "teachkit.simulate.student"  # seeds, not data
    }
    assert generators == set(presets.PRESETS)
    for name, preset in presets.PRESETS.items():
        assert preset.generator is getattr(simulate, name)


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_homework_data_has_the_presets_kind_and_roles(name):
    preset = presets.PRESETS[name]
    sim = preset.homework_data(seed=0)
    assert sim.kind == name
    assert dict(sim.roles) == dict(preset.roles)
    assert presets.by_cli_name(preset.cli_name) is preset
    assert presets.preset_for(name) is preset


def test_homework_sizes():
    assert len(presets.PRESETS["ozone"].homework_data().data) == 1200
    assert len(presets.PRESETS["funnel"].homework_data().data) == 100


def test_gaussian_kinds_and_priors():
    assert set(presets.gaussian_kinds()) == {"varying_effects", "ozone", "funnel"}
    assert presets.PRESETS["ozone"].priors["mu_b_sd"] == 0.1
    with pytest.raises(ValueError, match="unknown preset 'weather'"):
        presets.by_cli_name("weather")
