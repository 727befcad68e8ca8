"""How often ``teachkit.checks.provenance.check_posterior`` calls a genuine sampler run a fabrication.

A verdict of "not a real sampler run" costs a student every point of the question, so it must
never fall on a real fit. This fits every homework model on simulated data, with nutpie and with
PyMC's own NUTS, at several settings (draws, chains, target_accept), including the centred
correlated model on funnel data, whose chains get stuck, and hands each posterior to
``check_posterior`` as it comes and reshaped the ordinary ways a student might (a burn-in cut
with ``.sel(draw=slice(...))``, thinning, a subset of chains). It also counts how many fits had
a chain stuck for 100 draws or more, so that the count shows those were covered.

Each fit takes the MCMC lock (``/tmp/teachkit-mcmc.lock``) by itself, so other MCMC jobs on the
machine interleave instead of waiting for the whole run (``--no-lock``: share the cores instead;
timings are then not comparable, the verdicts are)::

    .venv/bin/python benchmarks/provenance_false_positives.py --seeds 20

Writes ``benchmarks/results/provenance_false_positives.md`` and ``.jsonl`` (one line per fit).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import itertools
import json
import logging
import time
import warnings
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
LOCK = "/tmp/teachkit-mcmc.lock"

#: (draws, tune, chains, target_accept): the homework's SAMPLE and the settings students change
SETTINGS = [(2000, 1000, 4, 0.95), (1000, 1000, 4, 0.8), (500, 500, 2, 0.9), (1000, 500, 3, 0.99)]


@contextlib.contextmanager
def mcmc_lock():
    with open(LOCK, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def lkjcholeskycov_noncentered(sim):
    """The non-centred model written with LKJCholeskyCov's factor (a style students use)."""
    import numpy as np
    import pymc as pm
    import pytensor.tensor as pt

    d = sim.data
    g, x, y = (sim.roles[k] for k in ("group", "x", "y"))
    codes = d[g].cat.codes.to_numpy()
    coords = {g: list(d[g].cat.categories), "coef": ["intercept", "slope"]}
    with pm.Model(coords=coords) as model:
        mu_a = pm.Normal("mu_a", 0, 2)
        mu_b = pm.Normal("mu_b", 0, 0.1 if sim.kind == "ozone" else 1)
        chol, corr, stds = pm.LKJCholeskyCov(
            "chol_cov", n=2, eta=2, sd_dist=pm.HalfCauchy.dist(1, shape=2), compute_corr=True
        )
        pm.Deterministic("rho", corr[0, 1])
        z = pm.Normal("z", 0, 1, dims=("coef", g))
        coeffs = pm.Deterministic(
            "coeffs", (pt.stack([mu_a, mu_b])[:, None] + chol @ z).T, dims=(g, "coef")
        )
        sigma = pm.HalfCauchy("sigma", 1)
        pm.Normal(
            "y",
            coeffs[codes, 0] + coeffs[codes, 1] * d[x].to_numpy(),
            sigma,
            observed=d[y].to_numpy(),
        )
    del np
    return model


def cases(seed: int):
    """(label, data builder, model builder) for one data seed."""
    import functools

    from teachkit import models, simulate

    oz = functools.partial(simulate.ozone, seed=seed, size="homework")
    fun = functools.partial(simulate.funnel, seed=seed)
    gr = functools.partial(simulate.grants, seed=seed)
    G = models.GAUSSIAN_MODELS
    return [
        ("ozone/pooled", oz, G["pooled"]),
        ("ozone/varying_intercepts", oz, G["varying_intercepts"]),
        ("ozone/varying_slopes_noncentered", oz, G["varying_slopes_noncentered"]),
        ("ozone/correlated_noncentered", oz, G["correlated_noncentered"]),
        ("ozone/lkjcholeskycov_noncentered", oz, lkjcholeskycov_noncentered),
        ("funnel/correlated_centered", fun, G["correlated_centered"]),
        ("funnel/correlated_noncentered", fun, G["correlated_noncentered"]),
        ("grants/direct", gr, models.grants_direct),
        ("grants/multilevel", gr, models.grants_multilevel),
    ]


def longest_stuck(tree) -> int:
    """The longest run of identical consecutive draws in any chain."""
    import numpy as np

    lp = tree["sample_stats"]
    name = "lp" if "lp" in lp else "logp"
    vals = np.asarray(lp[name].transpose("chain", "draw").values)
    best = 0
    for row in vals:
        same = np.concatenate([[False], row[1:] == row[:-1], [False]])
        edges = np.flatnonzero(np.diff(same.astype(int)))
        if len(edges):
            best = max(best, int((edges[1::2] - edges[::2]).max()) + 1)
    return best


def reshapes(tree):
    n_draw, n_chain = tree["posterior"].sizes["draw"], tree["posterior"].sizes["chain"]
    yield "as sampled", tree
    yield "burn-in cut", tree.sel(draw=slice(int(tree["posterior"]["draw"][n_draw // 4]), None))
    yield "thinned by 2", tree.isel(draw=slice(None, None, 2))
    if n_chain > 2:
        yield "two chains", tree.isel(chain=[0, n_chain - 1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="data seeds (default 20)")
    ap.add_argument(
        "--pymc-every",
        type=int,
        default=4,
        help="every k-th data seed is also fitted with PyMC's own NUTS (default 4)",
    )
    ap.add_argument("--no-lock", action="store_true", help="do not take the MCMC lock")
    args = ap.parse_args(argv)
    logging.getLogger("pymc").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    from teachkit.checks import provenance
    from teachkit.fit import sample

    RESULTS.mkdir(exist_ok=True)
    jsonl = RESULTS / "provenance_false_positives.jsonl"
    rows = []
    start = time.perf_counter()
    with jsonl.open("w") as out:
        for seed, sampler in itertools.product(range(1, args.seeds + 1), ("nutpie", "pymc")):
            if sampler == "pymc" and seed % args.pymc_every:
                continue
            for k, (label, data, build) in enumerate(cases(seed)):
                draws, tune, chains, ta = SETTINGS[(seed + k) % len(SETTINGS)]
                if sampler == "pymc":
                    draws, tune = min(draws, 1000), min(tune, 1000)
                sim = data()
                t0 = time.perf_counter()
                with contextlib.nullcontext() if args.no_lock else mcmc_lock():
                    tree = sample(
                        build(sim),
                        seed=seed,
                        draws=draws,
                        tune=tune,
                        chains=chains,
                        target_accept=ta,
                        sampler=sampler,
                        log_likelihood=False,
                    )
                verdicts = {name: provenance.check_posterior(t) for name, t in reshapes(tree)}
                row = {
                    "seed": seed,
                    "case": label,
                    "sampler": sampler,
                    "draws": draws,
                    "chains": chains,
                    "target_accept": ta,
                    "seconds": round(time.perf_counter() - t0, 1),
                    "divergences": int(tree["sample_stats"]["diverging"].sum()),
                    "longest_stuck": longest_stuck(tree),
                    "verdicts": {k2: v for k2, v in verdicts.items() if v},
                }
                rows.append(row)
                out.write(json.dumps(row) + "\n")
                out.flush()
                flag = "FLAGGED " + json.dumps(row["verdicts"]) if row["verdicts"] else "ok"
                print(
                    f"{seed:3d} {sampler:6s} {label:36s} div {row['divergences']:5d} "
                    f"stuck {row['longest_stuck']:5d} {row['seconds']:6.1f} s {flag}",
                    flush=True,
                )
    write_report(rows, time.perf_counter() - start)
    return 0


def write_report(rows, seconds):
    n_fits = len(rows)
    n_checks = sum(4 if r["chains"] > 2 else 3 for r in rows)
    flagged = [r for r in rows if r["verdicts"]]
    stuck = [r for r in rows if r["longest_stuck"] >= 100]
    lines = [
        "# Provenance false positives on genuine fits",
        "",
        f"`benchmarks/provenance_false_positives.py`: {n_fits} genuine fits "
        f"({sum(r['sampler'] == 'nutpie' for r in rows)} nutpie, {sum(r['sampler'] == 'pymc' for r in rows)} "
        f"PyMC NUTS), {n_checks} posteriors checked (as sampled, burn-in cut, thinned, chain subset), "
        f"{seconds / 60:.0f} min.",
        "",
        f'**"Not a real sampler run" verdicts: {len(flagged)} of {n_fits} fits.**',
        f"Fits with a chain stuck at one point for at least 100 draws: {len(stuck)} "
        f"(longest {max((r['longest_stuck'] for r in rows), default=0)} draws).",
        "",
        "| case | sampler | fits | flagged | max divergences | fits with a stuck chain |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for (case, sampler), group in itertools.groupby(
        sorted(rows, key=lambda r: (r["case"], r["sampler"])),
        key=lambda r: (r["case"], r["sampler"]),
    ):
        group = list(group)
        lines.append(
            f"| {case} | {sampler} | {len(group)} | {sum(bool(r['verdicts']) for r in group)} | "
            f"{max(r['divergences'] for r in group)} | {sum(r['longest_stuck'] >= 100 for r in group)} |"
        )
    if flagged:
        lines += ["", "## Flagged", ""] + [
            f"- {r['case']} {r['sampler']} seed {r['seed']}: {r['verdicts']}" for r in flagged
        ]
    (RESULTS / "provenance_false_positives.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    import teachkit

    teachkit.configure_pytensor()  # before PyMC loads: the persistent compile cache
    raise SystemExit(main())
