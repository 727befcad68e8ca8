"""``teachkit demo``: the end-to-end demonstration (the README's main job).

At this stage the demo simulates every preset with one seed, prints a short readable summary of
each data set and its truth, and writes each simulation to ``OUT/data/<preset>/``. It is built
from one function per step so that later steps (fitting the models, checking the fits) slot in
after :func:`save_simulations`:

1. :func:`simulate_presets` -- ``{preset name: Simulation}``;
2. :func:`summarize` -- the text printed for one simulation;
3. :func:`save_simulations` -- ``{preset name: folder}``.

:func:`run` strings them together for the command line.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from teachkit import simulate
from teachkit.simulate import Simulation

__all__ = ["PRESETS", "run", "save_simulations", "simulate_presets", "summarize"]

#: The demo's data sets: preset name (as in ``teachkit simulate``) -> generator of one seed.
PRESETS: dict[str, Callable[[int], Simulation]] = {
    "ozone": lambda seed: simulate.ozone(seed=seed),
    "grants": lambda seed: simulate.grants(seed=seed),
    "funnel": lambda seed: simulate.funnel(seed=seed),
    "varying-effects": lambda seed: simulate.varying_effects(seed=seed),
}

_HYPER = ("mu_a", "mu_b", "sigma_a", "sigma_b", "rho", "sigma")
_MAX_GROUP_ROWS = 12


def simulate_presets(seed: int) -> dict[str, Simulation]:
    """Simulate every preset of :data:`PRESETS` with ``seed``.

    Examples
    --------
    >>> sims = simulate_presets(2021)
    >>> list(sims)
    ['ozone', 'grants', 'funnel', 'varying-effects']
    >>> sims["ozone"].data.shape
    (21600, 4)
    """
    return {name: make(seed) for name, make in PRESETS.items()}


def _heading(text: str) -> str:
    return f"{text}\n{'=' * len(text)}"


def _indent(text: str, by: str = "  ") -> str:
    return "\n".join(by + line for line in text.splitlines())


def _group_table(sim: Simulation) -> pd.DataFrame:
    group = sim.roles["group"]
    counts = sim.data[group].value_counts(sort=False)
    table = pd.DataFrame(
        {
            "n": counts.to_numpy(),
            "alpha": pd.Series(sim.truth["alpha"]),
            "beta": pd.Series(sim.truth["beta"]),
        },
        index=pd.Index(list(sim.truth["alpha"]), name=group),
    )
    return table


def _summarize_gaussian(sim: Simulation) -> list[str]:
    t = sim.truth
    group = sim.roles["group"]
    table = _group_table(sim)
    sizes = table["n"]
    size_text = (
        f"{sizes.iloc[0]:,} each" if sizes.nunique() == 1 else f"{sizes.min()} to {sizes.max()}"
    )
    lines = [
        f"{len(sim.data):,} rows, {len(table)} {group}s ({size_text}); "
        f"x = {sim.roles['x']}, y = {sim.roles['y']}",
        "",
        "first rows:",
        _indent(sim.data.head(3).to_string(index=False)),
        "",
        "truth, population:     "
        + "  ".join(f"{k} {t[k]:.4g}" for k in _HYPER),
    ]
    a, b = table["alpha"].to_numpy(), table["beta"].to_numpy()
    if len(table) > 2:
        r = np.corrcoef(a, b)[0, 1]
        lines.append(
            f"realised group draws:  mean alpha {a.mean():.4g}  mean beta {b.mean():.4g}  "
            f"sd alpha {a.std(ddof=1):.4g}  sd beta {b.std(ddof=1):.4g}  corr {r:.3f}"
        )
    shown = table if len(table) <= _MAX_GROUP_ROWS else table.head(_MAX_GROUP_ROWS)
    lines += ["", f"truth per {group} (intercept alpha at {sim.roles['x']} = 0, slope beta):"]
    lines.append(
        _indent(shown.reset_index().to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    )
    if len(table) > len(shown):
        lines.append(f"  ... {len(table) - len(shown)} more")
    return lines


def _summarize_grants(sim: Simulation) -> list[str]:
    t, d = sim.truth, sim.data
    wide = d.pivot(index="discipline", columns="gender", values=["applications", "awards"])
    table = pd.DataFrame(
        {
            "apps (f/m)": [f"{f}/{m}" for f, m in wide["applications"].to_numpy()],
            "awards (f/m)": [f"{f}/{m}" for f, m in wide["awards"].to_numpy()],
            "rate f": wide["awards"]["female"] / wide["applications"]["female"],
            "rate m": wide["awards"]["male"] / wide["applications"]["male"],
            "beta": pd.Series(t["beta"]),
        },
        index=wide.index,
    )
    apps = d.groupby("gender", observed=True)["applications"].sum()
    awards = d.groupby("gender", observed=True)["awards"].sum()
    observed = t["observed_total_effect"]
    observed_text = "n/a" if observed is None else f"{observed:+.3f}"
    lines = [
        f"{len(d)} rows ({d['discipline'].nunique()} disciplines x {d['gender'].nunique()} "
        f"genders), {int(apps.sum()):,} applications, {int(awards.sum()):,} awards",
        "",
        _indent(
            table.reset_index().to_string(
                index=False,
                formatters={
                    "rate f": "{:.1%}".format,
                    "rate m": "{:.1%}".format,
                    "beta": "{:+.3f}".format,
                }
            )
        ),
        "",
        "truth:  alpha female {f:+.3f}, male {m:+.3f}  (log-odds); tau {tau:.3g}".format(
            f=t["alpha"]["female"], m=t["alpha"]["male"], tau=t["tau"]
        ),
        "gender effect, female minus male:",
        f"  direct (discipline held fixed)   {t['direct_effect']:+.3f} log-odds   "
        f"{100 * t['direct_effect_prob']:+.1f} percentage points",
        f"  total  (pooled, expected rates)  {t['total_effect']:+.3f} log-odds   "
        f"{100 * t['total_effect_prob']:+.1f} percentage points",
        f"  total  (pooled, observed rates)  {observed_text} log-odds   "
        f"{100 * t['observed_total_effect_prob']:+.1f} percentage points",
        "  the gap between direct and total runs through discipline (G -> D -> A).",
    ]
    return lines


def summarize(name: str, sim: Simulation) -> str:
    """A short, readable summary of one simulation: sizes, a few rows, the truth.

    Parameters
    ----------
    name : str
        The title (the preset's name).
    sim : Simulation

    Returns
    -------
    str

    Examples
    --------
    >>> text = summarize("funnel", simulate.funnel(seed=1))
    >>> print(text.splitlines()[0])
    funnel
    >>> "100 rows, 20 groups (5 each)" in text
    True
    """
    body = _summarize_grants(sim) if sim.kind == "grants" else _summarize_gaussian(sim)
    return _heading(name) + "\n" + "\n".join(body)


def save_simulations(sims: dict[str, Simulation], folder) -> dict[str, Path]:
    """Write each simulation to ``folder/<name>/`` (``data.csv`` and ``truth.json``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = save_simulations({"funnel": simulate.funnel(seed=1)}, tmp)
    ...     sorted(p.name for p in paths["funnel"].iterdir())
    ['data.csv', 'truth.json']
    """
    folder = Path(folder)
    return {name: sim.to_dir(folder / name) for name, sim in sims.items()}


def run(args: argparse.Namespace) -> int:
    """Run the demo (``teachkit demo --seed N --out DIR``); returns the exit status.

    Examples
    --------
    >>> import tempfile, contextlib, io
    >>> with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()) as out:
    ...     status = run(argparse.Namespace(seed=1, out=tmp))
    >>> status
    0
    >>> "direct (discipline held fixed)" in out.getvalue()
    True
    """
    out = Path(args.out)
    print(f"teachkit demo: every preset simulated with seed {args.seed}\n")
    sims = simulate_presets(args.seed)
    for name, sim in sims.items():
        print(summarize(name, sim))
        print()
    paths = save_simulations(sims, out / "data")
    print("written (data.csv + truth.json each):")
    for name, path in paths.items():
        print(f"  {name:<16} {path}")
    return 0
