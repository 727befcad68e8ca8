"""The result of every generator: a tidy data frame and the truth that generated it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["Simulation"]


# --------------------------------------------------------------------------------------------
# the result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Simulation:
    """A simulated data set together with the true values that generated it.

    Attributes
    ----------
    kind : str
        Which generator made it: ``"varying_effects"``, ``"ozone"``, ``"funnel"`` or
        ``"grants"``.
    data : pandas.DataFrame
        Tidy data, one row per observation (grants: one row per discipline x gender cell).
        Grouping columns are :class:`pandas.Categorical` whose categories are the labels in
        order.
    truth : dict
        Every true value, JSON-serialisable, keyed by the names of the models' variables:
        ``mu_a``, ``mu_b``, ``sigma_a``, ``sigma_b``, ``rho``, ``sigma`` (floats) and ``alpha``,
        ``beta`` (``{group label: value}``, the realised draws) for the Gaussian generators;
        see :func:`grants` for its keys.
    roles : dict of str to str
        Which data column plays which part, e.g. ``{"group": "station", "x": "temp",
        "y": "log_ozone"}``.
    params : dict
        The arguments the generator was called with, defaults filled in (``seed`` included; a
        :class:`numpy.random.Generator` seed is recorded as a string since it cannot be replayed).

    Examples
    --------
    >>> from teachkit.simulate import funnel, grants, varying_effects
    >>> sim = varying_effects(n_groups=3, n_per_group=4, seed=1)
    >>> sim
    Simulation(kind='varying_effects', rows=12, columns=['group', 'x', 'y'], group=3 levels)
    >>> sim.coords
    {'group': ['g1', 'g2', 'g3']}
    >>> sorted(sim.truth)
    ['alpha', 'beta', 'mu_a', 'mu_b', 'rho', 'sigma', 'sigma_a', 'sigma_b']
    """

    kind: str
    data: pd.DataFrame
    truth: dict
    roles: dict
    params: dict

    @property
    def coords(self) -> dict[str, list[str]]:
        """Labels of every categorical column, ``{column: [labels in order]}``.

        These are the ``coords`` a PyMC model of this data uses. For the Gaussian generators
        there is one entry, the group column; for :func:`grants`, ``discipline`` and ``gender``.

        Examples
        --------
        >>> from teachkit.simulate import grants
        >>> grants(seed=0).coords["gender"]
        ['female', 'male']
        """
        return {
            str(col): [str(c) for c in self.data[col].cat.categories]
            for col in self.data.columns
            if isinstance(self.data[col].dtype, pd.CategoricalDtype)
        }

    def realised_truth(self) -> dict:
        """The truth as these groups realised it: what a fit of this one data set can know.

        A data set of a dozen groups pins down its own groups' intercepts and slopes, not the
        population they were drawn from: twelve intercepts drawn with sd 0.12 have a sample sd
        anywhere from about 0.07 to 0.17, and a correct fit covers the sample's value, not
        always the population's. So a per-student check holds each fit against this: the
        population ``mu_a``, ``mu_b``, ``sigma_a``, ``sigma_b`` and ``rho`` replaced by the mean,
        the sample sd (``ddof=1``) and the correlation of the realised ``alpha`` and ``beta``.
        ``sigma`` (the residual sd, pinned by every observation), ``alpha`` and ``beta`` are
        the truth's own.

        Only for the Gaussian generators (their truth has ``alpha`` and ``beta`` per group).

        Returns
        -------
        dict
            A copy of :attr:`truth` with the five hyperparameters replaced.

        Examples
        --------
        >>> from teachkit.simulate import varying_effects
        >>> sim = varying_effects(n_groups=30, seed=1)
        >>> real = sim.realised_truth()
        >>> sorted(real) == sorted(sim.truth)
        True
        >>> import numpy as np
        >>> bool(np.isclose(real["mu_a"], np.mean(list(sim.truth["alpha"].values()))))
        True
        >>> real["sigma"] == sim.truth["sigma"]
        True
        """
        import numpy as np

        groups = [self.truth.get(k) for k in ("alpha", "beta")]
        if not all(isinstance(g, dict) and len(g) > 2 for g in groups):
            raise ValueError(
                f"realised_truth needs the per-group alpha and beta of a Gaussian simulation with "
                f"at least 3 groups; this {self.kind!r} simulation's truth has "
                f"{', '.join(sorted(self.truth))}."
            )
        a = np.array(list(groups[0].values()), dtype=float)
        b = np.array(list(groups[1].values()), dtype=float)
        return {
            **self.truth,
            "mu_a": float(a.mean()),
            "mu_b": float(b.mean()),
            "sigma_a": float(a.std(ddof=1)),
            "sigma_b": float(b.std(ddof=1)),
            "rho": float(np.corrcoef(a, b)[0, 1]),
        }

    def __repr__(self) -> str:
        levels = ", ".join(f"{col}={len(labels)} levels" for col, labels in self.coords.items())
        return (
            f"Simulation(kind={self.kind!r}, rows={len(self.data)}, "
            f"columns={list(map(str, self.data.columns))}, {levels})"
        )

    def to_dir(self, path) -> Path:
        """Write ``data.csv`` and ``truth.json`` into the folder ``path`` (created if needed).

        ``truth.json`` holds ``{"kind", "truth", "roles", "params", "columns"}``; ``columns``
        records each column's type (and a categorical column's labels in order) so that
        :meth:`from_dir` restores the frame exactly.

        Returns
        -------
        pathlib.Path
            The folder.

        Examples
        --------
        >>> import tempfile
        >>> from teachkit.simulate import funnel
        >>> sim = funnel(seed=3)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     folder = sim.to_dir(tmp)
        ...     sorted(p.name for p in folder.iterdir())
        ...     back = Simulation.from_dir(folder)
        ['data.csv', 'truth.json']
        >>> back.data.equals(sim.data) and back.truth == sim.truth
        True
        """
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        columns = {}
        for col in self.data.columns:
            dtype = self.data[col].dtype
            if isinstance(dtype, pd.CategoricalDtype):
                columns[col] = {"type": "category", "categories": self.coords[col]}
            elif pd.api.types.is_datetime64_any_dtype(dtype):
                columns[col] = {"type": "date"}
            elif pd.api.types.is_integer_dtype(dtype):
                columns[col] = {"type": "int"}
            elif pd.api.types.is_float_dtype(dtype):
                columns[col] = {"type": "float"}
            else:
                columns[col] = {"type": "str"}
        meta = {
            "kind": self.kind,
            "truth": self.truth,
            "roles": self.roles,
            "params": self.params,
            "columns": columns,
        }
        data = self.data.copy()
        for col, spec in columns.items():
            if spec["type"] == "date":
                data[col] = data[col].dt.strftime("%Y-%m-%d")
        data.to_csv(folder / "data.csv", index=False)
        (folder / "truth.json").write_text(json.dumps(meta, indent=2, allow_nan=False) + "\n")
        return folder

    @classmethod
    def from_dir(cls, path) -> Simulation:
        """Read a simulation written by :meth:`to_dir` (or ``teachkit simulate``).

        Examples
        --------
        See :meth:`to_dir`.
        """
        folder = Path(path)
        meta_file, data_file = folder / "truth.json", folder / "data.csv"
        for file in (meta_file, data_file):
            if not file.is_file():
                raise ValueError(
                    f"{file} does not exist; a simulation folder holds data.csv and truth.json "
                    "(write one with Simulation.to_dir or `teachkit simulate`)."
                )
        meta = json.loads(meta_file.read_text())
        columns = meta["columns"]
        readers = {"int": "int64", "float": "float64", "str": str, "category": str, "date": str}
        data = pd.read_csv(
            data_file,
            dtype={col: readers[spec["type"]] for col, spec in columns.items()},
            keep_default_na=False,
        )
        for col, spec in columns.items():
            if spec["type"] == "category":
                data[col] = pd.Categorical(data[col], categories=spec["categories"])
            elif spec["type"] == "date":
                data[col] = pd.to_datetime(data[col], format="%Y-%m-%d")
        return cls(
            kind=meta["kind"],
            data=data,
            truth=meta["truth"],
            roles=meta["roles"],
            params=meta["params"],
        )
