"""Calibrate teachkit.checks: how often a right model passes and wrong models fail.

Fits, for each of ``--seeds`` seeds of homework-sized data, the right model (correlated,
non-centred) and wrong ones, then runs ``divergences``, ``convergence`` and ``recovery`` (and
``structure`` once per model) and reports each check's pass rate per model.

Data sets and models (``teachkit.simulate`` / ``teachkit.models``):

- ``ozone``  -- ``simulate.ozone(size="homework")`` (12 stations x 100 days): right model
  ``correlated(centered=False)`` (and homework 3's ``varying_slopes(centered=False)``, right but
  for the correlation, checked without ``rho``); wrong: ``pooled`` (slopes vary),
  ``varying_intercepts`` (wrong group structure).
- ``funnel`` -- ``simulate.funnel()`` (20 groups x 5): right ``correlated(centered=False)``;
  wrong ``correlated(centered=True)``.
- ``varying`` -- ``simulate.varying_effects()`` (20 groups x 10, slope sd 0.5): right
  ``correlated(centered=False)``; wrong ``pooled`` and ``varying_intercepts``.  Added because at
  homework size the ozone slopes vary too little (sd 0.004 per degC) for any check of the fit to
  tell a pooled model from the right one; here slopes vary clearly.

On ``funnel`` and ``varying`` data the slope mean is 0.5 / 1.0, so the builders get
``mu_b_sd=2`` (the lecture's ``Normal(0, 0.1)`` prior on the slope mean is for ozone slopes per
degC and would contradict those truths).

Speed: fits go through ``teachkit.fit.sample``, which compiles each model structure once per
process and swaps only the data for every further seed (``teachkit.fit.compile_cache``).  The first
seed of each (data, model) pair is additionally (right models) fitted from a fresh compile
(``reuse=False``) and compared, to prove the swap changes nothing.

Run (each line a few minutes to ~15 minutes on 2 cores; results accumulate in the raw file, keyed
by data, model, seed and settings, so runs at different settings sit side by side)::

    L="flock /tmp/teachkit-mcmc.lock .venv/bin/python benchmarks/calibrate_checks.py --seeds 50"
    $L --draws 2000 --target-accept 0.95 --models correlated_noncentered correlated_centered
    $L --draws 2000 --target-accept 0.95 --data ozone --models varying_slopes_noncentered
    $L --draws 2000 --target-accept 0.9 --models correlated_noncentered pooled varying_intercepts
    $L --draws 1000 --target-accept 0.95 --data ozone --models correlated_noncentered

(about 3 minutes per 50 fits of one data set and model here). Runs of the first session, with
the ``LKJCholeskyCov`` form of the non-centred model, are kept in
``results/calibrate_checks_lkjcholeskycov.jsonl``.

Raw per-fit numbers go to ``benchmarks/results/calibrate_checks.jsonl`` (appended as they come,
so a run can be summarised while it goes: ``--summarise-only``); the summary table to
``benchmarks/results/calibrate_checks.md``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
GRADED_VARS = ["mu_a", "mu_b", "sigma_a", "sigma_b", "rho", "sigma", "alpha", "beta"]

#: (max R-hat, min ESS) pairs whose pass rates the summary reports side by side
CANDIDATES = [(1.01, 400), (1.02, 400), (1.02, 200), (1.05, 400), (1.05, 200), (1.05, 100)]
RIGHT = "correlated_noncentered"
PLAN = {
    # data set: [(model name, right?)]
    "ozone": [
        (RIGHT, True),
        ("varying_slopes_noncentered", True),  # homework 3's model: right, without the correlation
        ("pooled", False),
        ("varying_intercepts", False),
    ],
    "funnel": [(RIGHT, True), ("correlated_centered", False)],
    "varying": [(RIGHT, True), ("pooled", False), ("varying_intercepts", False)],
}
STRUCTURE_REQUIRED = {
    "varying_intercepts": True,
    "varying_slopes": True,
    "lkj": True,
    "noncentered": True,
}
#: what ``structure`` requires of a model other than the correlated one
STRUCTURE_OF = {"varying_slopes_noncentered": {**STRUCTURE_REQUIRED, "lkj": False}}


def simulate_data(name: str, seed: int):
    from teachkit import simulate

    if name == "ozone":
        return simulate.ozone(seed=seed, size="homework")
    if name == "funnel":
        return simulate.funnel(seed=seed)
    if name == "varying":
        return simulate.varying_effects(seed=seed)
    raise ValueError(f"unknown data set {name!r}")


def build(model: str, sim, data_name: str):
    from teachkit import models

    if model not in models.GAUSSIAN_MODELS:
        raise ValueError(f"unknown model {model!r}; choose from {sorted(models.GAUSSIAN_MODELS)}")
    kw = {} if data_name == "ozone" else {"mu_b_sd": 2.0}
    return models.GAUSSIAN_MODELS[model](sim, **kw)


def run_checks(idata, sim, args, model_name=RIGHT) -> dict:
    from teachkit import checks

    d = checks.divergences(idata)
    c = checks.convergence(idata, var_names=[v for v in GRADED_VARS if v in idata.posterior])
    if model_name == "varying_slopes_noncentered":  # no correlation: rho is not its to recover
        r = checks.recovery(idata, sim, var_names=[v for v in GRADED_VARS if v != "rho"])
    else:  # every true parameter (a model lacking one fails)
        r = checks.recovery(idata, sim)
    det = r.details
    hyper_ok = all(p["inside"] for p in det.get("parameters", []) if p["group"] is None)
    groups_ok = all(g["misses"] <= g["allowed"] for g in det.get("groups", {}).values())
    width_ok = all(
        v["band"][0] <= v["ratio"] <= v["band"][1] for v in det.get("sd_ratios", {}).values()
    )
    worst = c.details.get("worst", {})
    return {
        "n_divergent": d.details["n_divergent"],
        "div_pass": d.passed,
        "conv_pass": c.passed,
        "max_rhat": max((w["max_rhat"] for w in worst.values()), default=None),
        "min_ess_bulk": min((w["min_ess_bulk"] for w in worst.values()), default=None),
        "min_ess_tail": min((w["min_ess_tail"] for w in worst.values()), default=None),
        "rec_pass": r.passed,
        "rec_hyper_pass": hyper_ok,
        "rec_groups_pass": groups_ok,
        "rec_width_pass": width_ok,
        "rec_missing": list(det.get("skipped", [])),
        "sd_ratio": {k: v["ratio"] for k, v in det.get("sd_ratios", {}).items()},
        "max_abs_z_hyper": max(
            (abs(p["z"]) for p in det.get("parameters", []) if p["group"] is None), default=None
        ),
        "group_misses": {k: g["misses"] for k, g in det.get("groups", {}).items()},
        "all_pass": d.passed and c.passed and r.passed,
        "messages": [m.message for m in (d, c, r) if not m.passed],
    }


def calibrate(args) -> None:
    from teachkit import checks
    from teachkit.fit import sample

    RESULTS.mkdir(exist_ok=True)
    raw = Path(args.raw)
    done = set()
    if raw.exists() and not args.fresh:
        for line in raw.read_text().splitlines():
            rec = json.loads(line)
            done.add(
                (
                    rec["data"],
                    rec["model"],
                    rec["seed"],
                    rec["draws"],
                    rec["tune"],
                    rec["chains"],
                    rec["target_accept"],
                )
            )
    elif raw.exists():
        raw.unlink()
    structures = {}
    sample_kw = {
        "draws": args.draws,
        "tune": args.tune,
        "chains": args.chains,
        "target_accept": args.target_accept,
        "log_likelihood": False,
    }
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    for data_name in args.data:
        for model_name, right in PLAN[data_name]:
            if args.models and model_name not in args.models:
                continue
            key = (args.draws, args.tune, args.chains, args.target_accept)
            todo = [s for s in seeds if (data_name, model_name, s, *key) not in done]
            sim0 = simulate_data(data_name, seeds[0])
            model0 = build(model_name, sim0, data_name)
            structures[(data_name, model_name)] = checks.structure(
                model0, **STRUCTURE_OF.get(model_name, STRUCTURE_REQUIRED)
            ).passed
            if not todo:
                continue
            compile_s = None  # the first fit of a structure: compile included
            for i, seed in enumerate(todo):
                sim = simulate_data(data_name, seed)
                model = build(model_name, sim, data_name)
                t = time.perf_counter()
                idata = sample(model, seed=seed, **sample_kw)
                secs = time.perf_counter() - t
                if compile_s is None:
                    compile_s = secs
                    print(
                        f"[{data_name}/{model_name}] first fit (compile) {secs:.1f} s", flush=True
                    )
                rec = run_checks(idata, sim, args, model_name)
                if i == 0 and right:
                    # proof that swapping data equals a fresh compile: same seed, no reuse
                    fresh = sample(model, seed=seed, reuse=False, **sample_kw)
                    a = idata.posterior["mu_b"].values.ravel()
                    b = fresh.posterior["mu_b"].values.ravel()
                    se = np.hypot(a.std(), b.std()) / np.sqrt(min(len(a), len(b)) / 4)
                    rec["fresh_build_mu_b_diff_in_se"] = float(abs(a.mean() - b.mean()) / se)
                rec.update(
                    data=data_name,
                    model=model_name,
                    right=right,
                    seed=seed,
                    sample_seconds=secs,
                    compile_seconds=compile_s,
                    structure_pass=structures[(data_name, model_name)],
                    draws=args.draws,
                    tune=args.tune,
                    chains=args.chains,
                    target_accept=args.target_accept,
                )
                with raw.open("a") as fh:
                    fh.write(json.dumps(rec) + "\n")
                print(
                    f"  seed {seed}: div {rec['n_divergent']:4d}  rhat {rec['max_rhat']:.3f}  "
                    f"essb {rec['min_ess_bulk']:.0f}  rec {rec['rec_pass']}  all {rec['all_pass']}  "
                    f"{secs:.1f}s",
                    flush=True,
                )


def _q(values, qs=(0.0, 0.5, 0.95, 1.0), fmt="{:.3g}") -> str:
    v = np.asarray([x for x in values if x is not None], dtype=float)
    if v.size == 0:
        return "-"
    return " / ".join(fmt.format(x) for x in np.quantile(v, qs))


def _rejudge(r: dict) -> dict:
    """Verdicts of a stored fit under the current defaults of teachkit.checks."""
    from teachkit import checks

    r = dict(r)
    r["div_pass"] = r["n_divergent"] <= checks.MAX_DIVERGENCES
    r["conv_pass"] = (
        r["max_rhat"] is not None
        and r["max_rhat"] <= checks.MAX_RHAT
        and r["min_ess_bulk"] >= checks.MIN_ESS_BULK
        and r["min_ess_tail"] >= checks.MIN_ESS_TAIL
    )
    from teachkit.checks.recovery import _bands

    bands = _bands(checks.SD_BAND)
    r["rec_width_pass"] = all(
        bands.get(k, bands[None])[0] <= v <= bands.get(k, bands[None])[1]
        for k, v in r["sd_ratio"].items()
    )
    r["rec_pass"] = (
        r["rec_hyper_pass"]
        and r["rec_groups_pass"]
        and r["rec_width_pass"]
        and not r.get("rec_missing")  # every true parameter must be in the posterior
    )
    r["all_pass"] = r["div_pass"] and r["conv_pass"] and r["rec_pass"]
    return r


def summarise(args) -> str:
    from teachkit import checks

    raw = Path(args.raw)
    recs = [json.loads(line) for line in raw.read_text().splitlines()] if raw.exists() else []
    if not recs:
        return "no results yet"
    recs = [_rejudge(r) for r in recs]
    settings = {(r["draws"], r["tune"], r["chains"], r["target_accept"]) for r in recs}
    lines = [
        "# Calibration of teachkit.checks",
        "",
        "Generated by `benchmarks/calibrate_checks.py` (do not edit by hand).",
        "",
        "Settings: "
        + "; ".join(
            f"nutpie, {c} chains x {d} draws after {t} tuning steps, target_accept {ta}"
            for d, t, c, ta in sorted(settings)
        )
        + ".",
        f"Checks at their current defaults (verdicts recomputed from the stored numbers): "
        f"`divergences(max_divergences={checks.MAX_DIVERGENCES})`, `convergence(max_rhat="
        f"{checks.MAX_RHAT}, min_ess_bulk={checks.MIN_ESS_BULK}, min_ess_tail="
        f"{checks.MIN_ESS_TAIL})` on the graded variables "
        f"({', '.join(GRADED_VARS)}; those the model has), `recovery(idata, sim)` (99.8% intervals "
        "for hyperparameters; 99.8% per group coefficient with a binomial allowance of misses at "
        "0.5%; posterior sd / `reference_sd(sim)` within "
        + ", ".join(f"{k} {lo}-{hi}x" for k, (lo, hi) in checks.SD_BAND.items())
        + "), and "
        "`structure(model, varying_intercepts=True, varying_slopes=True, lkj=True, "
        "noncentered=True)`.",
        "",
        (
            "| data | model | right? | draws / target_accept | seeds | divergences pass | convergence pass | recovery pass "
            "(hyper / groups / sd band / has every true parameter) | all three pass | structure pass | verdict |"
        ),
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    groups = {}
    for r in recs:
        label = f"{r['draws']} / {r['target_accept']}"  # draws per chain / target_accept
        groups.setdefault((label, r["data"], r["model"]), []).append(r)

    def pct(xs):
        return f"{100 * np.mean(xs):.0f}%"

    for (draws, data, model), rs in groups.items():
        right = rs[0]["right"]
        n = len(rs)
        allp = [r["all_pass"] for r in rs]
        struct = rs[0]["structure_pass"]
        if right:
            verdict = "OK (>= 98% pass)" if np.mean(allp) >= 0.98 else "BELOW TARGET (< 98% pass)"
        else:
            fail_fit = 1 - np.mean(allp)
            verdict = (
                f"fit checks fail {100 * fail_fit:.0f}%"
                + (" (OK)" if fail_fit >= 0.95 else " (< 95%)")
                + ("; structure fails always" if not struct else "")
            )
        lines.append(
            f"| {data} | {model} | {'yes' if right else 'no'} | {draws} | {n} | "
            f"{pct([r['div_pass'] for r in rs])} | {pct([r['conv_pass'] for r in rs])} | "
            f"{pct([r['rec_pass'] for r in rs])} ({pct([r['rec_hyper_pass'] for r in rs])} / "
            f"{pct([r['rec_groups_pass'] for r in rs])} / {pct([r['rec_width_pass'] for r in rs])} / "
            f"{pct([not r.get('rec_missing') for r in rs])}) | "
            f"{pct(allp)} | {'yes' if struct else 'no'} | {verdict} |"
        )
    lines += [
        "",
        "Distributions over seeds (min / median / 95th percentile / max):",
        "",
        (
            "| data | model | draws / target_accept | divergences | max R-hat | min bulk ESS | min tail ESS | sd ratio mu_b | "
            "max abs z (hyper) | sampling s |"
        ),
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for (draws, data, model), rs in groups.items():
        lines.append(
            f"| {data} | {model} | {draws} | {_q([r['n_divergent'] for r in rs], fmt='{:.0f}')} | "
            f"{_q([r['max_rhat'] for r in rs], fmt='{:.3f}')} | "
            f"{_q([r['min_ess_bulk'] for r in rs], fmt='{:.0f}')} | "
            f"{_q([r['min_ess_tail'] for r in rs], fmt='{:.0f}')} | "
            f"{_q([r['sd_ratio'].get('mu_b') for r in rs], fmt='{:.2f}')} | "
            f"{_q([r['max_abs_z_hyper'] for r in rs], fmt='{:.2f}')} | "
            f"{_q([r['sample_seconds'] for r in rs], fmt='{:.1f}')} |"
        )
    lines += [
        "",
        (
            "Sensitivity to the convergence thresholds (same fits; share of seeds passing "
            "divergences + recovery + convergence with max R-hat / min bulk and tail ESS as given):"
        ),
        "",
        "| data | model | draws / target_accept | "
        + " | ".join(f"R-hat <= {r}, ESS >= {e}" for r, e in CANDIDATES)
        + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in CANDIDATES) + " |",
    ]
    for (draws, data, model), rs in groups.items():
        cells = []
        for rmax, emin in CANDIDATES:
            ok = [
                r["div_pass"]
                and r["rec_pass"]
                and r["max_rhat"] is not None
                and r["max_rhat"] <= rmax
                and r["min_ess_bulk"] >= emin
                and r["min_ess_tail"] >= emin
                for r in rs
            ]
            cells.append(pct(ok))
        lines.append(f"| {data} | {model} | {draws} | " + " | ".join(cells) + " |")
    fresh = [
        (r["data"], r["model"], r["fresh_build_mu_b_diff_in_se"])
        for r in recs
        if "fresh_build_mu_b_diff_in_se" in r
    ]
    if fresh:
        lines += [
            "",
            "Data swap check (first seed of each pair refitted from a fresh build, same seed): "
            "|difference of posterior means of mu_b| in Monte Carlo standard errors: "
            + ", ".join(f"{d}/{m} {x:.2f}" for d, m, x in fresh)
            + ".",
        ]
    fails_right = [r for r in recs if r["right"] and not r["all_pass"]]
    if fails_right:
        lines += ["", "Right-model failures (seed: messages):", ""]
        for r in fails_right:
            lines.append(
                f"- {r['data']} {r['model']} ({r['chains']} x {r['draws']}, target_accept "
                f"{r['target_accept']}) seed {r['seed']}: " + " | ".join(r["messages"] or [])
            )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=50)
    p.add_argument("--first-seed", type=int, default=1)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--tune", type=int, default=1000)
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--target-accept", type=float, default=0.8)
    p.add_argument("--data", nargs="+", default=list(PLAN), choices=list(PLAN))
    p.add_argument(
        "--models",
        nargs="+",
        default=None,
        choices=sorted({m for v in PLAN.values() for m, _ in v}),
        help="fit only these models (default all of PLAN)",
    )
    p.add_argument("--raw", default=str(RESULTS / "calibrate_checks.jsonl"))
    p.add_argument("--out", default=str(RESULTS / "calibrate_checks.md"))
    p.add_argument("--fresh", action="store_true", help="discard earlier raw results")
    p.add_argument("--summarise-only", action="store_true")
    args = p.parse_args(argv)
    logging.getLogger("pymc").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    if not args.summarise_only:
        calibrate(args)
    text = summarise(args)
    Path(args.out).parent.mkdir(exist_ok=True)
    Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    import teachkit

    teachkit.configure_pytensor()  # before PyMC loads: the persistent compile cache
    sys.exit(main())
