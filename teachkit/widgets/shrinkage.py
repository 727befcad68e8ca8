"""Demo 5: two-dimensional shrinkage of intercept–slope pairs (partial pooling).

.. image:: ../../docs/screenshots/shrinkage.png
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from teachkit import covariance, simulate
from teachkit.widgets._figure import DemoWidget, LiveFigure, int_slider, projector_style, slider
from teachkit.widgets._geometry import ellipse_points, group_ols, partial_pooling

__all__ = ["ShrinkageExplorer", "posterior_means", "shrinkage_explorer"]


def posterior_means(posterior, labels) -> np.ndarray:
    """Intercept–slope posterior means per group, in the order of ``labels``.

    Parameters
    ----------
    posterior : DataTree, InferenceData, mapping or array_like
        ArviZ data with ``alpha`` and ``beta`` in its ``posterior`` group (dims chain, draw and
        one group dim); or a mapping ``{"alpha": {label: value}, "beta": {label: value}}`` (the
        shape of :attr:`teachkit.simulate.Simulation.truth`); or an array of shape (J, 2).
    labels : sequence of str
        Group labels in the order wanted.

    Returns
    -------
    ndarray, shape (J, 2)

    Examples
    --------
    >>> posterior_means({"alpha": {"a": 1.0, "b": 2.0}, "beta": {"a": 0.5, "b": 0.0}},
    ...                 ["b", "a"]).tolist()
    [[2.0, 0.0], [1.0, 0.5]]
    """
    labels = [str(lab) for lab in labels]
    if hasattr(posterior, "posterior"):
        post = posterior.posterior
        out = []
        for name in ("alpha", "beta"):
            da = post[name]
            group_dim = next(dim for dim in da.dims if dim not in ("chain", "draw"))
            means = da.mean(("chain", "draw"))
            got = [str(v) for v in means[group_dim].values]
            if sorted(got) != sorted(labels):
                raise ValueError(
                    f"the posterior's {name} has groups {got[:4]}..., which are not the "
                    f"simulation's groups {labels[:4]}...; pass the fit of this simulation"
                )
            out.append(means.sel({group_dim: labels}).values)
        return np.column_stack(out).astype(float)
    if isinstance(posterior, dict) and "alpha" in posterior and "beta" in posterior:
        try:
            return np.array([[posterior["alpha"][k], posterior["beta"][k]] for k in labels], float)
        except KeyError as exc:
            raise ValueError(f"posterior means lack group {exc}; give every group") from None
    arr = np.asarray(posterior, dtype=float)
    if arr.shape != (len(labels), 2):
        raise ValueError(
            f"posterior means must have shape ({len(labels)}, 2) (intercept, slope per group); "
            f"got {arr.shape}"
        )
    return arr


class ShrinkageExplorer(DemoWidget):
    """No-pooling estimates and their partially pooled versions (see
    :func:`shrinkage_explorer`)."""

    title = "Partial pooling in two dimensions: intercept–slope pairs"

    def __init__(
        self,
        *,
        n_per_group=5,
        rho=-0.7,
        n_groups=12,
        intercept=0.0,
        slope=1.0,
        sd_intercept=1.0,
        sd_slope=0.5,
        sigma=1.5,
        seed=410,
        simulation=None,
        posterior=None,
        backend="auto",
        blit=True,
    ):
        self._fixed = simulation is not None
        if posterior is not None and simulation is None:
            raise ValueError(
                "posterior means belong to one data set: pass the Simulation that was fitted "
                "as simulation=... together with posterior=..."
            )
        self._params = {"n_groups": n_groups, "seed": seed}
        if self._fixed:
            t = simulation.truth
            intercept, slope = t["mu_a"], t["mu_b"]
            sd_intercept, sd_slope, sigma, rho = t["sigma_a"], t["sigma_b"], t["sigma"], t["rho"]
        self._mean = np.array([intercept, slope], dtype=float)
        self._sd = np.array([sd_intercept, sd_slope], dtype=float)
        self._sigma = float(sigma)
        self._simulation = simulation
        self._posterior = posterior
        live = LiveFigure(760, 440, backend=backend, blit=blit)
        lim_a = (self._mean[0] - 3.2 * self._sd[0], self._mean[0] + 3.2 * self._sd[0])
        lim_b = (self._mean[1] - 3.2 * self._sd[1], self._mean[1] + 3.2 * self._sd[1])
        with projector_style():
            n_arrows = (
                len(simulation.coords[simulation.roles["group"]]) if self._fixed else n_groups
            )
            a = self._build(live.figure, lim_a, lim_b, posterior is not None, n_arrows)
        live.animate(a.values())
        s = {
            "n": int_slider("n/grp", int(n_per_group), 2, 60),
            "rho": slider("ρ", float(rho), -0.9, 0.9, 0.05),
            "use_rho": w.Checkbox(
                value=True,
                description="pool with the correlation",
                indent=False,
                layout=w.Layout(width="300px"),
            ),
        }
        if self._fixed:
            s["n"].disabled = s["rho"].disabled = True
        if posterior is not None:
            s["use_rho"].disabled = True
        readouts = {"design": w.HTML(), "error": w.HTML(), "info": w.HTML()}
        caption = (
            "Open circles: each group's own least-squares line (no pooling). Filled: partially "
            "pooled estimates, each pulled towards the population mean (+) along the shape of "
            "the population's covariance (ellipses: 50% and 90%). Groups with less data move "
            "further. With a correlation, what a group's data say about its intercept also "
            "moves its slope. Grey ×: the true values the data were simulated from."
        )
        super().__init__(live=live, controls=list(s.values()), readouts=readouts, caption=caption)
        self.artists = a
        self._wire(**s)
        live.finish_layout()
        self.update()

    @staticmethod
    def _build(fig, lim_a, lim_b, fitted: bool, n_groups: int) -> dict:
        ax = fig.add_subplot()
        ax.set(xlim=lim_a, ylim=lim_b, xlabel="intercept α", ylabel="slope β")
        a = {}
        (a["ellipse50"],) = ax.plot([], [], color="0.35", lw=1.5)
        (a["ellipse90"],) = ax.plot([], [], color="0.35", lw=1.5, ls="--")
        a["truth"] = ax.scatter([], [], marker="x", s=50, color="0.5", lw=1.5, label="truth")
        zeros = np.zeros(n_groups)
        a["arrows"] = ax.quiver(
            zeros,
            zeros,
            zeros,
            zeros,
            angles="xy",
            scale_units="xy",
            scale=1,
            units="dots",
            width=2.5,
            headwidth=5,
            headlength=7,
            headaxislength=6,
            color="0.2",
            zorder=5,
        )
        a["no_pool"] = ax.scatter(
            [], [], s=90, facecolor="white", edgecolor="#1565c0", lw=2, label="no pooling", zorder=3
        )
        a["pooled"] = ax.scatter(
            [],
            [],
            s=90,
            color="#e65100",
            zorder=4,
            label="posterior mean" if fitted else "partial pooling",
        )
        (a["mean"],) = ax.plot([], [], "+", color="k", ms=22, mew=3)
        fig.legend(loc="outside right upper", frameon=False)
        return a

    def simulation(self):
        """The Simulation currently shown (re-simulated when the sliders move)."""
        if self._fixed:
            return self._simulation
        return simulate.varying_effects(
            n_groups=self._params["n_groups"],
            n_per_group=int(self.sliders["n"].value),
            intercept=self._mean[0],
            slope=self._mean[1],
            sd_intercept=self._sd[0],
            sd_slope=self._sd[1],
            rho=float(self.sliders["rho"].value),
            sigma=self._sigma,
            seed=self._params["seed"],
        )

    def estimates(self):
        """(truth, no-pooling, partially pooled) intercept–slope pairs, each shape (J, 2)."""
        sim = self._sim = self.simulation()
        roles = sim.roles
        groups = sim.data[roles["group"]]
        labels = [str(c) for c in groups.cat.categories]
        truth = np.array([[sim.truth["alpha"][k], sim.truth["beta"][k]] for k in labels])
        coef, xtx, _ = group_ols(
            groups.cat.codes.to_numpy(),
            sim.data[roles["x"]].to_numpy(),
            sim.data[roles["y"]].to_numpy(),
            len(labels),
        )
        if self._posterior is not None:
            pooled = posterior_means(self._posterior, labels)
        else:
            rho = float(sim.truth["rho"]) if self.sliders["use_rho"].value else 0.0
            cov = covariance.cov_from_sd_corr(self._sd, np.array([[1.0, rho], [rho, 1.0]]))
            pooled = partial_pooling(coef, xtx, self._sigma, self._mean, cov)
        return truth, coef, pooled

    def update(self) -> None:
        """Recompute from the slider values and redraw the changed artists."""
        a = self.artists
        truth, coef, pooled = self.estimates()
        rho_true = float(self._sim.truth["rho"])
        cov = covariance.cov_from_sd_corr(self._sd, np.array([[1.0, rho_true], [rho_true, 1.0]]))
        for mass in (50, 90):
            e = ellipse_points(cov, mean=self._mean, mass=mass / 100)
            a[f"ellipse{mass}"].set_data(e[:, 0], e[:, 1])
        a["truth"].set_offsets(truth)
        a["no_pool"].set_offsets(coef)
        a["pooled"].set_offsets(pooled)
        a["arrows"].set_offsets(coef)
        d = pooled - coef
        a["arrows"].set_UVC(d[:, 0], d[:, 1])
        a["mean"].set_data([self._mean[0]], [self._mean[1]])
        counts = self._sim.data[self._sim.roles["group"]].value_counts()
        n = f"{counts.iloc[0]}" if counts.nunique() == 1 else f"~{counts.mean():.0f}"
        self.readouts[
            "design"
        ].value = (
            f"<div><b>{len(coef)} groups × {n} observations</b><br>true ρ = {rho_true:+.2f}</div>"
        )
        err_np = float(np.sqrt(np.mean(np.sum((coef - truth) ** 2, axis=1))))
        err_pp = float(np.sqrt(np.mean(np.sum((pooled - truth) ** 2, axis=1))))
        self.readouts["error"].value = (
            "<div>distance to the truth (RMS)<br>"
            f"no pooling: <b>{err_np:.3f}</b><br>"
            f"{'posterior' if self._posterior is not None else 'partial pooling'}: "
            f"<b>{err_pp:.3f}</b></div>"
        )
        how = (
            "posterior means of the fitted model"
            if self._posterior is not None
            else "normal–normal shrinkage with the true μ, Σ, σ (what a fit approaches)"
        )
        self.readouts["info"].value = f"<div style='max-width:16em;font-size:15px'>{how}</div>"
        self.live.refresh()


def shrinkage_explorer(
    *,
    n_per_group: int = 5,
    rho: float = -0.7,
    n_groups: int = 12,
    intercept: float = 0.0,
    slope: float = 1.0,
    sd_intercept: float = 1.0,
    sd_slope: float = 0.5,
    sigma: float = 1.5,
    seed: int = 410,
    simulation=None,
    posterior=None,
    backend: str = "auto",
    blit: bool = True,
) -> ShrinkageExplorer:
    """No-pooling and partially pooled intercept–slope pairs, with arrows between them.

    Data come from :func:`teachkit.simulate.varying_effects` (the group effects stay the same
    when the number of observations per group changes, so the picture moves smoothly). Each
    group's own least-squares line is the no-pooling estimate; the partially pooled estimate is
    the fast normal–normal approximation
    :func:`teachkit.widgets._geometry.partial_pooling` with the population mean and
    covariance that generated the data, with or without the correlation (a check box: the
    lecture's "shrinkage with no correlations"). Sliders: observations per group and ρ.

    A fitted model's posterior means can be shown instead: pass the fitted ``simulation`` and
    its ``posterior`` (ArviZ data with ``alpha`` and ``beta``, a ``{"alpha": {...}, "beta":
    {...}}`` mapping, or a (J, 2) array); the data sliders are then disabled.

    .. image:: ../../docs/screenshots/shrinkage.png

    Parameters
    ----------
    n_per_group : int
        Initial observations per group, in [2, 60].
    rho : float
        Initial true correlation of intercepts and slopes, in [-0.9, 0.9].
    n_groups, intercept, slope, sd_intercept, sd_slope, sigma, seed
        Passed to :func:`teachkit.simulate.varying_effects`.
    simulation : teachkit.simulate.Simulation, optional
        A fixed data set (its truth gives μ, Σ and σ).
    posterior : optional
        Posterior means to draw instead of the approximation (needs ``simulation``).
    backend : {"auto", "ipympl", "agg"}
    blit : bool

    Returns
    -------
    ShrinkageExplorer

    Examples
    --------
    >>> demo = shrinkage_explorer(backend="agg")
    >>> demo.sliders["n"].value = 60  # lots of data: little shrinkage
    >>> "60 observations" in demo.readouts["design"].value
    True
    """
    return ShrinkageExplorer(
        n_per_group=n_per_group,
        rho=rho,
        n_groups=n_groups,
        intercept=intercept,
        slope=slope,
        sd_intercept=sd_intercept,
        sd_slope=sd_slope,
        sigma=sigma,
        seed=seed,
        simulation=simulation,
        posterior=posterior,
        backend=backend,
        blit=blit,
    )
