"""``teachkit demo``: the end-to-end demonstration (the README's main job).

One function per step, strung together by :func:`run`:

1. :func:`simulate_presets`, :func:`summarize`, :func:`save_simulations` -- every preset with
   one seed, a readable summary, ``OUT/data/<preset>/``;
2. :func:`teachkit.demo.fit.fit_funnel` -- centred vs non-centred correlated model on the funnel
   data: divergences, recovery table, plots into ``OUT/plots/``;
3. and 4. :func:`teachkit.demo.grade.build` -- ``teachkit build`` into ``OUT/build/``, and
   :func:`teachkit.demo.grade.grade_class` -- ``teachkit grade`` of three bundled sample classes:
   homework 1's into ``OUT/grading/``, homework 2's (per-student data, a roster, the integrity
   report) into ``OUT/hw02-grading/``, homework 4's (MCMC) into ``OUT/hw04-grading/``;
5. :func:`teachkit.demo.report.write_report` -- ``OUT/report.html``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from teachkit import simulate
from teachkit.simulate import Simulation

__all__ = ["report_summary", "run", "save_simulations", "simulate_presets", "summarize"]

_HYPER = ("mu_a", "mu_b", "sigma_a", "sigma_b", "rho", "sigma")
#: Smallest time limit per notebook for the MCMC homework's sample class (seconds): a cold compile
#: cache costs a few minutes per notebook.
MCMC_TIMEOUT = 900
_MAX_GROUP_ROWS = 12

#: What the report says about each sample class (``{folder}``: the class folder's name).
_CLASS_TEXT = {
    "hw01-mvnormal-cholesky": (
        "Every assignment was built with teachkit build into build/; the sample class ({folder}/) "
        "was graded with teachkit grade: each notebook ran under a time and memory limit and its "
        "hidden tests ran in a separate clean process."
    ),
    "hw02-grants-binomial": (
        "Per-student data ({folder}/, with roster.csv): each student's grant data are simulated "
        "from their STUDENT_ID, and the hidden tests recompute that student's truth. Ana and Bo "
        "work on their own data (Bo misreads the DAG); Cy hands in Ana's notebook, her ID and "
        "all (graded on Ana's data, flagged: mismatch, her ID, her data, her draws); Di fits last "
        "year's shared data (checks.data_match takes the recovery points); Ed left the "
        "placeholder ID (0, and the feedback says why); Fa handed in nothing (missing)."
    ),
    "hw04-covarying-parameters": (
        "The flagship MCMC homework ({folder}/), per-student too (each filled notebook fits the "
        "data of its own STUDENT_ID): two correct submissions written differently (full marks), "
        "one that kept the centred model where the non-centred one is asked (its divergences cost "
        "question 2's points), the untouched notebook, and one that patches the checks and Otter "
        "and writes a fake results file (0)."
    ),
}


def simulate_presets(seed: int) -> dict[str, Simulation]:
    """Simulate every preset of the registry :data:`teachkit.simulate.PRESETS` with ``seed``.

    Keyed by the preset's ``teachkit simulate`` name.

    Examples
    --------
    >>> sims = simulate_presets(2021)
    >>> list(sims)
    ['ozone', 'grants', 'funnel', 'varying-effects']
    >>> sims["ozone"].data.shape
    (21600, 4)
    """
    return {p.cli_name: p.generator(seed=seed) for p in simulate.PRESETS.values()}


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


def _gaussian_sizes(sim: Simulation, table: pd.DataFrame) -> str:
    group, sizes = sim.roles["group"], table["n"]
    size_text = (
        f"{sizes.iloc[0]:,} each" if sizes.nunique() == 1 else f"{sizes.min()} to {sizes.max()}"
    )
    return (
        f"{len(sim.data):,} rows, {len(table)} {group}s ({size_text}); "
        f"x = {sim.roles['x']}, y = {sim.roles['y']}"
    )


def _population_table(sim: Simulation, table: pd.DataFrame) -> pd.DataFrame:
    """The population truth, and beside it what the simulated groups realised."""
    t = sim.truth
    rows = [{"": "truth", **{k: t[k] for k in _HYPER}}]
    if len(table) > 2:
        real = sim.realised_truth()
        rows.append(
            {
                "": f"realised by the {len(table)} groups (mean, sd and corr of alpha, beta)",
                **{k: real[k] for k in _HYPER if k != "sigma"},
                "sigma": float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=["", *_HYPER])


def _summarize_gaussian(sim: Simulation) -> list[str]:
    t = sim.truth
    group = sim.roles["group"]
    table = _group_table(sim)
    lines = [
        _gaussian_sizes(sim, table),
        "",
        "first rows:",
        _indent(sim.data.head(3).to_string(index=False)),
        "",
        "truth, population:     " + "  ".join(f"{k} {t[k]:.4g}" for k in _HYPER),
    ]
    if len(table) > 2:
        real = sim.realised_truth()
        lines.append(
            f"realised group draws:  mean alpha {real['mu_a']:.4g}  mean beta {real['mu_b']:.4g}  "
            f"sd alpha {real['sigma_a']:.4g}  sd beta {real['sigma_b']:.4g}  corr {real['rho']:.3f}"
        )
    shown = table if len(table) <= _MAX_GROUP_ROWS else table.head(_MAX_GROUP_ROWS)
    lines += ["", f"truth per {group} (intercept alpha at {sim.roles['x']} = 0, slope beta):"]
    lines.append(
        _indent(shown.reset_index().to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    )
    if len(table) > len(shown):
        lines.append(f"  ... {len(table) - len(shown)} more")
    return lines


def _grants_table(sim: Simulation) -> pd.DataFrame:
    """Per discipline: applications and awards by gender, award rates, true discipline effect."""
    t, d = sim.truth, sim.data
    wide = d.pivot(index="discipline", columns="gender", values=["applications", "awards"])
    return pd.DataFrame(
        {
            "apps (f/m)": [f"{f}/{m}" for f, m in wide["applications"].to_numpy()],
            "awards (f/m)": [f"{f}/{m}" for f, m in wide["awards"].to_numpy()],
            "rate f": wide["awards"]["female"] / wide["applications"]["female"],
            "rate m": wide["awards"]["male"] / wide["applications"]["male"],
            "beta": pd.Series(t["beta"]),
        },
        index=wide.index,
    )


_GRANTS_FORMATTERS = {
    "rate f": "{:.1%}".format,
    "rate m": "{:.1%}".format,
    "beta": "{:+.3f}".format,
}


def _grants_sizes(sim: Simulation) -> str:
    d = sim.data
    apps = d.groupby("gender", observed=True)["applications"].sum()
    awards = d.groupby("gender", observed=True)["awards"].sum()
    return (
        f"{len(d)} rows ({d['discipline'].nunique()} disciplines x {d['gender'].nunique()} "
        f"genders), {int(apps.sum()):,} applications, {int(awards.sum()):,} awards"
    )


def _grants_effects(sim: Simulation) -> pd.DataFrame:
    """The true gender effect (female minus male), direct and total, in both units."""
    t = sim.truth
    observed = t["observed_total_effect"]
    return pd.DataFrame(
        {
            "gender effect, female minus male": [
                "direct (discipline held fixed)",
                "total (pooled, expected rates)",
                "total (pooled, observed rates)",
            ],
            "log-odds": [
                t["direct_effect"],
                t["total_effect"],
                float("nan") if observed is None else observed,
            ],
            "percentage points": [
                100 * t["direct_effect_prob"],
                100 * t["total_effect_prob"],
                100 * t["observed_total_effect_prob"],
            ],
        }
    )


def _summarize_grants(sim: Simulation) -> list[str]:
    t = sim.truth
    table = _grants_table(sim)
    observed = t["observed_total_effect"]
    observed_text = "n/a" if observed is None else f"{observed:+.3f}"
    lines = [
        _grants_sizes(sim),
        "",
        _indent(table.reset_index().to_string(index=False, formatters=_GRANTS_FORMATTERS)),
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


def report_summary(section, name: str, sim: Simulation):
    """Add the summary of one simulation to a report section, as HTML tables.

    The same content as :func:`summarize` (sizes, first rows, the truth), laid out as the
    tables of :class:`teachkit.demo.report.Section` instead of monospace text.

    Parameters
    ----------
    section : teachkit.demo.report.Section
    name : str
        The subheading (the preset's name).
    sim : Simulation

    Returns
    -------
    teachkit.demo.report.Section
        ``section``, for chaining.

    Examples
    --------
    >>> from teachkit.demo.report import Section
    >>> html = report_summary(Section("1"), "funnel", simulate.funnel(seed=1)).render()
    >>> html.count("<table"), "<pre>" in html
    (3, False)
    """
    section.heading(name)
    if sim.kind == "grants":
        t = sim.truth
        section.text(_grants_sizes(sim) + ".")
        frame = _grants_table(sim).reset_index()
        for col, fmt in _GRANTS_FORMATTERS.items():
            frame[col] = frame[col].map(fmt)
        section.table(frame)
        section.text("Truth (log-odds of an award; tau: sd of the discipline effects):")
        section.table(
            pd.DataFrame(
                {
                    "alpha female": [f"{t['alpha']['female']:+.3f}"],
                    "alpha male": [f"{t['alpha']['male']:+.3f}"],
                    "tau": [f"{t['tau']:.3g}"],
                }
            )
        )
        effects = _grants_effects(sim)
        effects["log-odds"] = effects["log-odds"].map(lambda v: "n/a" if v != v else f"{v:+.3f}")
        effects["percentage points"] = effects["percentage points"].map("{:+.1f}".format)
        section.table(effects)
        section.text("The gap between direct and total runs through discipline (G -> D -> A).")
        return section
    group = sim.roles["group"]
    table = _group_table(sim)
    section.text(_gaussian_sizes(sim, table) + ".")
    section.text("First rows:")
    section.table(sim.data.head(3), "{:.3f}")
    section.text("Population: the truth, and what the simulated groups realised:")
    section.table(_population_table(sim, table), "{:.4g}")
    shown = table if len(table) <= _MAX_GROUP_ROWS else table.head(_MAX_GROUP_ROWS)
    section.text(f"Truth per {group} (intercept alpha at {sim.roles['x']} = 0, slope beta):")
    section.table(shown.reset_index(), "{:.4f}")
    if len(table) > len(shown):
        section.text(f"... and {len(table) - len(shown)} more {group}s (all in truth.json).")
    return section


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


def _step(k: int, n: int, text: str, started: float) -> None:
    print(f"\n[{k}/{n}] {text}   (t = {time.perf_counter() - started:.0f} s)", flush=True)


def run(
    *,
    out: str | Path = "demo-output",
    seed: int = 2021,
    workers: int = 2,
    timeout: float = 120,
    skip: Iterable[str] = (),
) -> int:
    """Run the demo (``teachkit demo --seed N --out DIR``); returns the exit status.

    Steps: simulate every preset; fit centred vs non-centred on the funnel data; build the
    assignments; grade the bundled sample class; write ``OUT/report.html``.

    Parameters
    ----------
    out : path
        Folder for the demo's outputs (created if needed).
    seed : int
        Seed of every simulation and fit.
    workers : int
        Submissions graded at once.
    timeout : float
        Wall-clock limit per graded notebook, seconds (homework 4's MCMC notebooks get at
        least :data:`MCMC_TIMEOUT`).
    skip : iterable of {"fit", "grade"}
        Steps to leave out: the MCMC step and/or the build-and-grade step.

    Examples
    --------
    >>> import tempfile, contextlib, io
    >>> with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()) as out:
    ...     status = run(seed=1, out=tmp, skip=["fit", "grade"])
    >>> status
    0
    >>> "direct (discipline held fixed)" in out.getvalue()
    True
    """
    from teachkit.demo.report import Section, write_report

    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    skip = set(skip or ())
    unknown = skip - {"fit", "grade"}
    if unknown:
        raise ValueError(f"skip may hold 'fit' and 'grade'; got {sorted(unknown)}")
    n = 5
    sections = []

    _step(1, n, f"simulating every preset with seed {seed}", started)
    sims = simulate_presets(seed)
    for name, sim in sims.items():
        print(summarize(name, sim))
        print()
    paths = save_simulations(sims, out / "data")
    print("written (data.csv + truth.json each):")
    for name, path in paths.items():
        print(f"  {name:<16} {path}")
    sec = Section("1. Simulated data with known truth")
    for name in ("funnel", "grants"):
        report_summary(sec, name, sims[name])
    sec.links({f"{k}/data.csv": str(p.relative_to(out) / "data.csv") for k, p in paths.items()})
    sections.append(sec)

    if "fit" in skip:
        print("\n(skipping the fits: --skip fit)")
    else:
        _step(
            2,
            n,
            "fitting the correlated model to the funnel data, centred and non-centred",
            started,
        )
        from teachkit.demo import fit as demo_fit

        cmp = demo_fit.fit_funnel(sims["funnel"], seed=seed)
        print()
        for label, res in cmp.divergences.items():
            print(f"  divergences, {label:<12} {'PASS' if res else 'FAIL'}: {res.message}")
        print(
            f"  convergence, non-centred  {'PASS' if cmp.convergence['non-centred'] else 'FAIL'}: "
            f"{cmp.convergence['non-centred'].message}"
        )
        table = demo_fit.recovery_table(cmp.recovery)
        print("\n  recovery of the truth by the non-centred fit:")
        print(
            _indent(
                table.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""), "    "
            )
        )
        print(f"  -> {'PASS' if cmp.recovery else 'FAIL'}: {cmp.recovery.message}")
        plots = demo_fit.save_plots(cmp, out / "plots")
        print("  plots: " + ", ".join(str(p) for p in plots.values()))
        sec = Section("2. Centred vs non-centred: divergences and recovery")
        for label, res in cmp.divergences.items():
            sec.text(f"{label}: {res.message}", "pass" if res else "fail")
        sec.text(
            "Recovery by the non-centred fit: " + cmp.recovery.message,
            "pass" if cmp.recovery else "fail",
        )
        sec.table(table)
        for name, path in plots.items():
            sec.image(str(path.relative_to(out)), name)
        sections.append(sec)

    if "grade" in skip:
        print("\n(skipping build and grading: --skip grade)")
    else:
        _step(3, n, "building every assignment (teachkit build) into the output folder", started)
        from teachkit.demo import grade as demo_grade

        demo_grade.build(out)
        _step(4, n, "grading the bundled sample classes (teachkit grade)", started)
        for k, name in enumerate(demo_grade.DEMO_CLASSES):
            # the MCMC homeworks' notebooks fit PyMC models (a minute each warm, a few cold)
            limit = timeout if name == demo_grade.DEMO_ASSIGNMENT else max(timeout, MCMC_TIMEOUT)
            g = demo_grade.grade_class(out, name, workers=workers, timeout=limit)
            rows = pd.DataFrame(g.gradebook.rows())
            cols = [
                c
                for c in ("id", "student", "total", "possible", "status", "id_check", "reason")
                if c in rows
            ]
            print()
            print(_indent(rows[cols].to_string(index=False, max_colwidth=70), "  "))
            flags = pd.read_csv(g.integrity_csv, dtype=str) if g.integrity_csv.is_file() else None
            if g.roster is not None and flags is not None:
                print(f"\n  integrity report ({len(flags)} flags, never penalties):")
                for f in flags.itertuples():
                    print(f"    {f.kind:<16} {f.students:<14} {f.evidence[:90]}")
            sec = Section(f"{3 + k}. Grading a sample class of {name}")
            sec.text(_CLASS_TEXT[name].format(folder=g.class_dir.name))
            sec.table(rows.drop(columns=[c for c in ("possible",) if c in rows]), "{:.2f}")
            links = {
                f"feedback: {p.stem}": str(p.relative_to(out))
                for p in sorted(g.feedback_dir.glob("*.md"))
            } | {"gradebook.csv": str(g.gradebook_csv.relative_to(out))}
            if g.roster is not None and flags is not None:
                sec.text(
                    "The integrity report (integrity.csv): signals for a person to look at, never "
                    "a penalty by themselves."
                )
                sec.table(flags)
                links["integrity.csv"] = str(g.integrity_csv.relative_to(out))
            sec.links(links)
            sections.append(sec)

    _step(5, n, "writing the report", started)
    report = write_report(
        out / "report.html",
        "teachkit demo",
        sections,
        intro=f"seed {seed}; made by `teachkit demo` in {time.perf_counter() - started:.0f} s",
    )
    print(f"\nDone in {time.perf_counter() - started:.0f} s. Look at:")
    look = [(str(report), "the report (open in a browser)")]
    if "grade" not in skip:
        look += [
            (str(out / "grading" / "gradebook.csv"), "the gradebook (homework 1)"),
            (f"{out / 'grading' / 'feedback'}/", "one feedback file per submission"),
            (
                str(out / "hw02-grading" / "gradebook.csv"),
                "homework 2's gradebook (per-student data)",
            ),
            (str(out / "hw02-grading" / "integrity.csv"), "homework 2's integrity report"),
            (str(out / "hw04-grading" / "gradebook.csv"), "homework 4's gradebook and feedback/"),
        ]
    if "fit" not in skip:
        look.append((f"{out / 'plots'}/", "trace, shrinkage and rho plots"))
    width = max(len(p) for p, _ in look)
    for p, what in look:
        print(f"  {p:<{width}}   {what}")
    return 0
