"""Static plots of a fit against the truth: trace, 2-D shrinkage, posterior of rho.

Plain matplotlib on the posterior's arrays (no ArviZ plotting API), so the pictures look the same
in a notebook, in ``teachkit demo``'s HTML report and in a headless test. Each function draws into
a new figure and returns it; saving is the caller's business.
"""

from __future__ import annotations

import numpy as np

__all__ = ["draws_of", "rho_posterior_plot", "shrinkage_plot", "trace_plot"]


def _posterior(idata):
    """The posterior group of a DataTree or an InferenceData-like object."""
    try:
        return idata["posterior"]
    except (KeyError, TypeError):
        return idata.posterior


def draws_of(idata, name: str) -> np.ndarray:
    """The draws of variable ``name`` as an array of shape ``(chain, draw, ...)``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import xarray as xr
    >>> post = xr.Dataset({"rho": (("chain", "draw"), np.zeros((2, 5)))})
    >>> draws_of(SimpleNamespace(posterior=post), "rho").shape
    (2, 5)
    """
    post = _posterior(idata)
    if name not in post:
        raise ValueError(
            f"the posterior has no variable '{name}' (it has {', '.join(map(str, post.data_vars))})"
        )
    da = post[name]
    rest = [d for d in da.dims if d not in ("chain", "draw")]
    return np.asarray(da.transpose("chain", "draw", *rest).values)


def trace_plot(
    idata,
    var_names=("mu_a", "mu_b", "sigma_a", "sigma_b", "rho", "sigma"),
    *,
    divergent: bool = True,
):
    """Trace (draw index against value, one colour per chain) and marginal density per variable.

    Divergent transitions are marked as ticks under each trace when the data carry
    ``sample_stats.diverging``: in a centred fit they cluster where a group-level sd is small.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import xarray as xr
    >>> rng = np.random.default_rng(0)
    >>> post = xr.Dataset({"rho": (("chain", "draw"), rng.normal(size=(2, 50)))})
    >>> fig = trace_plot(SimpleNamespace(posterior=post), ["rho"], divergent=False)
    >>> len(fig.axes)
    2
    """
    import matplotlib.pyplot as plt

    post = _posterior(idata)
    names = [n for n in var_names if n in post]
    if not names:
        raise ValueError(f"none of {list(var_names)} is in the posterior; nothing to plot")
    div = None
    if divergent:
        try:
            stats = idata["sample_stats"]
        except (KeyError, TypeError):
            stats = getattr(idata, "sample_stats", None)
        if stats is not None and "diverging" in stats:
            div = np.asarray(stats["diverging"].transpose("chain", "draw").values, dtype=bool)
    fig, axes = plt.subplots(
        len(names),
        2,
        figsize=(9, 1.7 * len(names) + 0.4),
        gridspec_kw={"width_ratios": [1, 2.4]},
        squeeze=False,
    )
    for row, name in zip(axes, names):
        x = draws_of(idata, name)
        x = x.reshape(x.shape[0], x.shape[1], -1)[..., 0]  # first element of a vector variable
        for c in range(x.shape[0]):
            row[0].hist(x[c], bins=40, histtype="step", density=True)
            row[1].plot(x[c], lw=0.5, alpha=0.8)
        if div is not None and div.any():
            lo = np.nanmin(x)
            for c in range(x.shape[0]):
                idx = np.flatnonzero(div[c])
                row[1].plot(idx, np.full(idx.size, lo), "|", color="black", ms=8)
        row[0].set_ylabel(name)
        row[0].set_yticks([])
    axes[-1, 1].set_xlabel("draw")
    fig.tight_layout()
    return fig


def _no_pooling(sim):
    """Each group's own least-squares intercept and slope (nan where a group has < 2 x values)."""
    from teachkit.regression import no_pooling

    roles = sim.roles
    labels = list(sim.coords[roles["group"]])
    codes = sim.data[roles["group"]].cat.codes.to_numpy()
    x = sim.data[roles["x"]].to_numpy(float)
    y = sim.data[roles["y"]].to_numpy(float)
    return labels, no_pooling(codes, x, y, len(labels))


def shrinkage_plot(sim, idata, *, title: str = "2-D shrinkage of intercept-slope pairs"):
    """No-pooling estimates, posterior means and the truth of each group's (alpha, beta) pair.

    Arrows run from a group's own least-squares line to its partially pooled posterior mean;
    grey crosses are the true values the data were simulated from.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import xarray as xr
    >>> from teachkit import simulate
    >>> sim = simulate.funnel(seed=1)
    >>> g = sim.coords["group"]
    >>> a = np.tile([sim.truth["alpha"][k] for k in g], (1, 4, 1))
    >>> b = np.tile([sim.truth["beta"][k] for k in g], (1, 4, 1))
    >>> post = xr.Dataset({"alpha": (("chain", "draw", "group"), a),
    ...                    "beta": (("chain", "draw", "group"), b)}, coords={"group": g})
    >>> fig = shrinkage_plot(sim, SimpleNamespace(posterior=post))
    >>> fig.axes[0].get_xlabel()
    'intercept alpha'
    """
    import matplotlib.pyplot as plt

    labels, raw = _no_pooling(sim)
    post = _posterior(idata)
    pooled = np.full_like(raw, np.nan)
    for j, name in enumerate(("alpha", "beta")):
        da = post[name]
        dim = [d for d in da.dims if d not in ("chain", "draw")][0]
        means = da.mean(("chain", "draw"))
        coord = [str(v) for v in means[dim].values]
        for k, lab in enumerate(labels):
            if str(lab) in coord:
                pooled[k, j] = float(means.values[coord.index(str(lab))])
    truth = np.array([[sim.truth["alpha"][lab], sim.truth["beta"][lab]] for lab in labels])

    fig, ax = plt.subplots(figsize=(6.5, 5))
    ax.scatter(truth[:, 0], truth[:, 1], marker="x", color="grey", label="truth", zorder=2)
    ax.scatter(
        raw[:, 0],
        raw[:, 1],
        facecolors="none",
        edgecolors="tab:blue",
        s=45,
        label="no pooling (own least squares)",
        zorder=3,
    )
    ax.scatter(
        pooled[:, 0],
        pooled[:, 1],
        color="tab:orange",
        s=30,
        label="partial pooling (posterior mean)",
        zorder=4,
    )
    for (x0, y0), (x1, y1) in zip(raw, pooled):
        if np.all(np.isfinite([x0, y0, x1, y1])):
            ax.annotate(
                "",
                xy=(x1, y1),
                xytext=(x0, y0),
                arrowprops={"arrowstyle": "->", "color": "0.3", "lw": 0.8},
            )
    ax.axvline(sim.truth["mu_a"], color="0.8", lw=0.8, zorder=0)
    ax.axhline(sim.truth["mu_b"], color="0.8", lw=0.8, zorder=0)
    # keep the view on the cloud of truths and pooled estimates; wild no-pooling lines may leave it
    core = np.vstack([truth, pooled[np.all(np.isfinite(pooled), axis=1)]])
    span = np.ptp(core, axis=0) + 1e-9
    lo, hi = core.min(axis=0) - 0.6 * span, core.max(axis=0) + 0.6 * span
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("intercept alpha")
    ax.set_ylabel("slope beta")
    ax.set_title(title)
    outside = int(np.sum(np.any((raw < lo) | (raw > hi), axis=1)))
    if outside:
        ax.text(
            0.01,
            0.01,
            f"{outside} no-pooling estimates lie outside the view (arrows start there)",
            transform=ax.transAxes,
            fontsize=8,
            color="0.3",
        )
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def rho_posterior_plot(fits: dict, truth_rho: float, *, name: str = "rho"):
    """Posterior density of the correlation for one or more fits, with the true value.

    Parameters
    ----------
    fits : dict
        ``{label: idata}``, e.g. ``{"centred": ..., "non-centred": ...}``.
    truth_rho : float
        The value the data were simulated with.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import xarray as xr
    >>> rng = np.random.default_rng(0)
    >>> post = xr.Dataset({"rho": (("chain", "draw"), np.tanh(rng.normal(size=(2, 200))))})
    >>> fig = rho_posterior_plot({"fit": SimpleNamespace(posterior=post)}, -0.5)
    >>> [float(v) for v in fig.axes[0].get_xlim()]
    [-1.0, 1.0]
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    bins = np.linspace(-1, 1, 61)
    for label, idata in fits.items():
        ax.hist(
            draws_of(idata, name).ravel(),
            bins=bins,
            density=True,
            histtype="step",
            lw=1.8,
            label=label,
        )
    ax.axvline(truth_rho, color="black", ls="--", label=f"truth ({truth_rho:+.2f})")
    ax.set_xlim(-1.0, 1.0)
    ax.set_xlabel("correlation of intercepts and slopes (rho)")
    ax.set_yticks([])
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig
