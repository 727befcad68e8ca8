"""What a model *is*: :func:`describe_model` (PyTensor graph introspection) and :func:`structure`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from teachkit.checks._common import (
    _describe_type,
    _fmt,
    _plural,
)
from teachkit.checks.result import CheckResult

__all__ = ["DESCRIPTION_SCHEMA", "describe_model", "structure"]

# --------------------------------------------------------------------------------------------
# structure
# --------------------------------------------------------------------------------------------

DESCRIPTION_SCHEMA = "teachkit.describe_model/1"


def _dist_name(rv) -> str:
    """``'Normal'``, ``'HalfCauchy'``, ``'LKJCholeskyCov'``, ``'MvNormal'`` ..."""
    op = rv.owner.op
    name = type(op).__name__
    name = name.lstrip("_")
    name = name.removesuffix("RV")
    return name


def _dist_params(rv):
    node = rv.owner
    op = node.op
    try:
        return list(op.dist_params(node))
    except Exception:  # noqa: BLE001 - fall back to all non-RNG inputs
        return [i for i in node.inputs[1:]]


def _is_product(node) -> bool:
    """Whether an Apply node multiplies its inputs (``*``, ``@``, ``dot``)."""
    op = node.op
    core = getattr(op, "core_op", None)  # Blockwise(matmul)
    scalar = getattr(op, "scalar_op", None)  # Elemwise(mul)
    names = {type(op).__name__, type(core).__name__, type(scalar).__name__}
    return bool(names & {"Mul", "Dot", "MatMul", "Dot22", "BatchedDot"}) or any(
        "Dot" in n or "MatMul" in n for n in names
    )


def _const_values(var):
    """The value of a graph with no random inputs, or None."""
    from pytensor.graph.basic import Constant
    from pytensor.graph.traversal import ancestors

    for a in ancestors([var]):
        if a.owner is None and not isinstance(a, Constant):
            return None
    if isinstance(var, Constant):
        return np.asarray(var.data)
    try:  # constant folding without compiling (Alloc/DimShuffle/casts of constants)
        import pytensor.tensor as pt

        return np.asarray(pt.get_underlying_scalar_constant_value(var))
    except Exception:  # noqa: BLE001, S110 - not a scalar constant: evaluate the small graph
        pass
    try:
        return np.asarray(var.eval())
    except Exception:  # noqa: BLE001 - not evaluable: treat as not constant
        return None


def _user_params(dist: str, params) -> list:
    """A prior's constant parameters as its author writes them (``Normal(0, 0.1)`` -> [0, 0.1]).

    PyMC stores some parameters differently from how they are written: the half distributions
    carry a location of 0 first, ``Exponential(lam)`` stores its scale ``1 / lam``, and
    ``Normal(mu, tau=t)`` stores ``sigma``. Entries that are not constants (a parameter that
    depends on other variables, as in a hierarchical prior) are ``None``; arrays are lists.
    """
    values = []
    for p in params:
        v = _const_values(p)
        if v is None or v.dtype.kind not in "biuf" or v.size > 16:
            values.append(None)
        else:
            values.append(float(v) if v.ndim == 0 else v.astype(float).tolist())
    if dist.startswith("Half") and len(values) > 1 and values[0] == 0.0:
        values = values[1:]
    if dist == "Exponential" and values and isinstance(values[0], float) and values[0] > 0:
        values = [1.0 / values[0]]
    return values


def _prior_text(dist: str, params) -> str:
    def one(v):
        return "?" if v is None else _fmt(v) if isinstance(v, float) else str(v)

    return f"{dist}({', '.join(one(v) for v in params)})"


def _shape_list(var, dims, coords):
    if dims:
        return [len(coords.get(d, ())) if d in coords else None for d in dims]
    shp = var.type.shape
    return [None if s is None else int(s) for s in shp]


def describe_model(model: Any) -> dict:
    """A JSON-serialisable description of a PyMC model's structure.

    What :func:`structure` needs to judge a model, in a form that survives export to a clean
    grading process: the free random variables (name, distribution, dims, shape), the
    deterministics, the observed variables and potentials, the coords, whether an
    ``LKJCholeskyCov``/``LKJCorr`` prior is present (and its ``eta``), which group-level
    variables are *centred* (a random variable with group dims whose distribution has other
    random variables as parameters) and which are *non-centred offsets* (a standard-normal
    variable with group dims that a derived variable combines with other random variables).

    Parameters
    ----------
    model : pymc.Model

    Returns
    -------
    dict
        Keys ``schema``, ``free_rvs``, ``deterministics``, ``observed``, ``potentials``,
        ``coords``, ``lkj``, ``lkj_eta``, ``centered``, ``noncentered_offsets``, ``noncentered``.

    Examples
    --------
    >>> import json, pymc as pm
    >>> with pm.Model(coords={"group": ["a", "b", "c"]}) as m:
    ...     mu = pm.Normal("mu_a", 0, 2)
    ...     tau = pm.HalfCauchy("sigma_a", 1)
    ...     z = pm.Normal("z", 0, 1, dims="group")
    ...     alpha = pm.Deterministic("alpha", mu + tau * z, dims="group")
    ...     y = pm.Normal("y", alpha, 1, observed=[0.1, -0.2, 0.3])
    >>> d = describe_model(m)
    >>> [(v["name"], v["distribution"]) for v in d["free_rvs"]]
    [('mu_a', 'Normal'), ('sigma_a', 'HalfCauchy'), ('z', 'Normal')]
    >>> d["noncentered"], d["noncentered_offsets"], d["lkj"]
    (True, ['z'], False)
    >>> _ = json.dumps(d)   # serialisable
    """
    try:
        import pymc as pm
    except ImportError as err:  # pragma: no cover - pymc is a dependency
        raise ValueError("describe_model needs PyMC installed.") from err
    if not isinstance(model, pm.Model):
        raise ValueError(  # noqa: TRY004 - the project raises ValueError for bad arguments
            f"describe_model expects a pymc.Model (the object of `with pm.Model() as model:`); "
            f"got {_describe_type(model)}."
        )
    from pytensor.graph.traversal import ancestors

    coords = {
        str(k): [str(v) for v in (vals if vals is not None else [])]
        for k, vals in model.coords.items()
    }
    dims_of = {
        str(k): [str(d) for d in v] if v else [] for k, v in model.named_vars_to_dims.items()
    }
    free = list(model.free_RVs)
    free_set = set(free)
    free_rvs, centered, offsets = [], [], []
    lkj, lkj_eta = False, None
    for rv in free:
        dist = _dist_name(rv)
        dims = dims_of.get(rv.name, [])
        entry = {
            "name": rv.name,
            "distribution": dist,
            "dims": dims,
            "shape": _shape_list(rv, dims, coords),
            "params": _user_params(dist, _dist_params(rv)),
        }
        free_rvs.append(entry)
        if dist.startswith("LKJ"):
            lkj = True
            # LKJCorr and LKJCholeskyCov take (n, eta, ...): eta is the second parameter, whether
            # written as an int (eta=200) or a float
            params = _dist_params(rv)
            val = _const_values(params[1]) if len(params) > 1 else None
            if val is not None and val.ndim == 0 and val.dtype.kind in "fiu":
                lkj_eta = float(val)
        group_level = bool(dims) or (rv.type.ndim > 0 and not dist.startswith("LKJ"))
        if not group_level:
            continue
        params = _dist_params(rv)
        depends = any(a in free_set for a in ancestors(params))
        if depends:
            centered.append(rv.name)
        elif dist == "Normal":
            vals = [_const_values(p) for p in params]
            if (
                len(vals) >= 2
                and all(v is not None for v in vals[:2])
                and np.allclose(vals[0], 0)
                and np.allclose(vals[1], 1)
            ):
                offsets.append(rv.name)
    # an offset counts as non-centring only if it is *multiplied* (elementwise or by a matrix)
    # with something that depends on another random variable (a scale or Cholesky factor)
    named = list(model.deterministics) + list(model.observed_RVs) + list(model.potentials)
    products = [v.owner for v in ancestors(named) if v.owner is not None and _is_product(v.owner)]
    used_offsets = []
    for name in offsets:
        z = model[name]
        for node in products:
            with_z = [i for i in node.inputs if z in set(ancestors([i]))]
            others = [i for i in node.inputs if not any(i is w for w in with_z)]
            if with_z and any(a in free_set for a in ancestors(others) if a is not z):
                used_offsets.append(name)
                break
    observed = []
    for rv in model.observed_RVs:
        dims = dims_of.get(rv.name, [])
        observed.append(
            {
                "name": rv.name,
                "distribution": _dist_name(rv),
                "dims": dims,
                "shape": _shape_list(rv, dims, coords),
            }
        )
    dets = [
        {
            "name": d.name,
            "dims": dims_of.get(d.name, []),
            "shape": _shape_list(d, dims_of.get(d.name, []), coords),
        }
        for d in model.deterministics
    ]
    pots = [{"name": p.name} for p in model.potentials]
    if used_offsets and not centered:
        nc = True
    elif centered and not used_offsets:
        nc = False
    else:
        nc = None
    return {
        "schema": DESCRIPTION_SCHEMA,
        "free_rvs": free_rvs,
        "deterministics": dets,
        "observed": observed,
        "potentials": pots,
        "coords": coords,
        "lkj": lkj,
        "lkj_eta": lkj_eta,
        "centered": centered,
        "noncentered_offsets": used_offsets,
        "noncentered": nc,
    }


def _var_entry(desc: dict, name: str):
    for key in ("free_rvs", "deterministics"):
        for v in desc.get(key, []):
            if v.get("name") == name:
                return v
    return None


def _is_varying(entry, group_dim) -> bool:
    if entry is None:
        return False
    dims = entry.get("dims") or []
    if group_dim is not None:
        return group_dim in dims
    if dims:
        return True
    shape = [s for s in (entry.get("shape") or []) if s is not None]
    return bool(shape) and int(np.prod(shape)) > 1


def _prior_problems(desc: Mapping, priors: Mapping[str, tuple]) -> list[str]:
    problems = []
    free = {e["name"]: e for e in desc.get("free_rvs", [])}
    for name, spec in priors.items():
        if isinstance(spec, str) or not spec:
            raise ValueError(
                f"priors[{name!r}] must be a tuple (distribution, *parameters), e.g. ('Normal', 0, 2); "
                f"got {spec!r}."
            )
        dist, want = str(spec[0]), [float(v) for v in spec[1:]]
        entry = free.get(name)
        if entry is None:
            if _var_entry(desc, name) is None:
                problems.append(
                    f"the model has no variable '{name}' with the prior {_prior_text(dist, want)}"
                )
            continue  # derived (e.g. a group sd from LKJCholeskyCov): its prior lies elsewhere
        got_dist, got = entry.get("distribution"), entry.get("params")
        if got is None:  # a description from before parameters were recorded
            continue
        same = (
            str(got_dist).lower() == dist.lower()
            and len(got) == len(want)
            and all(
                isinstance(g, float) and np.isclose(g, w, rtol=1e-6, atol=0)
                for g, w in zip(got, want)
            )
        )
        if not same:
            problems.append(
                f"the prior of {name} is {_prior_text(got_dist, got)}, but the question asks for "
                f"{_prior_text(dist, want)}: use that"
            )
    return problems


def structure(
    model: Any,
    *,
    varying_intercepts: bool | None = None,
    varying_slopes: bool | None = None,
    lkj: bool | None = None,
    noncentered: bool | None = None,
    likelihood: str | None = None,
    variables: Sequence[str] | None = None,
    intercept: str = "alpha",
    slope: str = "beta",
    group_dim: str | None = None,
    priors: Mapping[str, tuple] | None = None,
    lkj_eta: float | None = None,
) -> CheckResult:
    """Check what a model is made of.

    Every requirement left at ``None`` is not checked.

    Parameters
    ----------
    model : pymc.Model or dict
        The model, or its :func:`describe_model` description.
    varying_intercepts, varying_slopes : bool, optional
        Whether the variable named ``intercept`` / ``slope`` must (``True``) or must not
        (``False``) vary by group (have a group dimension).
    lkj : bool, optional
        Whether an LKJ prior (``pm.LKJCholeskyCov`` / ``pm.LKJCorr``) must be present.
    noncentered : bool, optional
        ``True``: group effects are built as ``mu + scale * z`` (or ``mu + L z``) from a
        standard-normal ``z``, with no centred group-level random variable left; ``False``: the
        group effects are centred random variables.
    likelihood : str, optional
        ``"sufficient"``: the likelihood is a ``pm.Potential`` (sufficient statistics) and
        nothing is observed; ``"rows"``: an observed variable; any other string: the observed
        variable's distribution name (case-insensitive, e.g. ``"normal"``, ``"binomial"``).
    variables : list of str, optional
        Names that must exist (as random variables or deterministics).
    intercept, slope : str, default "alpha", "beta"
        Names of the group intercepts and slopes.
    group_dim : str, optional
        The group dimension (e.g. ``"station"``); default any dimension.
    priors : dict, optional
        Priors a question states, ``{name: (distribution, *parameters)}`` as the question
        writes them, e.g. ``{"mu_b": ("Normal", 0, 0.1), "sigma": ("HalfCauchy", 1)}``. Each
        named variable must be a free random variable with that distribution and those
        parameters (relative tolerance 1e-6); a name that is a Deterministic in this model (a
        group sd taken from ``LKJCholeskyCov``) is not checked, a missing one fails.
    lkj_eta : float, optional
        The shape ``eta`` the LKJ prior must have.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> import pymc as pm
    >>> with pm.Model(coords={"group": ["a", "b"]}) as m:
    ...     mu_a = pm.Normal("mu_a", 0, 1)
    ...     sigma_a = pm.HalfNormal("sigma_a", 1)
    ...     alpha = pm.Normal("alpha", mu_a, sigma_a, dims="group")
    ...     beta = pm.Normal("beta", 0, 1)
    ...     y = pm.Normal("y", alpha[[0, 1, 1]] + beta, 1, observed=[1.0, 2.0, 3.0])
    >>> structure(m, varying_intercepts=True, noncentered=False).passed
    True
    >>> r = structure(m, varying_slopes=True)
    >>> print(r.message)
    The model has no varying slopes: 'beta' has no group dimension; give each group its own slope (e.g. dims='group') and check again.
    >>> print(structure(m, priors={"mu_a": ("Normal", 0, 2)}).message)
    The prior of mu_a is Normal(0, 1), but the question asks for Normal(0, 2): use that and check again.
    """
    if isinstance(model, Mapping):
        desc = model
        if "free_rvs" not in desc:
            return CheckResult(
                False,
                "Expected a PyMC model or the dict from teachkit.checks.describe_model(model); got "
                "a dict without 'free_rvs'.",
                {"error": "not_a_model"},
            )
    else:
        try:
            desc = describe_model(model)
        except ValueError:
            return CheckResult(
                False,
                f"Expected a PyMC model (the object of `with pm.Model() as model:`); got "
                f"{_describe_type(model)}.",
                {"error": "not_a_model", "type": _describe_type(model)},
            )
    if likelihood is not None and not isinstance(likelihood, str):
        raise ValueError(
            f"likelihood must be a string such as 'normal' or 'sufficient'; got {likelihood!r}."
        )
    problems, facts = [], {}
    group_word = group_dim or "group"
    for flag, name, kind in (
        (varying_intercepts, intercept, "intercept"),
        (varying_slopes, slope, "slope"),
    ):
        if flag is None:
            continue
        entry = _var_entry(desc, name)
        varying = _is_varying(entry, group_dim)
        facts[f"varying_{kind}s"] = varying
        if flag and entry is None:
            problems.append(
                f"the model has no variable '{name}' (its {kind}s); name the group {kind}s '{name}' "
                f"(a pm.Deterministic if they are built from other variables)"
            )
        elif flag and not varying:
            problems.append(
                f"the model has no varying {kind}s: '{name}' has no {group_word} dimension; give "
                f"each {group_word} its own {kind} (e.g. dims='{group_word}')"
            )
        elif not flag and varying:
            problems.append(
                f"'{name}' varies by {group_word} (dims {tuple(entry.get('dims') or ())}) but this "
                f"model should have a single {kind} shared by all {group_word}s"
            )
    if lkj is not None:
        facts["lkj"] = bool(desc.get("lkj"))
        if lkj and not desc.get("lkj"):
            problems.append(
                "the model has no LKJ prior on the correlation of the group effects; use "
                'pm.LKJCorr("chol_corr", n=2, eta=2) with separate sds (or pm.LKJCholeskyCov)'
            )
        elif not lkj and desc.get("lkj"):
            problems.append(
                "the model has an LKJ prior but this model should not correlate the group effects"
            )
    if noncentered is not None:
        nc, cen, _off = (
            desc.get("noncentered"),
            desc.get("centered", []),
            desc.get("noncentered_offsets", []),
        )
        facts["noncentered"] = nc
        if noncentered and nc is not True:
            if cen:
                problems.append(
                    f"the model is centred: {', '.join(repr(c) for c in cen)} "
                    f"{'is a random variable' if len(cen) == 1 else 'are random variables'} whose "
                    "distribution depends on other parameters; write the group effects as "
                    "mu + L z (or mu + sigma * z) with z ~ Normal(0, 1)"
                )
            else:
                problems.append(
                    "the model has no non-centred group effects (a standard-normal z combined "
                    "with a scale or Cholesky factor, e.g. mu + L z)"
                )
        elif noncentered is False and nc is not False:
            problems.append(
                "the model is not centred: draw the group effects directly, e.g. "
                "pm.MvNormal('coeff', mu=..., chol=L, dims=...)"
            )
    if likelihood is not None:
        obs = desc.get("observed", [])
        pots = desc.get("potentials", [])
        lk = likelihood.lower()
        if lk == "sufficient":
            ok = bool(pots) and not obs
            if not ok:
                problems.append(
                    "the likelihood should be a pm.Potential on per-group sufficient statistics "
                    f"with nothing observed; the model has {_plural(len(obs), 'observed variable')} "
                    f"and {_plural(len(pots), 'potential')}"
                )
        elif lk == "rows":
            if not obs:
                problems.append(
                    "the model has no observed variable; pass observed=... to the likelihood"
                )
        else:
            names = [o.get("distribution", "").lower() for o in obs]
            if lk not in names:
                got = (
                    ", ".join(f"{o.get('name')} ~ {o.get('distribution')}" for o in obs)
                    or "no observed variable"
                )
                problems.append(f"the likelihood should be {likelihood}; the model has {got}")
    if priors:
        problems.extend(_prior_problems(desc, priors))
    if lkj_eta is not None and desc.get("lkj"):
        eta = desc.get("lkj_eta")
        facts["lkj_eta"] = eta
        if eta is None or not np.isclose(eta, lkj_eta, rtol=1e-6):
            problems.append(
                f"the LKJ prior has eta = {'an expression' if eta is None else _fmt(eta)}, but the question "
                f"asks for LKJ({_fmt(lkj_eta)}) (larger eta pulls correlations towards 0): use that"
            )
    if variables:
        missing = [v for v in variables if _var_entry(desc, v) is None]
        if missing:
            problems.append(
                f"the model has no variable {', '.join(repr(m) for m in missing)}; name your "
                "variables as asked (a pm.Deterministic can give a derived quantity a name)"
            )
    details = {"facts": facts, "description": dict(desc)}
    if problems:
        text = "; ".join(problems)
        return CheckResult(False, f"{text[0].upper()}{text[1:]} and check again.", details)
    checked = [
        k
        for k, v in (
            ("varying intercepts", varying_intercepts),
            ("varying slopes", varying_slopes),
            ("LKJ prior", lkj),
            ("parameterisation", noncentered),
            ("likelihood", likelihood),
            ("variable names", variables),
            ("priors", priors),
            ("LKJ eta", lkj_eta),
        )
        if v is not None
    ]
    return CheckResult(
        True,
        f"The model's structure is as required ({', '.join(checked) or 'nothing asked'}).",
        details,
    )
