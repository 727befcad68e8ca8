r"""The reference posterior of the population means: what a correct model's sd should be.

Pure NumPy maths on the simulation's truth, used by :func:`teachkit.checks.recovery` for its
two-sided band on the posterior sd of ``mu_a`` and ``mu_b``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from teachkit.checks._common import (
    _is_scalar_truth,
    _truth_from,
)
from teachkit.simulate.presets import gaussian_kinds

__all__ = ["reference_sd"]


def reference_sd(sim: Any, *, prior_sd: Mapping[str, float] | None = None) -> dict[str, float]:
    r"""What a correct varying-slopes model's posterior sd of ``mu_a`` and ``mu_b`` should be.

    The population means of a linear varying-effects model with known covariance
    :math:`\Sigma` (from ``sigma_a``, ``sigma_b``, ``rho``) and residual sd :math:`\sigma`: each
    group's data carry information :math:`A_j = (\Sigma + \sigma^2 (X_j^\top X_j)^{-1})^{-1}`
    about :math:`\mu = (\mu_a, \mu_b)`, so :math:`\operatorname{Cov}(\mu \mid y) =
    (\sum_j A_j + P_0)^{-1}` with :math:`P_0` the prior precision (flat by default).  Computed
    with the true hyperparameters of the :class:`~teachkit.simulate.Simulation`; a real posterior
    also carries uncertainty about them, so compare within a band (see :func:`recovery`).

    Parameters
    ----------
    sim : Simulation
        A Gaussian simulation (``varying_effects``, ``ozone``, ``funnel``).
    prior_sd : dict, optional
        Prior sds of ``mu_a`` and ``mu_b`` (Normal priors); default flat.

    Returns
    -------
    dict
        ``{"mu_a": sd, "mu_b": sd}``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from types import SimpleNamespace
    >>> x = np.tile(np.linspace(-1, 1, 50), 20)
    >>> data = pd.DataFrame({"group": np.repeat(np.arange(20), 50), "x": x, "y": 0.0})
    >>> truth = {"sigma_a": 1.0, "sigma_b": 0.5, "rho": 0.0, "sigma": 0.1}
    >>> sim = SimpleNamespace(kind="varying_effects", data=data, truth=truth,
    ...                       roles={"group": "group", "x": "x", "y": "y"})
    >>> sd = reference_sd(sim)   # about sigma_a / sqrt(20) and sigma_b / sqrt(20)
    >>> round(sd["mu_a"], 3), round(sd["mu_b"], 3)
    (0.224, 0.112)
    """
    t, _ = _truth_from(sim)
    kind = getattr(sim, "kind", None)
    roles = getattr(sim, "roles", None)
    if kind not in gaussian_kinds() or not isinstance(roles, Mapping):
        raise ValueError(
            f"reference_sd needs a Gaussian simulation (kind one of {gaussian_kinds()}); got "
            f"kind {kind!r}."
        )
    for key in ("sigma_a", "sigma_b", "rho", "sigma"):
        if not _is_scalar_truth(t.get(key)):
            raise ValueError(f"reference_sd needs truth[{key!r}] as a number; got {t.get(key)!r}.")
    data = sim.data
    g = data[roles["group"]]
    x = np.asarray(data[roles["x"]], dtype=float)
    sa, sb, rho, s = (float(t[k]) for k in ("sigma_a", "sigma_b", "rho", "sigma"))
    cov = np.array([[sa * sa, rho * sa * sb], [rho * sa * sb, sb * sb]])
    cov = cov + 1e-12 * np.eye(2)
    cov_inv = np.linalg.inv(cov)
    info = np.zeros((2, 2))
    codes = np.asarray(g.cat.codes if hasattr(g, "cat") else np.unique(g, return_inverse=True)[1])
    for j in np.unique(codes):
        xj = x[codes == j]
        xtx = np.array([[xj.size, xj.sum()], [xj.sum(), xj @ xj]]) / (s * s)
        # Woodbury: (Sigma + V)^-1 = Sigma^-1 - Sigma^-1 (Sigma^-1 + X'X/s^2)^-1 Sigma^-1
        info += cov_inv - cov_inv @ np.linalg.inv(cov_inv + xtx) @ cov_inv
    if prior_sd:
        for i, key in enumerate(("mu_a", "mu_b")):
            if key in prior_sd:
                info[i, i] += 1.0 / float(prior_sd[key]) ** 2
    post = np.linalg.inv(info)
    return {"mu_a": float(math.sqrt(post[0, 0])), "mu_b": float(math.sqrt(post[1, 1]))}
