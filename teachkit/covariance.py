r"""Covariance and correlation matrices: the linear algebra of the lecture.

Everything a multilevel model with covarying parameters needs to know about its covariance
matrix, in plain NumPy/SciPy (no PyMC import), vectorised over leading ("batch") dimensions
where that makes sense:

- building :math:`\Sigma = \operatorname{diag}(\sigma)\, R\, \operatorname{diag}(\sigma)` and
  taking it apart again (:func:`cov_from_sd_corr`, :func:`sd_corr_from_cov`);
- the Cholesky factor :math:`\Sigma = L L^\top` (:func:`cholesky`) and the non-centred draw
  :math:`\mu + L z` (:func:`sample_mvnormal`);
- which matrices can be correlation matrices at all (:func:`correlation_problems`,
  :func:`is_valid_correlation`), and for three variables the determinant (:func:`det3`), the
  allowed range of the third correlation (:func:`r23_interval`) and the matrix itself
  (:func:`corr_from_pairs`);
- the LKJ prior on correlation matrices: its normalised density (:func:`lkj_logpdf`), the density
  of one off-diagonal entry (:func:`lkj_marginal_pdf`) and the onion sampler (:func:`sample_lkj`).

Conventions: a matrix argument has shape ``(..., d, d)``; functions that draw take ``seed``
(``None``, an ``int`` or a :class:`numpy.random.Generator`); bad arguments raise
:class:`ValueError` with a sentence saying what is wrong.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

__all__ = [
    "NotPositiveDefiniteError",
    "cholesky",
    "corr_from_pairs",
    "correlation_problems",
    "cov_from_sd_corr",
    "det3",
    "is_valid_correlation",
    "lkj_logpdf",
    "lkj_marginal_pdf",
    "r23_interval",
    "sample_lkj",
    "sample_mvnormal",
    "sd_corr_from_cov",
]

# Absolute tolerance for "symmetric" and "unit diagonal" (floating-point round-off, not data).
_ATOL = 1e-8


# --------------------------------------------------------------------------------------------
# argument checking
# --------------------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    """Format a number for a message: short, but never rounds a non-zero value to ``0``."""
    x = float(x)
    if x != 0 and abs(x) < 1e-3:
        return f"{x:.2e}"
    return f"{x:.4g}"


def _as_float_array(x, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be numeric (an array of numbers); got {x!r}.") from err
    return arr


def _as_square_stack(x, name: str) -> np.ndarray:
    """A float array of shape ``(..., d, d)`` with finite entries, or ``ValueError``."""
    arr = _as_float_array(x, name)
    if arr.ndim < 2 or arr.shape[-1] != arr.shape[-2]:
        raise ValueError(
            f"{name} must be a square matrix (or a stack of them, shape (..., d, d)); "
            f"got shape {arr.shape}."
        )
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} must be at least 1 x 1; got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries; every entry must be finite.")
    return arr


def _check_symmetric(arr: np.ndarray, name: str) -> None:
    asym = np.abs(arr - np.swapaxes(arr, -1, -2))
    if np.any(asym > _ATOL * np.maximum(1.0, np.abs(arr))):
        idx = np.unravel_index(np.argmax(asym), asym.shape)
        i, j = idx[-2], idx[-1]
        raise ValueError(
            f"{name} must be symmetric; entry [{i}, {j}] is {_fmt(arr[idx])} but entry "
            f"[{j}, {i}] is {_fmt(arr[idx[:-2] + (j, i)])}."
        )


def _check_eta(eta) -> np.ndarray:
    eta = _as_float_array(eta, "eta")
    if not np.all(np.isfinite(eta)) or np.any(eta <= 0):
        bad = eta[~(np.isfinite(eta) & (eta > 0))].ravel()[0]
        raise ValueError(
            f"eta (the LKJ shape parameter) must be a finite number > 0; got {_fmt(bad)}. "
            "eta = 1 is uniform over correlation matrices, eta > 1 favours small correlations."
        )
    return eta


def _check_dim(d) -> int:
    if isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 2:
        raise ValueError(
            f"d (the number of variables) must be an integer >= 2; got {d!r}. "
            "A correlation matrix of one variable is just [[1]]."
        )
    return int(d)


def _check_size(size) -> tuple[int, ...]:
    if size is None:
        return ()
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (size,)
    try:
        size = tuple(size)
    except TypeError as err:
        raise ValueError(
            f"size must be None, a non-negative integer or a tuple of them; got {size!r}."
        ) from err
    if not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 0 for s in size
    ):
        raise ValueError(
            f"size must be None, a non-negative integer or a tuple of them; got {size!r}."
        )
    return tuple(int(s) for s in size)


def _check_correlation_value(r, name: str) -> np.ndarray:
    r = _as_float_array(r, name)
    if not np.all(np.isfinite(r)) or np.any(np.abs(r) > 1):
        bad = r[~(np.isfinite(r) & (np.abs(r) <= 1))].ravel()[0]
        raise ValueError(f"{name} is a correlation and must lie in [-1, 1]; got {_fmt(bad)}.")
    return r


def _scalar_or_array(x: np.ndarray):
    return float(x) if np.ndim(x) == 0 else x


# --------------------------------------------------------------------------------------------
# covariance <-> (sd, correlation)
# --------------------------------------------------------------------------------------------


def cov_from_sd_corr(sd: ArrayLike, corr: ArrayLike) -> np.ndarray:
    r"""Covariance matrix from standard deviations and a correlation matrix.

    .. math::

        \Sigma = \operatorname{diag}(\sigma)\, R\, \operatorname{diag}(\sigma),
        \qquad \Sigma_{ij} = \sigma_i \sigma_j R_{ij}.

    Parameters
    ----------
    sd : array_like, shape (..., d)
        Standard deviations, each >= 0.
    corr : array_like, shape (..., d, d)
        Correlation matrix. It is not checked for validity (so that the lecture can show what
        an impossible one does); use :func:`correlation_problems` for that.

    Returns
    -------
    ndarray, shape (..., d, d)
        The covariance matrix; leading dimensions of ``sd`` and ``corr`` broadcast.

    Raises
    ------
    ValueError
        If an sd is negative or not finite, or the shapes do not fit together.

    Examples
    --------
    The lecture's example, :math:`\sigma_1 = 2`, :math:`\sigma_2 = 1`, :math:`\rho = -0.8`:

    >>> cov_from_sd_corr([2.0, 1.0], [[1.0, -0.8], [-0.8, 1.0]])
    array([[ 4. , -1.6],
           [-1.6,  1. ]])
    """
    sd = _as_float_array(sd, "sd")
    corr = _as_square_stack(corr, "corr")
    if sd.ndim < 1 or sd.shape[-1] != corr.shape[-1]:
        raise ValueError(
            f"sd must hold one standard deviation per variable: corr is "
            f"{corr.shape[-1]} x {corr.shape[-1]}, so sd needs last dimension "
            f"{corr.shape[-1]}; got shape {sd.shape}."
        )
    if not np.all(np.isfinite(sd)) or np.any(sd < 0):
        bad = sd[~(np.isfinite(sd) & (sd >= 0))].ravel()[0]
        raise ValueError(f"every standard deviation must be finite and >= 0; got {_fmt(bad)}.")
    return sd[..., :, None] * corr * sd[..., None, :]


def sd_corr_from_cov(cov: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    r"""Standard deviations and correlation matrix of a covariance matrix.

    .. math::

        \sigma_i = \sqrt{\Sigma_{ii}}, \qquad R_{ij} = \frac{\Sigma_{ij}}{\sigma_i \sigma_j}.

    Parameters
    ----------
    cov : array_like, shape (..., d, d)
        Symmetric matrix with a positive diagonal.

    Returns
    -------
    sd : ndarray, shape (..., d)
    corr : ndarray, shape (..., d, d)
        Its diagonal is exactly 1.

    Raises
    ------
    ValueError
        If ``cov`` is not square and symmetric, or a variance is not positive.

    Examples
    --------
    >>> sd, corr = sd_corr_from_cov([[4.0, -1.6], [-1.6, 1.0]])
    >>> sd
    array([2., 1.])
    >>> corr
    array([[ 1. , -0.8],
           [-0.8,  1. ]])
    """
    cov = _as_square_stack(cov, "cov")
    _check_symmetric(cov, "cov")
    var = np.diagonal(cov, axis1=-2, axis2=-1)
    if np.any(var <= 0):
        first = tuple(np.argwhere(var <= 0)[0])
        i = first[-1]
        raise ValueError(
            "the diagonal of a covariance matrix holds variances and must be > 0; "
            f"entry [{i}, {i}] is {_fmt(var[first])}."
        )
    sd = np.sqrt(var)
    corr = cov / (sd[..., :, None] * sd[..., None, :])
    idx = np.arange(cov.shape[-1])
    corr[..., idx, idx] = 1.0
    return sd, corr


# --------------------------------------------------------------------------------------------
# positive definiteness and Cholesky
# --------------------------------------------------------------------------------------------


def _pd_tolerance(eigvals: np.ndarray) -> np.ndarray:
    """Eigenvalues at or below this are "zero" (round-off), per matrix of a stack."""
    d = eigvals.shape[-1]
    return 10 * d * np.finfo(float).eps * np.maximum(1.0, np.abs(eigvals[..., -1]))


def _round_off_to_zero(eigvals: np.ndarray) -> np.ndarray:
    """Eigenvalues with round-off-sized ones set to 0, for display."""
    tol = _pd_tolerance(eigvals)[..., None]
    return np.where(np.abs(eigvals) <= tol, 0.0, eigvals)


def _eigen_explanation(matrix: np.ndarray, eigvals: np.ndarray) -> str:
    """What a zero or negative smallest eigenvalue of one symmetric matrix means."""
    lam = float(eigvals[0])
    if lam > -_pd_tolerance(eigvals):
        return (
            "A zero eigenvalue means the matrix is singular: one variable is an exact linear "
            "combination of the others (for example a correlation of exactly 1 or -1), so no "
            "Cholesky factor exists and no density can be evaluated; keep correlations strictly "
            "inside (-1, 1)."
        )
    vec = np.linalg.eigh(matrix)[1][:, 0]
    vec = vec * np.sign(vec[np.argmax(np.abs(vec))])
    terms = [f"{'-' if w < 0 else '+'} {abs(w):.2f}*x{k}" for k, w in enumerate(vec)]
    combo = " ".join(terms)
    combo = combo[2:] if combo.startswith("+ ") else "-" + combo[2:]
    return (
        f"A negative eigenvalue means that the weighted sum {combo} of the variables would "
        f"have variance {_fmt(lam)} < 0, which is impossible: no real data can have these "
        "variances and correlations."
    )


class NotPositiveDefiniteError(ValueError):
    """A covariance or correlation matrix that is not positive definite.

    Raised by :func:`cholesky` (and so by everything that draws through it). It is a
    ``ValueError``, so ``except ValueError`` catches it.

    Attributes
    ----------
    eigenvalues : ndarray, shape (..., d)
        The eigenvalues of the matrix (of every matrix of a stack), ascending.
    smallest_eigenvalue : float
        The smallest of them: zero (up to round-off) or negative.
    """

    def __init__(self, message: str, eigenvalues: np.ndarray):
        super().__init__(message)
        self.eigenvalues = eigenvalues
        self.smallest_eigenvalue = float(np.min(eigenvalues))


def cholesky(cov: ArrayLike) -> np.ndarray:
    r"""Lower Cholesky factor :math:`L` of a positive-definite matrix, :math:`\Sigma = L L^\top`.

    :math:`L` is lower triangular with a positive diagonal. If :math:`z` is a vector of
    independent standard normals, :math:`L z \sim \operatorname{MVNormal}(0, \Sigma)`: the
    non-centred parameterisation of the lecture (see :func:`sample_mvnormal`).

    Parameters
    ----------
    cov : array_like, shape (..., d, d)
        Symmetric positive-definite matrix (or a stack of them).

    Returns
    -------
    ndarray, shape (..., d, d)
        The lower factor(s).

    Raises
    ------
    NotPositiveDefiniteError
        If a matrix is not positive definite. The message names the smallest eigenvalue and
        says what it means; the eigenvalues are in ``err.eigenvalues``.
    ValueError
        If ``cov`` is not square, not symmetric or has non-finite entries.

    Examples
    --------
    >>> L = cholesky([[4.0, -1.6], [-1.6, 1.0]])
    >>> L
    array([[ 2. ,  0. ],
           [-0.8,  0.6]])
    >>> L @ L.T
    array([[ 4. , -1.6],
           [-1.6,  1. ]])

    The lecture's impossible correlations (0.9, 0.8, -0.9) have no Cholesky factor:

    >>> try:
    ...     cholesky([[1, 0.9, 0.8], [0.9, 1, -0.9], [0.8, -0.9, 1]])
    ... except NotPositiveDefiniteError as err:
    ...     print(round(err.smallest_eigenvalue, 3))
    ...     print(str(err).split(" (")[0])
    -0.734
    The matrix is not positive definite: its smallest eigenvalue is -0.7342
    """
    cov = _as_square_stack(cov, "cov")
    _check_symmetric(cov, "cov")
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        pass
    eigvals = np.linalg.eigvalsh(cov)
    flat_vals = eigvals.reshape(-1, cov.shape[-1])
    k = int(np.argmin(flat_vals[:, 0]))
    index = tuple(int(i) for i in np.unravel_index(k, cov.shape[:-2])) if cov.ndim > 2 else ()
    where = f" at index {index}" if index else ""
    vals = _round_off_to_zero(flat_vals[k])
    message = (
        f"The matrix{where} is not positive definite: its smallest eigenvalue is "
        f"{_fmt(vals[0])} (eigenvalues {', '.join(_fmt(v) for v in vals)}), but every "
        "eigenvalue of a covariance or correlation matrix must be > 0. "
        + _eigen_explanation(cov[index], vals)
    )
    raise NotPositiveDefiniteError(message, eigvals)


# --------------------------------------------------------------------------------------------
# validity of a correlation matrix
# --------------------------------------------------------------------------------------------


def _valid_correlation_mask(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised validity of a finite ``(..., d, d)`` stack.

    Returns the boolean array over ``...`` and the eigenvalues of the symmetric part.
    """
    sym = np.all(
        np.abs(arr - np.swapaxes(arr, -1, -2)) <= _ATOL * np.maximum(1.0, np.abs(arr)),
        axis=(-2, -1),
    )
    diag = np.all(np.abs(np.diagonal(arr, axis1=-2, axis2=-1) - 1) <= _ATOL, axis=-1)
    in_range = np.all(np.abs(arr) <= 1 + _ATOL, axis=(-2, -1))
    eigvals = np.linalg.eigvalsh(0.5 * (arr + np.swapaxes(arr, -1, -2)))
    pd = eigvals[..., 0] > _pd_tolerance(eigvals)
    return sym & diag & in_range & pd, eigvals


def _list_entries(entries: list[str], limit: int = 6) -> str:
    if len(entries) <= limit:
        shown = entries
        more = ""
    else:
        shown = entries[:limit]
        more = f" (and {len(entries) - limit} more)"
    if len(shown) == 1:
        return shown[0] + more
    return ", ".join(shown[:-1]) + " and " + shown[-1] + more


def correlation_problems(R: ArrayLike) -> list[str]:
    r"""Why ``R`` is not a valid correlation matrix, in sentences (empty list if it is).

    A correlation matrix is square and symmetric, has ones on the diagonal, entries in
    :math:`[-1, 1]`, and is positive definite (all eigenvalues :math:`> 0`). The last condition
    is the one the lecture is about: pairwise correlations that each look fine can be
    impossible together. For three variables it reads

    .. math::

        \det R = 1 - r_{12}^2 - r_{13}^2 - r_{23}^2 + 2 r_{12} r_{13} r_{23} > 0.

    Parameters
    ----------
    R : array_like, shape (d, d)
        One matrix (use :func:`is_valid_correlation` for a stack).

    Returns
    -------
    list of str
        One sentence per problem, naming the offending entries (0-based ``R[i, j]``) or
        eigenvalue; ``[]`` when ``R`` is valid. Round-off up to 1e-8 is tolerated in the
        symmetry, diagonal and range checks.

    Raises
    ------
    ValueError
        If ``R`` is not numeric at all.

    Examples
    --------
    >>> correlation_problems([[1.0, 0.3], [0.3, 1.0]])
    []

    The lecture's example, :math:`\rho_{xy} = 0.9`, :math:`\rho_{xz} = 0.8`,
    :math:`\rho_{yz} = -0.9`:

    >>> for sentence in correlation_problems(corr_from_pairs(0.9, 0.8, -0.9)):
    ...     print(sentence)  # doctest: +NORMALIZE_WHITESPACE
    The correlations R[0, 1] = 0.9, R[0, 2] = 0.8 and R[1, 2] = -0.9 cannot occur together:
    the matrix is not positive definite (smallest eigenvalue -0.7342, determinant -2.556).
    A negative eigenvalue means that the weighted sum -0.57*x0 + 0.59*x1 + 0.57*x2 of the
    variables would have variance -0.7342 < 0, which is impossible: no real data can have these
    variances and correlations. Given R[0, 1] and R[0, 2], R[1, 2] would have to lie strictly
    between 0.4585 and 0.9815.
    """
    arr = _as_float_array(R, "R")
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        return [
            (
                "R must be a square 2-D matrix with one row and one column per variable; "
                f"got shape {arr.shape}."
            )
        ]
    if not np.all(np.isfinite(arr)):
        bad = [f"R[{i}, {j}]" for i, j in np.argwhere(~np.isfinite(arr))]
        return [
            (
                f"R has missing or infinite entries ({_list_entries(bad)}); every entry of a "
                "correlation matrix must be a number in [-1, 1]."
            )
        ]
    d = arr.shape[0]
    problems = []

    iu = [(i, j) for i in range(d) for j in range(i + 1, d)]
    asym = [
        (i, j)
        for i, j in iu
        if abs(arr[i, j] - arr[j, i]) > _ATOL * max(1.0, abs(arr[i, j]), abs(arr[j, i]))
    ]
    symmetric = not asym
    if asym:
        pairs = [
            f"R[{i}, {j}] = {_fmt(arr[i, j])} but R[{j}, {i}] = {_fmt(arr[j, i])}" for i, j in asym
        ]
        problems.append(
            f"R is not symmetric: {_list_entries(pairs, 3)}. The correlation of x{asym[0][0]} "
            f"with x{asym[0][1]} is the same number as that of x{asym[0][1]} with "
            f"x{asym[0][0]}, so R[i, j] must equal R[j, i]."
        )

    bad_diag = [f"R[{i}, {i}] = {_fmt(arr[i, i])}" for i in range(d) if abs(arr[i, i] - 1) > _ATOL]
    if bad_diag:
        problems.append(
            f"The diagonal of a correlation matrix must be 1 (every variable correlates "
            f"perfectly with itself), but {_list_entries(bad_diag)}."
        )

    pairs = iu if symmetric else [(i, j) for i in range(d) for j in range(d) if i != j]
    out_of_range = [
        f"R[{i}, {j}] = {_fmt(arr[i, j])}" for i, j in pairs if abs(arr[i, j]) > 1 + _ATOL
    ]
    if out_of_range:
        problems.append(
            f"A correlation must lie between -1 and 1, but {_list_entries(out_of_range)}."
        )

    if symmetric:
        sym = 0.5 * (arr + arr.T)
        eigvals = np.linalg.eigvalsh(sym)
        if eigvals[0] <= _pd_tolerance(eigvals):
            shown = _round_off_to_zero(eigvals)
            det = float(np.prod(shown))
            entries = [f"R[{i}, {j}] = {_fmt(arr[i, j])}" for i, j in iu]
            if d == 2:
                subject = f"The correlation {entries[0]} is impossible"
            elif d <= 4:
                subject = f"The correlations {_list_entries(entries)} cannot occur together"
            else:
                subject = "The off-diagonal correlations cannot occur together"
            sentence = (
                f"{subject}: the matrix is not positive definite (smallest eigenvalue "
                f"{_fmt(shown[0])}, determinant {_fmt(det)}). " + _eigen_explanation(sym, eigvals)
            )
            if d == 3 and not bad_diag and not out_of_range:
                low, high = r23_interval(arr[0, 1], arr[0, 2])
                if high - low > 1e-12:
                    sentence += (
                        f" Given R[0, 1] and R[0, 2], R[1, 2] would have to lie strictly "
                        f"between {_fmt(low)} and {_fmt(high)}."
                    )
                else:
                    sentence += (
                        " With R[0, 1] or R[0, 2] equal to +-1, no value of R[1, 2] gives a "
                        "positive-definite matrix."
                    )
            problems.append(sentence)
    return problems


def is_valid_correlation(R: ArrayLike) -> bool | np.ndarray:
    """Whether ``R`` is a valid (positive-definite) correlation matrix.

    The same conditions as :func:`correlation_problems` (square, symmetric, unit diagonal,
    entries in [-1, 1], positive definite), vectorised over a stack.

    Parameters
    ----------
    R : array_like, shape (d, d) or (..., d, d)

    Returns
    -------
    bool or ndarray of bool
        A ``bool`` for one matrix; an array of shape ``...`` for a stack. Anything that is not
        a square matrix (stack) is not valid; entries that are NaN make their matrix invalid.

    Examples
    --------
    >>> is_valid_correlation([[1.0, 0.5], [0.5, 1.0]])
    True
    >>> is_valid_correlation(corr_from_pairs(0.9, 0.9, -0.5))
    False
    >>> is_valid_correlation(corr_from_pairs([0.5, 0.9], [0.5, 0.9], [0.5, -0.5]))
    array([ True, False])
    """
    arr = _as_float_array(R, "R")
    if arr.ndim < 2 or arr.shape[-1] != arr.shape[-2] or arr.shape[-1] == 0:
        return False
    finite = np.all(np.isfinite(arr), axis=(-2, -1))
    valid = finite & _valid_correlation_mask(np.where(np.isfinite(arr), arr, 0.0))[0]
    return bool(valid) if valid.ndim == 0 else valid


# --------------------------------------------------------------------------------------------
# three variables
# --------------------------------------------------------------------------------------------


def det3(r12: ArrayLike, r13: ArrayLike, r23: ArrayLike) -> float | np.ndarray:
    r"""Determinant of the 3 x 3 correlation matrix with off-diagonal entries r12, r13, r23.

    .. math::

        \det R = 1 - r_{12}^2 - r_{13}^2 - r_{23}^2 + 2\, r_{12} r_{13} r_{23}.

    With entries in :math:`(-1, 1)`, the matrix is a valid correlation matrix exactly when this
    is :math:`> 0`.

    Parameters
    ----------
    r12, r13, r23 : array_like
        Broadcast against each other.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(det3(0.9, 0.9, -0.5), 4)
    -1.68
    >>> det3(0.0, 0.0, [0.0, 0.6])
    array([1.  , 0.64])
    """
    r12 = _as_float_array(r12, "r12")
    r13 = _as_float_array(r13, "r13")
    r23 = _as_float_array(r23, "r23")
    return _scalar_or_array(1 - r12**2 - r13**2 - r23**2 + 2 * r12 * r13 * r23)


def corr_from_pairs(r12: ArrayLike, r13: ArrayLike, r23: ArrayLike) -> np.ndarray:
    """The 3 x 3 correlation matrix with off-diagonal entries r12, r13, r23.

    No validity check (the lecture builds impossible ones on purpose); see
    :func:`correlation_problems`.

    Parameters
    ----------
    r12, r13, r23 : array_like
        Broadcast against each other; the result has their broadcast shape plus ``(3, 3)``.

    Returns
    -------
    ndarray, shape (..., 3, 3)

    Examples
    --------
    >>> corr_from_pairs(0.9, 0.8, -0.9)
    array([[ 1. ,  0.9,  0.8],
           [ 0.9,  1. , -0.9],
           [ 0.8, -0.9,  1. ]])
    >>> corr_from_pairs([0.1, 0.2], 0.0, 0.0).shape
    (2, 3, 3)
    """
    r12, r13, r23 = np.broadcast_arrays(
        _as_float_array(r12, "r12"), _as_float_array(r13, "r13"), _as_float_array(r23, "r23")
    )
    one = np.ones_like(r12)
    rows = [[one, r12, r13], [r12, one, r23], [r13, r23, one]]
    return np.stack([np.stack(row, axis=-1) for row in rows], axis=-2)


def r23_interval(r12: ArrayLike, r13: ArrayLike) -> tuple[float | np.ndarray, float | np.ndarray]:
    r"""The range of :math:`r_{23}` that makes a 3 x 3 correlation matrix valid.

    Given :math:`r_{12}` and :math:`r_{13}`, :math:`\det R > 0` exactly when

    .. math::

        r_{12} r_{13} - \sqrt{(1 - r_{12}^2)(1 - r_{13}^2)} < r_{23}
        < r_{12} r_{13} + \sqrt{(1 - r_{12}^2)(1 - r_{13}^2)}.

    Parameters
    ----------
    r12, r13 : array_like
        Correlations in [-1, 1]; broadcast against each other.

    Returns
    -------
    low, high : float or ndarray
        The open interval's endpoints. If :math:`|r_{12}| = 1` or :math:`|r_{13}| = 1` the
        interval is empty (``low == high``): no value of :math:`r_{23}` gives a
        positive-definite matrix.

    Raises
    ------
    ValueError
        If a correlation lies outside [-1, 1] or is not finite.

    Examples
    --------
    If x correlates 0.9 with y and 0.8 with z, then y and z must correlate positively:

    >>> low, high = r23_interval(0.9, 0.8)
    >>> print(f"{low:.3f} < r23 < {high:.3f}")
    0.458 < r23 < 0.982
    >>> r23_interval(0.0, 0.0)
    (-1.0, 1.0)
    """
    r12 = _check_correlation_value(r12, "r12")
    r13 = _check_correlation_value(r13, "r13")
    centre = r12 * r13
    half = np.sqrt(np.clip((1 - r12**2) * (1 - r13**2), 0.0, None))
    return _scalar_or_array(centre - half), _scalar_or_array(centre + half)


# --------------------------------------------------------------------------------------------
# the LKJ distribution
# --------------------------------------------------------------------------------------------


def _lkj_log_normalizer(eta: np.ndarray, d: int) -> np.ndarray:
    r"""Log of :math:`c_d(\eta)`, Stan's ``do_lkj_constant`` form (valid for every eta > 0)."""
    k = np.arange(1, d)
    eta = np.asarray(eta, dtype=float)[..., None]
    return (d - 1) * special.gammaln(eta[..., 0] + (d - 1) / 2) - np.sum(
        0.5 * k * np.log(np.pi) + special.gammaln(eta + (d - 1 - k) / 2), axis=-1
    )


def lkj_logpdf(R: ArrayLike, eta: ArrayLike) -> float | np.ndarray:
    r"""Log density of the LKJ distribution on correlation matrices, normalised.

    .. math::

        p(R \mid \eta) = c_d(\eta)\, (\det R)^{\eta - 1},

        \log c_d(\eta) = (d-1) \log\Gamma\!\left(\eta + \tfrac{d-1}{2}\right)
            - \sum_{k=1}^{d-1} \left[ \tfrac{k}{2} \log\pi
            + \log\Gamma\!\left(\eta + \tfrac{d-1-k}{2}\right) \right],

    a density with respect to Lebesgue measure on the :math:`d(d-1)/2` entries above the
    diagonal (Lewandowski, Kurowicka & Joe 2009; the constant in the form of Stan's
    ``do_lkj_constant``). For :math:`d = 2`, :math:`(r + 1)/2 \sim \mathrm{Beta}(\eta, \eta)`.
    :math:`\eta = 1` is uniform over valid matrices, :math:`\eta > 1` favours small
    correlations (the lecture's LKJ(2): :math:`p(\rho) \propto 1 - \rho^2`), :math:`\eta < 1`
    large ones.

    Parameters
    ----------
    R : array_like, shape (..., d, d)
        Correlation matrix (or a stack of them), ``d >= 2``.
    eta : float or array_like
        Shape parameter, ``> 0``; broadcast against the leading dimensions of ``R``.

    Returns
    -------
    float or ndarray
        ``-inf`` for a matrix outside the support (not a valid correlation matrix, see
        :func:`correlation_problems`).

    Raises
    ------
    ValueError
        If ``R`` is not a (stack of) square matrices of size >= 2 with finite entries, or
        ``eta <= 0``.

    Examples
    --------
    For two variables this is a Beta(eta, eta) density stretched to (-1, 1):

    >>> import numpy as np
    >>> from scipy import stats
    >>> r = 0.3
    >>> round(float(np.exp(lkj_logpdf([[1, r], [r, 1]], eta=2))), 6)
    0.6825
    >>> round(float(stats.beta(2, 2).pdf((r + 1) / 2) / 2), 6)
    0.6825

    With eta = 1 it is uniform over the 3 x 3 correlation matrices, a set of volume
    :math:`\pi^2/2`:

    >>> round(float(np.exp(lkj_logpdf(np.eye(3), eta=1)) * np.pi**2 / 2), 12)
    1.0
    >>> lkj_logpdf(corr_from_pairs(0.9, 0.9, -0.5), eta=2)
    -inf
    """
    arr = _as_square_stack(R, "R")
    d = arr.shape[-1]
    if d < 2:
        raise ValueError(
            f"the LKJ distribution is defined for d >= 2 variables; R has shape {arr.shape}."
        )
    eta = _check_eta(eta)
    valid, eigvals = _valid_correlation_mask(arr)
    logdet = np.sum(np.log(np.where(valid[..., None], eigvals, 1.0)), axis=-1)
    eta_b, logdet_b, valid_b = np.broadcast_arrays(eta, logdet, valid)
    out = _lkj_log_normalizer(eta_b, d) + (eta_b - 1) * logdet_b
    out = np.where(valid_b, out, -np.inf)
    return _scalar_or_array(out)


def lkj_marginal_pdf(r: ArrayLike, eta: ArrayLike, d: int) -> float | np.ndarray:
    r"""Density of one off-diagonal entry of an LKJ(:math:`\eta`) correlation matrix.

    Every off-diagonal entry :math:`r` of a :math:`d \times d` matrix has the same marginal

    .. math::

        \frac{r + 1}{2} \sim \mathrm{Beta}(\beta, \beta), \quad
        \beta = \eta - 1 + \frac{d}{2}, \qquad
        p(r) = \frac{(1 - r^2)^{\beta - 1}}{2^{2\beta - 1} B(\beta, \beta)},

    with mean 0 and variance :math:`1/(2\eta + d - 1)`: more variables push every single
    correlation towards 0, even with :math:`\eta = 1`.

    Parameters
    ----------
    r : array_like
        Values at which to evaluate; outside (-1, 1) the density is 0.
    eta : float or array_like
        Shape parameter, ``> 0``.
    d : int
        Dimension of the matrix, ``>= 2``.

    Returns
    -------
    float or ndarray
        Broadcast shape of ``r`` and ``eta``.

    Raises
    ------
    ValueError
        If ``eta <= 0`` or ``d`` is not an integer >= 2.

    Examples
    --------
    The lecture's LKJ(2) for two variables, :math:`p(\rho) = \tfrac34 (1 - \rho^2)`:

    >>> lkj_marginal_pdf([-0.5, 0.0, 0.5], eta=2, d=2)
    array([0.5625, 0.75  , 0.5625])
    >>> round(float(lkj_marginal_pdf(0.0, eta=1, d=10)), 4)
    1.2305
    """
    d = _check_dim(d)
    eta = _check_eta(eta)
    r = _as_float_array(r, "r")
    shape = eta - 1 + d / 2
    from scipy import stats  # imported here: scipy.stats costs ~1 s of every teachkit import

    return _scalar_or_array(stats.beta.pdf((r + 1) / 2, shape, shape) / 2)


def sample_lkj(
    d: int,
    eta: float,
    size: int | tuple[int, ...] | None = None,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    r"""Draw correlation matrices from LKJ(:math:`\eta`) with the onion method.

    The onion method (Lewandowski, Kurowicka & Joe 2009, section 3.2; the sampler PyMC uses)
    grows the matrix one variable at a time, working on its Cholesky factor :math:`L`:

    1. :math:`\beta = \eta + (d-2)/2`; :math:`r_{12} = 2y - 1` with
       :math:`y \sim \mathrm{Beta}(\beta, \beta)`, so that
       :math:`L = \begin{pmatrix} 1 & 0 \\ r_{12} & \sqrt{1 - r_{12}^2} \end{pmatrix}`.
    2. For :math:`k = 2, \dots, d-1`: :math:`\beta \leftarrow \beta - 1/2`,
       :math:`y \sim \mathrm{Beta}(k/2, \beta)`, :math:`u` uniform on the unit sphere in
       :math:`\mathbb{R}^k`; the new row of :math:`L` is :math:`(\sqrt{y}\, u, \sqrt{1 - y})`.

    Then :math:`R = L L^\top`.

    Parameters
    ----------
    d : int
        Number of variables, ``>= 2``.
    eta : float
        Shape parameter, ``> 0``.
    size : int or tuple of int, optional
        Shape of the array of independent draws; ``None`` for one matrix.
    seed : None, int or numpy.random.Generator, optional
        Same seed, same draws.

    Returns
    -------
    ndarray, shape size + (d, d)
        Symmetric with an exactly unit diagonal, and positive definite up to floating point:
        for very small ``eta`` part of the LKJ mass lies within round-off of the boundary, so
        some draws are numerically singular (entries of exactly +-1). Measured with 5000
        draws: none for eta >= 0.5, 0.1-0.5 % at eta = 0.2, about 20 % at eta = 0.05.

    Raises
    ------
    ValueError
        If ``d`` is not an integer >= 2, ``eta`` is not a single number > 0, or ``size`` is
        malformed.

    Examples
    --------
    >>> R = sample_lkj(3, eta=2.0, size=1000, seed=1)
    >>> R.shape
    (1000, 3, 3)
    >>> bool(is_valid_correlation(R).all())
    True
    >>> np.allclose(sample_lkj(4, 1.0, seed=7), sample_lkj(4, 1.0, seed=7))
    True
    """
    d = _check_dim(d)
    if np.ndim(eta) != 0:
        raise ValueError(f"eta must be a single number > 0 for sample_lkj; got {eta!r}.")
    eta = float(_check_eta(eta))
    size = _check_size(size)
    rng = np.random.default_rng(seed)

    L = np.zeros(size + (d, d))
    L[..., 0, 0] = 1.0
    beta = eta + (d - 2) / 2
    r12 = 2 * rng.beta(beta, beta, size=size) - 1
    L[..., 1, 0] = r12
    L[..., 1, 1] = np.sqrt(1 - r12**2)
    for k in range(2, d):
        beta -= 0.5
        y = rng.beta(k / 2, beta, size=size)
        u = rng.standard_normal(size + (k,))
        u /= np.linalg.norm(u, axis=-1, keepdims=True)
        L[..., k, :k] = np.sqrt(y)[..., None] * u
        L[..., k, k] = np.sqrt(1 - y)
    R = L @ np.swapaxes(L, -1, -2)
    R = 0.5 * (R + np.swapaxes(R, -1, -2))
    idx = np.arange(d)
    R[..., idx, idx] = 1.0
    return R


def sample_mvnormal(
    mean: ArrayLike,
    cov: ArrayLike,
    size: int | tuple[int, ...] | None = None,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    r"""Draw from :math:`\operatorname{MVNormal}(\mu, \Sigma)` as :math:`\mu + L z`.

    :math:`L` is the lower Cholesky factor of :math:`\Sigma` (:func:`cholesky`) and :math:`z` a
    vector of independent standard normals: since
    :math:`\operatorname{Cov}(L z) = L\, I\, L^\top = \Sigma`, this is the non-centred
    parameterisation of the lecture.

    Parameters
    ----------
    mean : array_like, shape (..., k)
    cov : array_like, shape (..., k, k)
        Positive definite. Leading dimensions of ``mean`` and ``cov`` broadcast (the "batch").
    size : int or tuple of int, optional
        Shape of independent draws, prepended to the batch shape; ``None`` for one draw.
    seed : None, int or numpy.random.Generator, optional
        Same seed, same draws.

    Returns
    -------
    ndarray, shape size + batch + (k,)

    Raises
    ------
    NotPositiveDefiniteError
        If ``cov`` is not positive definite (e.g. built from impossible correlations).
    ValueError
        If the shapes of ``mean`` and ``cov`` do not fit together, or ``size`` is malformed.

    Examples
    --------
    >>> cov = cov_from_sd_corr([2.0, 1.0], [[1.0, -0.8], [-0.8, 1.0]])
    >>> x = sample_mvnormal([0.0, 0.0], cov, size=20_000, seed=410)
    >>> x.shape
    (20000, 2)
    >>> np.round(np.cov(x.T), 1)
    array([[ 4. , -1.6],
           [-1.6,  1. ]])
    """
    L = cholesky(cov)
    mean = _as_float_array(mean, "mean")
    k = L.shape[-1]
    if mean.ndim < 1 or mean.shape[-1] != k:
        raise ValueError(
            f"mean must have one entry per variable: cov is {k} x {k}, so mean needs last "
            f"dimension {k}; got shape {mean.shape}."
        )
    if not np.all(np.isfinite(mean)):
        raise ValueError("mean contains NaN or infinite entries; every entry must be finite.")
    try:
        batch = np.broadcast_shapes(mean.shape[:-1], L.shape[:-2])
    except ValueError as err:
        raise ValueError(
            f"the leading dimensions of mean {mean.shape[:-1]} and cov {L.shape[:-2]} do not "
            "broadcast against each other."
        ) from err
    size = _check_size(size)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(size + batch + (k,))
    return mean + (L @ z[..., None])[..., 0]
