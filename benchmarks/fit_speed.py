"""Side-by-side fit speed: plain ``pm.sample()`` vs ``teachkit.fit.sample`` (rows and
sufficient-statistics likelihood), in one process, on the non-centered correlated model.

Run under the MCMC lock (the machine has 2 cores)::

    flock /tmp/teachkit-mcmc.lock .venv/bin/python benchmarks/fit_speed.py [--cold]

``--cold`` points the compile cache at a fresh temporary folder first, so that the first fit of
each graph pays the full compile; without it the persistent cache is used as it is. Every
configuration is fitted twice in a row in this process: "first" on the data of ``--seed``,
"second" on new data of the same size (``--seed + 1``), as a lecture refit, a calibration run or
a grader refitting a reference model does. The second ``teachkit sample`` fit reuses the first
one's compile (:mod:`teachkit.fit.compile_cache`); plain ``pm.sample()`` compiles again, from the warm
PyTensor cache. Writes ``benchmarks/results/fit_speed.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HYPER = ["mu_a", "mu_b", "sigma_a", "sigma_b", "rho", "sigma"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cold", action="store_true", help="start from an empty compile cache")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sizes", nargs="+", default=["lecture", "homework"])
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "fit_speed.md"))
    args = ap.parse_args(argv)
    if args.cold:
        os.environ["TEACHKIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="teachkit-cold-")
    t_import = time.perf_counter()
    import arviz as az
    import numpy as np
    import pymc as pm

    from teachkit import models, simulate
    from teachkit.fit import cache_dir, sample

    t_import = time.perf_counter() - t_import

    def fit(kind, model, seed):
        t0 = time.perf_counter()
        if kind == "plain pm.sample()":
            idata = pm.sample(model=model, random_seed=seed, progressbar=False)
        else:
            idata = sample(model, seed=seed)
        wall = time.perf_counter() - t0
        ess = az.ess(idata, var_names=HYPER)
        mcse = az.mcse(idata, var_names=HYPER)
        return {
            "wall": wall,
            "sampling": float(idata["posterior"].attrs.get("sampling_time", float("nan"))),
            "min_ess": min(float(ess[v]) for v in HYPER),
            "div": int(idata["sample_stats"]["diverging"].sum()),
            "mean": {v: float(idata["posterior"][v].mean()) for v in HYPER},
            "mcse": {v: float(mcse[v]) for v in HYPER},
            "has_ll": "log_likelihood" in idata.children,
        }

    lines = [
        "# Fit speed, measured (benchmarks/fit_speed.py)",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, PyMC "
        f"{pm.__version__}; compile cache {'EMPTY at start (--cold)' if args.cold else 'as found'}"
        f" ({cache_dir()}); import time {t_import:.1f} s. Model: `correlated(sim, "
        "centered=False)` on `simulate.ozone`, 4 chains x 1000 draws + 1000 tune, seed "
        f"{args.seed} (first fit) and new data of seed {args.seed + 1} (second fit). "
        "ESS/s = smallest bulk ESS of {', '.join(HYPER)} / wall time.",
        "",
    ]
    configs = [
        ("plain pm.sample()", "rows"),
        ("teachkit sample", "rows"),
        ("teachkit sample", "sufficient"),
    ]
    for size in args.sizes:
        sims = {
            "first": simulate.ozone(seed=args.seed, size=size),
            "second": simulate.ozone(seed=args.seed + 1, size=size),
        }
        sim = sims["first"]
        lines += [
            f"## {size}: {len(sim.coords['station'])} stations x "
            f"{len(sim.data) // len(sim.coords['station'])} days ({len(sim.data)} rows)",
            "",
            "| sampler | likelihood | fit | wall s | of which sampling s | ESS/s | min ESS "
            "| divergences | log_likelihood |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        results = {}
        for kind, lik in configs:
            for rep in ("first", "second"):
                model = models.correlated(sims[rep], centered=False, likelihood=lik)
                r = fit(kind, model, args.seed + (rep == "second"))
                results[(kind, lik, rep)] = r
                row = (
                    f"| {kind} | {lik} | {rep} | {r['wall']:.1f} | {r['sampling']:.1f} | "
                    f"{r['min_ess'] / r['wall']:.1f} | {r['min_ess']:.0f} | {r['div']} | "
                    f"{'yes' if r['has_ll'] else 'no'} |"
                )
                print(size, row, flush=True)
                lines.append(row)
        base = results[("plain pm.sample()", "rows", "second")]
        lines += [
            "",
            "Speed-up of the second fit (new data) over plain `pm.sample()` (wall time; ESS/s):",
            "",
        ]
        for kind, lik in configs[1:]:
            r = results[(kind, lik, "second")]
            lines.append(
                f"- {kind}, {lik}: {base['wall'] / r['wall']:.1f}x wall; "
                f"{(r['min_ess'] / r['wall']) / (base['min_ess'] / base['wall']):.1f}x ESS/s"
            )
        lines += [
            "",
            "Agreement of posterior means with plain `pm.sample()` "
            "(|difference| / sqrt(mcse1² + mcse2²); within Monte Carlo error if < ~3):",
            "",
        ]
        for kind, lik in configs[1:]:
            r = results[(kind, lik, "second")]
            z = {
                v: abs(r["mean"][v] - base["mean"][v]) / np.hypot(r["mcse"][v], base["mcse"][v])
                for v in HYPER
            }
            lines.append(f"- {kind}, {lik}: " + ", ".join(f"{v} {z[v]:.2f}" for v in HYPER))
        lines.append("")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    import teachkit

    teachkit.configure_pytensor()  # before PyMC loads: the persistent compile cache
    sys.exit(main())
