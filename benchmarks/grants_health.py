"""How often homework 2's graded sampler-health checks pass a correct grants fit.

Homework 2 grades ``divergences`` + ``convergence`` of its direct-effect model (q2) and of its
multilevel model (q3, ``tau ~ HalfCauchy(5)``, centred discipline effects). This fits both (the
solution's models are ``teachkit.models.grants_direct`` and ``grants_multilevel``) on ``--seeds``
data sets of ``simulate.grants`` at the notebook's settings (4 x 1000 draws, sampling seed 410),
through ``teachkit.fit.sample`` (so each structure compiles once), and reports the pass
rate. Run under the MCMC lock::

    flock /tmp/teachkit-mcmc.lock .venv/bin/python benchmarks/grants_health.py --seeds 50

Writes ``benchmarks/results/grants_health.md``.
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from pathlib import Path

OUT = Path(__file__).resolve().parent / "results" / "grants_health.md"


def fit_and_check(sim, question: str) -> tuple[bool, int, str]:
    from teachkit import checks, models
    from teachkit.fit import sample

    # the solution's models: alpha ~ N(0, 2) by gender; q2 beta ~ N(0, 1), q3 beta ~ N(0, tau),
    # tau ~ HalfCauchy(5) by discipline; direct_effect = alpha[female] - alpha[male]
    build = models.grants_direct if question == "q2" else models.grants_multilevel
    idata = sample(build(sim), seed=410, draws=1000, tune=1000, chains=4, log_likelihood=False)
    names = ["direct_effect"] if question == "q2" else ["tau", "direct_effect"]
    health = checks.combine(checks.divergences(idata), checks.convergence(idata, var_names=names))
    return health.passed, int(idata["sample_stats"]["diverging"].sum()), health.message


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=400)
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    logging.getLogger("pymc").setLevel(logging.ERROR)
    from teachkit import simulate

    rows = {"q2": [], "q3": []}
    failures = []
    t0 = time.perf_counter()
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        sim = simulate.grants(seed=seed)
        for q in rows:
            ok, div, message = fit_and_check(sim, q)
            rows[q].append((ok, div))
            if not ok:
                failures.append(f"- data seed {seed}, {q}: {message}")
            print(f"seed {seed} {q}: {'pass' if ok else 'FAIL'} ({div} divergences)", flush=True)
    lines = [
        "# Homework 2: sampler-health checks on correct grants fits",
        "",
        f"`benchmarks/grants_health.py`: {args.seeds} data sets of `simulate.grants` (seeds "
        f"{args.first_seed}-{args.first_seed + args.seeds - 1}), the solution's models, 4 x 1000 "
        f"draws, sampling seed 410; {time.perf_counter() - t0:.0f} s in all.",
        "",
        "| question | model | health passes | divergences (max) |",
        "| --- | --- | ---: | ---: |",
    ]
    labels = {"q2": "direct effect (gender + discipline)", "q3": "multilevel, tau ~ HalfCauchy(5)"}
    for q, rs in rows.items():
        passed = sum(ok for ok, _ in rs)
        lines.append(f"| {q} | {labels[q]} | {passed} of {len(rs)} | {max(d for _, d in rs)} |")
    lines += ["", *(failures or ["No failures."]), ""]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    import teachkit

    teachkit.configure_pytensor()  # before PyMC loads: the persistent compile cache
    raise SystemExit(main())
