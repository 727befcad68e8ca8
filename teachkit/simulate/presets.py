"""The one registry of data designs: every generator of :mod:`teachkit.simulate` as a preset.

Everything that lists the presets reads :data:`PRESETS`: ``teachkit simulate`` (one sub-command
per preset, described by :attr:`Preset.description`), ``teachkit warmup`` (the homework-sized
data of each, :meth:`Preset.homework_data`), ``teachkit demo`` (one data set of each), the
checks (which presets are Gaussian) and the reference models (the default prior of the slope
mean, :attr:`Preset.priors`). Adding a data design means adding a generator and one entry here.

Examples
--------
>>> list(PRESETS)
['ozone', 'grants', 'funnel', 'varying_effects']
>>> PRESETS["varying_effects"].cli_name
'varying-effects'
>>> gaussian_kinds()
('ozone', 'funnel', 'varying_effects')
>>> PRESETS["ozone"].homework_data(seed=0).data.shape
(1200, 4)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from teachkit.simulate.gaussian import funnel, ozone, varying_effects
from teachkit.simulate.grants import grants
from teachkit.simulate.result import Simulation

__all__ = ["PRESETS", "Preset", "by_cli_name", "gaussian_kinds", "preset_for"]

#: Prior sd of ``mu_b`` for presets whose x and y are on unit scale (true mean slopes 0.5-1).
UNIT_SCALE_MU_B_SD = 1.0


@dataclass(frozen=True)
class Preset:
    """One data design: its generator, its homework size and the priors that suit it.

    Attributes
    ----------
    name : str
        The generator's name and the ``kind`` of its :class:`Simulation`.
    generator : callable
        ``generator(*, seed, **keywords) -> Simulation``.
    family : {"gaussian", "binomial"}
        Which reference models fit it (:mod:`teachkit.models`).
    description : str
        One paragraph, shown by ``teachkit simulate PRESET --help``.
    homework : mapping
        Keyword arguments that give its homework-sized data (the data ``teachkit warmup``
        compiles the reference models on).
    roles : mapping
        The data columns' roles, as in :attr:`Simulation.roles`.
    priors : mapping
        Prior scales of the reference models that differ from the lecture's defaults for this
        design, as keyword arguments of the builders (e.g. ``{"mu_b_sd": 1.0}``).
    """

    name: str
    generator: Callable[..., Simulation]
    family: Literal["gaussian", "binomial"]
    description: str
    homework: Mapping[str, Any] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)
    priors: Mapping[str, float] = field(default_factory=dict)

    @property
    def cli_name(self) -> str:
        """The sub-command of ``teachkit simulate`` (``varying-effects``)."""
        return self.name.replace("_", "-")

    def homework_data(self, *, seed: int = 0) -> Simulation:
        """The preset's homework-sized data for ``seed``."""
        return self.generator(seed=seed, **self.homework)


def _registry(*presets: Preset) -> Mapping[str, Preset]:
    return MappingProxyType({p.name: p for p in presets})


#: Every data design, in the order ``teachkit simulate --help`` and ``teachkit demo`` show them.
PRESETS: Mapping[str, Preset] = _registry(
    Preset(
        "ozone",
        ozone,
        "gaussian",
        "The lecture's Beijing example: log daily maximum ozone against daily maximum "
        "temperature at 12 monitoring stations, with correlated station intercepts and slopes "
        "(Dingling highest and Wanliu lowest baseline for every seed).",
        homework={"size": "homework"},
        roles={"group": "station", "x": "temp", "y": "log_ozone"},
        priors={"mu_b_sd": 0.1},  # the lecture's Normal(0, 0.1) for a slope per °C
    ),
    Preset(
        "grants",
        grants,
        "binomial",
        "The NWO grants structure: awards out of applications for 9 disciplines x 2 genders; "
        "discipline mediates part of the effect of gender, so the total effect differs from "
        "the direct one.",
        roles={
            "group": "discipline",
            "treatment": "gender",
            "trials": "applications",
            "successes": "awards",
        },
    ),
    Preset(
        "funnel",
        funnel,
        "gaussian",
        "Many small noisy groups with small group-level sds: the regime in which the centred "
        "correlated model diverges and the non-centred one does not.",
        roles={"group": "group", "x": "x", "y": "y"},
        priors={"mu_b_sd": UNIT_SCALE_MU_B_SD},
    ),
    Preset(
        "varying_effects",
        varying_effects,
        "gaussian",
        "Gaussian data with correlated varying intercepts and slopes, every setting adjustable.",
        roles={"group": "group", "x": "x", "y": "y"},
        priors={"mu_b_sd": UNIT_SCALE_MU_B_SD},
    ),
)


def gaussian_kinds() -> tuple[str, ...]:
    """Names of the presets with Gaussian data (the ``kind`` the Gaussian checks accept)."""
    return tuple(name for name, p in PRESETS.items() if p.family == "gaussian")


def by_cli_name(cli_name: str) -> Preset:
    """The preset of a ``teachkit simulate`` sub-command (``varying-effects``).

    Examples
    --------
    >>> by_cli_name("varying-effects").name
    'varying_effects'
    """
    for preset in PRESETS.values():
        if preset.cli_name == cli_name:
            return preset
    raise ValueError(
        f"unknown preset {cli_name!r}; choose from {[p.cli_name for p in PRESETS.values()]}"
    )


def preset_for(kind: str | None = None, roles: Mapping[str, str] | None = None) -> Preset | None:
    """The preset a data set came from: by its ``kind``, else by the x and y columns' roles.

    Examples
    --------
    >>> preset_for("funnel").name
    'funnel'
    >>> preset_for(None, {"group": "station", "x": "temp", "y": "log_ozone"}).name
    'ozone'
    >>> preset_for(None, {"group": "g", "x": "dose", "y": "response"}) is None
    True
    """
    if kind is not None:
        return PRESETS.get(kind)
    if roles:
        for preset in PRESETS.values():
            if all(roles.get(k) == preset.roles.get(k) for k in ("x", "y")) and "x" in roles:
                return preset
    return None
