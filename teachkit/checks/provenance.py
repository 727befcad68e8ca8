"""Check that posterior draws look like the output of a real NUTS run, not a fabrication.

A student who cannot fit a model could hand in a posterior they made up, e.g. every draw equal
to the true values (which the simulator reveals). The hidden tests would then see perfect
recovery. :func:`check_posterior` looks for the fingerprints that a real run by PyMC's NUTS or
nutpie leaves in ``sample_stats`` and that a fabrication must reproduce consistently:

* ``posterior`` and ``sample_stats`` exist with the same ``chain``/``draw`` sizes and labels;
* the statistics every NUTS run records are there (log density, energy, step size, tree depth,
  number of leapfrog steps, divergence flags) and are finite and in range;
* tree depth and leapfrog steps agree: a trajectory of depth ``d`` has at most ``2**d - 1``
  steps (one level of slack for nutpie's counting);
* the step size is positive and ``step_size_bar`` (the adapted value) is constant per chain;
* the energy moves with the log density: ``energy = -logp + kinetic energy`` at the selected
  point, so the two are strongly correlated, and the kinetic part varies from draw to draw;
* draws are not degenerate: some entry varies, a chain that moves moves every entry that varies
  anywhere, and a draw repeats the previous one only where the sampler reports that it stayed
  (``index_in_trajectory == 0``) and with the same recorded log density.

What is *not* evidence of fabrication, because real runs show it: entries that are constant by
construction (the fixed 1 and 0 entries of an LKJ Cholesky factor, a correlation matrix's
diagonal), and chains that get stuck (a centred funnel can hold a chain at one point for
hundreds of draws or for the whole run, with constant ``lp``). Those are sampler problems, for
the divergence and convergence checks to report. Only a posterior in which no chain moves at
all is refused.

With a reference model, :func:`logp_mismatch` also recomputes the log density at the draws and
compares it with the recorded one: fabricating draws then also requires computing the model's
density at each of them. These checks raise the cost of faking a posterior above the cost of
running the sampler; they cannot prove that a run happened (see ``docs/grading.md``).

Examples
--------
>>> import numpy as np, xarray as xr
>>> fake = xr.Dataset({"mu": (("chain", "draw"), np.full((2, 100), 1.5))})
>>> problems = check_posterior(xr.DataTree.from_dict({"posterior": fake}))
>>> problems[0]
'it has no sample_stats group, which every sampler run records'
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["LOGP_NAMES", "check_posterior", "is_posterior_data", "logp_mismatch"]

LOGP_NAMES = ("lp", "logp")
DEPTH_NAMES = ("tree_depth", "depth")
MIN_DRAWS = 20
MIN_ENERGY_CORR = 0.2
"""Smallest accepted correlation between ``energy`` and ``-logp`` (real runs: about 0.5–0.9)."""
MAX_MISMATCH_FRACTION = 0.02
"""Largest accepted share of draws whose repeat/stay pattern disagrees with the sampler's record."""


def _group(tree: Any, name: str):
    try:
        node = tree[name]
    except (KeyError, TypeError):
        return None
    return node.to_dataset() if hasattr(node, "to_dataset") else node


def is_posterior_data(value: Any) -> bool:
    """True for xarray/ArviZ data with a ``posterior`` group.

    Examples
    --------
    >>> is_posterior_data({"posterior": 1}), is_posterior_data(3)
    (False, False)
    """
    cls_names = {c.__name__ for c in type(value).__mro__}
    if not cls_names & {"DataTree", "InferenceData"}:
        return False
    return _group(value, "posterior") is not None


def _first(ds, names):
    for n in names:
        if n in ds.data_vars:
            return n
    return None


def check_posterior(tree: Any) -> list[str]:
    """List the reasons why ``tree`` does not look like a real NUTS run ([] when it does).

    Parameters
    ----------
    tree : xarray.DataTree
        ArviZ data with ``posterior`` and ``sample_stats`` groups (PyMC NUTS or nutpie).

    Returns
    -------
    list of str
        One sentence per problem found.
    """
    post = _group(tree, "posterior")
    if post is None:
        return ["it has no posterior group"]
    if "chain" not in post.dims or "draw" not in post.dims:
        return ["its posterior has no chain and draw dimensions"]
    n_chain, n_draw = post.sizes["chain"], post.sizes["draw"]
    if n_draw < MIN_DRAWS:
        return [f"it has only {n_draw} draws per chain; a graded fit needs at least {MIN_DRAWS}"]
    stats = _group(tree, "sample_stats")
    if stats is None:
        return ["it has no sample_stats group, which every sampler run records"]
    problems: list[str] = []
    if stats.sizes.get("chain") != n_chain or stats.sizes.get("draw") != n_draw:
        problems.append(
            f"sample_stats has {dict(stats.sizes)} chains/draws but the posterior has "
            f"{n_chain} chains of {n_draw} draws"
        )
        return problems
    for dim in ("chain", "draw"):
        if (
            dim in post.coords
            and dim in stats.coords
            and not np.array_equal(post[dim].values, stats[dim].values)
        ):
            problems.append(f"sample_stats and posterior label their {dim}s differently")
    lp_name, depth_name = _first(stats, LOGP_NAMES), _first(stats, DEPTH_NAMES)
    required = {
        "log density (lp/logp)": lp_name,
        "energy": "energy" if "energy" in stats else None,
        "step_size": "step_size" if "step_size" in stats else None,
        "tree depth": depth_name,
        "n_steps": "n_steps" if "n_steps" in stats else None,
        "diverging": "diverging" if "diverging" in stats else None,
    }
    missing = [k for k, v in required.items() if v is None]
    if missing:
        problems.append(
            "sample_stats lacks " + ", ".join(missing) + ", which NUTS records at every draw"
        )
        return problems

    def vals(name):
        return np.asarray(stats[name].transpose("chain", "draw").values, dtype=float)

    lp, energy, step = vals(lp_name), vals("energy"), vals("step_size")
    depth, n_steps = vals(depth_name), vals("n_steps")
    if not (np.all(np.isfinite(lp)) and np.all(np.isfinite(energy))):
        problems.append("the recorded log density or energy is not finite at some draws")
        return problems
    if np.any(step <= 0) or not np.all(np.isfinite(step)):
        problems.append("the recorded step size is not positive everywhere")
    if "step_size_bar" in stats:
        bar = vals("step_size_bar")
        if np.any(np.ptp(bar, axis=1) > 1e-12 * np.abs(bar).max(initial=1.0)):
            problems.append("the adapted step size (step_size_bar) changes during sampling")
    if np.any(depth < 0) or np.any(depth != np.round(depth)) or np.any(n_steps < 1):
        problems.append("tree depths or leapfrog step counts are not positive whole numbers")
    elif np.any(n_steps > 2.0 ** (depth + 1)):
        # A depth-d trajectory has 2**d - 1 leapfrog steps; nutpie counts depth one lower than
        # PyMC on some draws, so allow one level of slack: fabrications miss by far more.
        problems.append("some draws took more leapfrog steps than their tree depth allows")
    points = _varying_points(post)
    if isinstance(points, list):
        return problems + points
    moved = _moves(points)  # (chain, draw - 1): the point changed from the previous draw
    problems.extend(_stays(moved, lp, stats))
    moving_chains = [c for c in range(n_chain) if moved[c].sum() >= MIN_DRAWS]
    if not moving_chains:
        problems.append(
            "none of its chains moves: in every chain nearly every draw repeats the one "
            "before it, so nothing was sampled"
        )
        return problems
    for c in moving_chains:
        kinetic = energy[c] + lp[c]
        if np.std(kinetic) < 1e-8 * max(1.0, np.abs(kinetic).mean()):
            problems.append(
                f"energy is an exact function of the log density in chain {c}: no kinetic energy"
            )
            break
        step = np.concatenate([[True], moved[c]])  # draws where the sampler went somewhere new
        corr = np.corrcoef(energy[c][step], -lp[c][step])[0, 1]
        if not np.isfinite(corr) or corr < MIN_ENERGY_CORR:
            problems.append(
                f"in chain {c} the energy does not move with the log density "
                f"(correlation {corr:.2f}; real runs give about 0.5 to 0.9)"
            )
            break
    frozen = [
        name
        for name, arr in points.items()
        if any(np.any(np.ptp(arr[c], axis=0) == 0) for c in moving_chains)
    ]
    if frozen:
        problems.append(
            f"{', '.join(frozen)} stays fixed within a chain in which the other parameters "
            "move: a sampler moves every free parameter at once"
        )
    return problems


def _varying_points(post) -> dict[str, np.ndarray] | list[str]:
    """``{name: (chain, draw, k) draws}`` of every posterior entry that varies anywhere.

    Entries that never change in any chain are left out: they are fixed by construction (the 1 on
    the diagonal and the 0 above it of an LKJ Cholesky factor, a correlation matrix's diagonal, a
    Deterministic of constants) and are no evidence either way. A posterior in which *nothing*
    varies is a single point, not a sample.
    """
    points, problems = {}, []
    for name, da in post.data_vars.items():
        arr = np.asarray(da.transpose("chain", "draw", ...).values)
        if (
            arr.dtype.kind != "f"
        ):  # integer or boolean Deterministics can be constant in a real chain
            continue
        arr = arr.reshape(arr.shape[0], arr.shape[1], -1)
        if not np.all(np.isfinite(arr)):
            problems.append(f"{name} has non-finite draws")
            continue
        varies = np.ptp(arr.reshape(-1, arr.shape[2]), axis=0) > 0
        if varies.any():
            points[name] = arr[:, :, varies]
    if problems:
        return problems
    if not points:
        return ["the posterior does not vary at all: every draw of every chain is the same point"]
    return points


def _moves(points: dict[str, np.ndarray]) -> np.ndarray:
    allv = np.concatenate(list(points.values()), axis=2)
    return np.any(allv[:, 1:, :] != allv[:, :-1, :], axis=2)


def _stays(moved: np.ndarray, lp: np.ndarray, stats) -> list[str]:
    """Repeated draws must be ones the sampler reports as staying, with the same log density.

    Only this direction is checked: a real sampler repeats a draw exactly when it stays
    (``index_in_trajectory == 0``), but a posterior thinned or subset with ``.sel`` can hide a stay.
    A chain that is stuck for hundreds of draws is consistent by this test: a sampler problem
    for the divergence and convergence checks, not a fabrication.
    """
    problems = []
    repeated = ~moved
    same_lp = np.isclose(lp[:, 1:], lp[:, :-1], rtol=1e-12, atol=0)
    if repeated.any() and np.mean(~same_lp[repeated]) > MAX_MISMATCH_FRACTION:
        problems.append(
            f"{repeated.sum()} draws repeat the previous point but record a different log "
            "density: the draws and the statistics come from different places"
        )
    if "index_in_trajectory" in stats:
        index = np.asarray(stats["index_in_trajectory"].transpose("chain", "draw").values)[:, 1:]
        unreported = repeated & (index != 0)
        if unreported.sum() > MAX_MISMATCH_FRACTION * repeated.size:
            problems.append(
                f"the draws repeat at {unreported.sum()} steps where the sampler reports moving: "
                "they were not produced by this sampler run"
            )
    return problems


def logp_mismatch(tree: Any, model: Any, *, max_draws: int = 100, rtol: float = 1e-6) -> str | None:
    """Compare the recorded log density with ``model``'s log density at the draws.

    Parameters
    ----------
    tree : xarray.DataTree
        Posterior data from PyMC's NUTS (``lp``: log density of the unconstrained point with
        the Jacobian of the transforms), for a model with the same free variables as ``model``.
    model : pymc.Model
        The reference model (rebuilt from the simulator inside the hidden test).
    max_draws : int
        Number of draws (spread over the chains) to compare.
    rtol : float
        Relative tolerance after removing a constant offset (PyMC and nutpie may differ by a
        normalising constant).

    Returns
    -------
    str or None
        A sentence when the recorded log density does not match the draws, else None.
    """
    import pymc as pm

    post = _group(tree, "posterior")
    stats = _group(tree, "sample_stats")
    if post is None or stats is None or _first(stats, LOGP_NAMES) is None:
        return "the posterior or its recorded log density is missing"
    recorded = np.asarray(stats[_first(stats, LOGP_NAMES)].transpose("chain", "draw").values, float)
    logp_fn = model.compile_logp(jacobian=True)
    idx = np.linspace(0, recorded.size - 1, min(max_draws, recorded.size)).astype(int)
    chains, draws = np.unravel_index(idx, recorded.shape)
    computed = []
    for c, d in zip(chains, draws):
        point = {}
        for rv in model.free_RVs:
            if rv.name not in post:
                return f"the posterior has no variable {rv.name}, which the reference model needs"
            value = np.asarray(post[rv.name].transpose("chain", "draw", ...).values[c, d])
            vv = model.rvs_to_values[rv]
            tr = model.rvs_to_transforms.get(rv)
            if tr is not None:
                value = tr.forward(value, *rv.owner.inputs).eval()
            point[vv.name] = value
        computed.append(float(logp_fn(point)))
    diff = np.asarray(computed) - recorded[chains, draws]
    spread = np.ptp(diff)
    scale = max(1.0, float(np.std(recorded)))
    if not np.all(np.isfinite(diff)) or spread > rtol * np.abs(recorded).max() + 1e-6 * scale:
        return (
            f"the recorded log density differs from the model's density at the draws by up to "
            f"{spread:.3g} (after removing a constant): the draws and the statistics come from "
            "different places"
        )
    del pm
    return None
