"""Does every student's data set still teach homework 4's two lessons?

With per-student data (``simulate.student_seed(assignment, STUDENT_ID)`` as the data seed) each
student fits their own funnel and their own ozone data. Homework 4 rests on two properties of
those data, which must hold for every student, not just for the one seed the notebook ships with:

1. **The funnel makes the centred model diverge visibly** (question 1): the centred model of the
   solution (``LKJCholeskyCov`` + ``MvNormal``) at the notebook's funnel settings
   (``SAMPLE_FUNNEL``: 4 x 2000 draws, 1000 tuning, target_accept 0.8) reports divergences, far
   above the ``max_divergences=10`` that ``checks.divergences`` passes.
2. **The ozone data identify the correlation** (question 3): the non-centred model's 94% interval
   of rho excludes 0, and its posterior sd is below 0.3 (what ``test_q3_recovery`` asks), at the
   notebook's ``SAMPLE`` settings (4 x 2000, target_accept 0.95).

Each student ID ``s0001``, ``s0002``, ... gives a data seed; both models are the solution's own,
sampled through ``teachkit.fit.sample`` (nutpie; each structure compiles once, later students'
data are swapped in). The sampling seed is 410, as in the notebook. Run under the MCMC lock::

    flock /tmp/teachkit-mcmc.lock .venv/bin/python benchmarks/per_student_designs.py --students 50

The report adds, without MCMC, homework 2's lesson from the simulator's truth alone: for each
of ``--students`` (at least 400) IDs, how far the *observed* total effect of gender (log-odds,
from the simulated counts) lies from the direct effect. Homework 2 teaches that the total effect
is more negative because women apply more often to disciplines with low award rates; at the
simulator's defaults that holds for some students and not for others, so the report compares
designs with stronger discipline effects (``tau``) and more applications (``scale``). And
homework 3's pooled line (question 1), by least squares: held against the population line, a
correct fit misses for some students; held against their own stations' average line
(``Simulation.realised_truth``), it does not.

Writes ``benchmarks/results/per_student_designs.md`` and, one line per student,
``per_student_designs.jsonl`` (``--report-only`` rewrites the report from it).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
import warnings
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "results" / "per_student_designs.md"
RUNS = OUT.with_suffix(".jsonl")
ASSIGNMENT = "hw04-covarying-parameters"
MAX_DIVERGENCES = 10  # checks.divergences' default, which test_q1_diverges needs exceeded
VISIBLE = 50  # "a pile nobody can miss": five times that


def centred_funnel(funnel):
    """Question 1's solution model on one student's funnel."""
    import pymc as pm
    import pytensor.tensor as pt

    group = funnel.data["group"].cat.codes.to_numpy()
    x, y = funnel.data["x"].to_numpy(), funnel.data["y"].to_numpy()
    with pm.Model(coords={**funnel.coords, "coef": ["intercept", "slope"]}) as model:
        mu_a = pm.Normal("mu_a", 0, 2)
        mu_b = pm.Normal("mu_b", 0, 2)
        chol, corr, stds = pm.LKJCholeskyCov(
            "chol_cov", n=2, eta=2, sd_dist=pm.HalfCauchy.dist(1, shape=2), compute_corr=True
        )
        coeffs = pm.MvNormal("coeffs", mu=pt.stack([mu_a, mu_b]), chol=chol, dims=("group", "coef"))
        sigma = pm.HalfCauchy("sigma", 1)
        pm.Normal("y", coeffs[group, 0] + coeffs[group, 1] * x, sigma, observed=y)
    return model


def noncentred_ozone(ozone):
    """Question 3's solution model on one student's ozone data."""
    import pymc as pm
    import pytensor.tensor as pt

    station = ozone.data["station"].cat.codes.to_numpy()
    temp, log_ozone = ozone.data["temp"].to_numpy(), ozone.data["log_ozone"].to_numpy()
    with pm.Model(coords={**ozone.coords, "coef": ["intercept", "slope"]}) as model:
        mu_a = pm.Normal("mu_a", 0, 2)
        mu_b = pm.Normal("mu_b", 0, 0.1)
        sigma_a = pm.HalfCauchy("sigma_a", 1)
        sigma_b = pm.HalfCauchy("sigma_b", 1)
        chol_corr = pm.LKJCorr("chol_corr", n=2, eta=2)
        pm.Deterministic("rho", chol_corr[1, 0])
        chol = pt.stack([sigma_a, sigma_b])[:, None] * chol_corr
        z = pm.Normal("z", 0, 1, dims=("station", "coef"))
        coeffs = pt.stack([mu_a, mu_b]) + z @ chol.T
        sigma = pm.HalfCauchy("sigma", 1)
        pm.Normal(
            "log_ozone", coeffs[station, 0] + coeffs[station, 1] * temp, sigma, observed=log_ozone
        )
    return model


def measure(student_id: str) -> dict:
    from teachkit import simulate
    from teachkit.fit import sample

    seed = simulate.student_seed(ASSIGNMENT, student_id)
    funnel = simulate.funnel(seed=seed)
    ozone = simulate.ozone(seed=seed, n_days=300, sd_intercept=0.4, sd_slope=0.02)
    q1 = sample(
        centred_funnel(funnel),
        seed=410,
        draws=2000,
        tune=1000,
        chains=4,
        target_accept=0.8,
        log_likelihood=False,
    )
    q3 = sample(
        noncentred_ozone(ozone),
        seed=410,
        draws=2000,
        tune=1000,
        chains=4,
        target_accept=0.95,
        log_likelihood=False,
    )
    rho = q3["posterior"]["rho"].values.ravel()
    low, high = np.quantile(rho, [0.03, 0.97])
    return {
        "id": student_id,
        "seed": seed,
        "q1_divergences": int(q1["sample_stats"]["diverging"].sum()),
        "q3_divergences": int(q3["sample_stats"]["diverging"].sum()),
        "rho_mean": float(rho.mean()),
        "rho_sd": float(rho.std()),
        "rho_94": (float(low), float(high)),
    }


def _hw02_gaps(n: int, **design) -> tuple[np.ndarray, np.ndarray]:
    """Observed total minus direct effect (log-odds) of ``n`` students' grants data, and the same
    in standard errors of the observed total effect (the normal approximation of a gender-only
    fit's posterior: its sd is that of the difference of two log-odds of pooled counts)."""
    from teachkit import simulate

    gaps, z = [], []
    for i in range(1, n + 1):
        seed = simulate.student_seed("hw02-grants-binomial", f"s{i:04d}")
        sim = simulate.grants(seed=seed, **design)
        pooled = sim.data.groupby("gender", observed=True)[["applications", "awards"]].sum()
        p = pooled["awards"] / pooled["applications"]
        se = float(np.sqrt((1 / (pooled["applications"] * p * (1 - p))).sum()))
        gaps.append(sim.truth["observed_total_effect"] - sim.truth["direct_effect"])
        z.append(gaps[-1] / se)
    return np.array(gaps), np.array(z)


#: the z beyond which a 99.8% central interval (checks.recovery's) misses the truth
_Z_998 = 3.09


def hw02_lines(n: int) -> list[str]:
    """Homework 2 per student, from the simulator's truth: observed total vs direct effect."""
    lines = [
        f"Homework 2 (no MCMC; {n} student IDs): observed total effect minus direct effect "
        "(log-odds). The lesson needs it clearly negative: the total effect is more negative "
        "because women apply more often to disciplines with low award rates. The last column "
        "is the share of students for whom a gender-only model, written where question 2 asks "
        "for discipline too, would still cover the true direct effect with its 99.8% interval "
        f"(|gap| under {_Z_998} standard errors of the observed total effect), so that "
        "recovery could not catch it.",
        "",
        "| `simulate.grants` design | min | 5% | median | 95% | max | less negative than direct "
        "| within 0.1 of direct | gender-only fit covers the direct effect |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, design in (
        ("defaults (tau 0.5, scale 1)", {}),
        ("tau 1, scale 1", {"tau": 1.0}),
        ("tau 1, scale 4", {"tau": 1.0, "scale": 4}),
        ("**tau 1, scale 8 (homework 2's design)**", {"tau": 1.0, "scale": 8}),
    ):
        gap, z = _hw02_gaps(n, **design)
        q = np.percentile(gap, [0, 5, 50, 95, 100])
        lines.append(
            f"| {label} | {q[0]:.2f} | {q[1]:.2f} | {q[2]:.2f} | {q[3]:.2f} | {q[4]:.2f} | "
            f"{(gap > 0).mean():.0%} | {(gap > -0.1).mean():.0%} | "
            f"{(np.abs(z) < _Z_998).mean():.1%} |"
        )
    return lines


def _hw03_pooled_z(n: int, rho: float) -> tuple[np.ndarray, np.ndarray]:
    """Largest |z| of the pooled line (question 1) of ``n`` students' homework-3 data, against the
    population line and against the average line of the student's 12 stations.

    The pooled model's posterior is taken as its normal approximation: least squares of log ozone on
    temperature, with its standard errors (the priors, Normal(0, 2) and Normal(0, 0.1), are weak
    beside 1200 rows)."""
    from teachkit import simulate

    z_pop, z_real = [], []
    for i in range(1, n + 1):
        seed = simulate.student_seed("hw03-varying-effects", f"s{i:04d}")
        sim = simulate.ozone(seed=seed, size="homework", rho=rho)
        x = np.c_[np.ones(len(sim.data)), sim.data["temp"].to_numpy()]
        y = sim.data["log_ozone"].to_numpy()
        coef = np.linalg.lstsq(x, y, rcond=None)[0]
        resid = y - x @ coef
        se = np.sqrt(np.diag(resid @ resid / (len(y) - 2) * np.linalg.inv(x.T @ x)))
        real = sim.realised_truth()
        z_pop.append(np.abs((coef - [sim.truth["mu_a"], sim.truth["mu_b"]]) / se).max())
        z_real.append(np.abs((coef - [real["mu_a"], real["mu_b"]]) / se).max())
    return np.array(z_pop), np.array(z_real)


def hw03_lines(n: int) -> list[str]:
    """Homework 3 per student, without MCMC: the pooled line against population and realised truth."""
    lines = [
        f"Homework 3 (no MCMC; {n} student IDs): question 1's pooled line (least squares, the "
        "normal approximation of its posterior) held against the population line (`mu_a`, "
        "`mu_b`) and against the average line of the student's own 12 stations "
        "(`sim.realised_truth()`). A correct fit fails `checks.recovery` when |z| exceeds "
        f"{_Z_998} for either coefficient.",
        "",
        '| `simulate.ozone(size="homework")` design | fails against the population | '
        "largest \\|z\\| | fails against the realised stations | largest \\|z\\| |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, rho in (
        ("rho -0.9 (the lecture's)", -0.9),
        ("**rho 0 (homework 3's design)**", 0.0),
    ):
        z_pop, z_real = _hw03_pooled_z(n, rho)
        lines.append(
            f"| {label} | {(z_pop > _Z_998).mean():.1%} | {z_pop.max():.2f} | "
            f"{(z_real > _Z_998).mean():.1%} | {z_real.max():.2f} |"
        )
    return lines


def report(rows: list[dict], seconds: float | None = None) -> str:
    n = len(rows)
    div = np.array([r["q1_divergences"] for r in rows])
    graded = int((div > MAX_DIVERGENCES).sum())
    visible = int((div >= VISIBLE).sum())
    identified = sum(r["rho_94"][1] < 0 and r["rho_sd"] < 0.3 for r in rows)
    took = f", {seconds:.0f} s" if seconds is not None else ""
    lines = [
        "# Homework 4 with per-student data: does every student's data set teach its lessons?",
        "",
        f"Written by `benchmarks/per_student_designs.py --students {n}` ({time.strftime('%Y-%m-%d')}"
        f'{took}). Student IDs s0001-s{n:04d}, data seed `simulate.student_seed("{ASSIGNMENT}", id)`, '
        "the solution's models at the notebook's settings, sampling seed 410.",
        "",
        "| lesson | students for whom it holds |",
        "| --- | ---: |",
        f"| q1: the centred funnel fit fails `checks.divergences` (more than {MAX_DIVERGENCES} "
        f"divergences: what `test_q1_diverges` needs) | {graded} of {n} |",
        f"| q1: ... with a pile nobody can miss (at least {VISIBLE}) | {visible} of {n} |",
        f"| q3: the ozone data identify rho (94% interval below 0 and posterior sd < 0.3, as "
        f"`test_q3_recovery` asks) | {identified} of {n} |",
        "",
        f"Centred funnel divergences over students: min {div.min()}, median {int(np.median(div))}, "
        f"max {div.max()} (of 8000 draws). Non-centred ozone divergences: max "
        f"{max(r['q3_divergences'] for r in rows)}.",
        "",
        *hw02_lines(max(n, 400)),
        "",
        *hw03_lines(max(n, 400)),
        "",
        "| student | data seed | q1 divergences | rho mean | rho sd | rho 94% interval |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['id']} | {r['seed']} | {r['q1_divergences']} | {r['rho_mean']:.2f} | "
            f"{r['rho_sd']:.2f} | [{r['rho_94'][0]:.2f}, {r['rho_94'][1]:.2f}] |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=50)
    ap.add_argument(
        "--report-only", action="store_true", help="rewrite the report from the runs file"
    )
    args = ap.parse_args(argv)
    if args.report_only:
        rows = [json.loads(line) for line in RUNS.read_text().splitlines() if line.strip()]
        OUT.write_text(report(rows))
        print(f"wrote {OUT}")
        return 0
    warnings.filterwarnings("ignore")
    logging.getLogger("pymc").setLevel(logging.ERROR)
    rows = []
    t0 = time.perf_counter()
    RUNS.write_text("")
    for i in range(1, args.students + 1):
        r = measure(f"s{i:04d}")
        rows.append(r)
        with RUNS.open("a") as f:
            f.write(json.dumps(r) + "\n")
        print(
            f"{r['id']} seed {r['seed']}: q1 {r['q1_divergences']} divergences; rho {r['rho_mean']:.2f} "
            f"sd {r['rho_sd']:.2f} 94% [{r['rho_94'][0]:.2f}, {r['rho_94'][1]:.2f}]",
            flush=True,
        )
    OUT.write_text(report(rows, time.perf_counter() - t0))
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
