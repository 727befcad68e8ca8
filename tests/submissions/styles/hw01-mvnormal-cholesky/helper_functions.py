"""A student with a software background who wraps everything in small reusable functions.

Writes a general ``cov_from_sd_corr`` helper, draws with ``(L @ z.T).T`` (one draw per column,
then transposed back), checks validity through eigenvalues after the cheap checks, finds the
r23 interval with ``np.roots``, and computes the LKJ density in log space with ``betaln``.
"""

ANSWERS = {
    "q1": [
        """SDS3 = np.array([0.5, 1.0, 2.0])
R3 = np.array([[1.0, 0.3, -0.2],
               [0.3, 1.0, 0.4],
               [-0.2, 0.4, 1.0]])


def cov_from_sd_corr(sd, corr):
    \"\"\"Sigma = diag(sd) @ corr @ diag(sd).\"\"\"
    S = np.diag(np.asarray(sd, dtype=float))
    return S @ np.asarray(corr, dtype=float) @ S


variances = np.array([4.0, 1.0])
rho = -0.8
sds = np.sqrt(variances)
R = np.array([[1, rho], [rho, 1]], dtype=float)
q1_sigma = cov_from_sd_corr(sds, R)
q1_sigma3 = cov_from_sd_corr(SDS3, R3)
q1_sigma
"""
    ],
    "q2": [
        """N_DRAWS = 10_000
rng = np.random.default_rng(SEED)
z = rng.standard_normal((N_DRAWS, 2))
q2_L = np.linalg.cholesky(q1_sigma)
q2_samples = (q2_L @ z.T).T          # L z_i for every column z_i of z.T
q2_sample_cov = np.cov(q2_samples, rowvar=False)
print("sample covariance:\\n", np.round(q2_sample_cov, 3))
print("Sigma:\\n", q1_sigma)
"""
    ],
    "q3": [
        """def corr3(r12, r13, r23):
    return np.array([[1.0, r12, r13], [r12, 1.0, r23], [r13, r23, 1.0]])

CANDIDATES = {
    "lecture": corr3(0.9, 0.8, -0.9),
    "mild": corr3(0.5, 0.3, 0.2),
    "strong_but_fine": corr3(0.9, 0.8, 0.6),
    "all_negative": corr3(-0.6, -0.6, -0.6),
    "not_symmetric": np.array([[1.0, 0.5, 0.1], [0.2, 1.0, 0.3], [0.1, 0.3, 1.0]]),
    "diagonal_two": np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]]),
}


def problems(R, tol=1e-12):
    \"\"\"List what keeps R from being a correlation matrix (empty list: it is one).\"\"\"
    R = np.asarray(R, dtype=float)
    found = []
    if not np.allclose(R, R.T, atol=tol):
        found.append("not symmetric")
    if not np.allclose(np.diag(R), 1.0, atol=tol):
        found.append("diagonal is not all ones")
    if np.any(np.abs(R) > 1 + tol):
        found.append("entry outside [-1, 1]")
    if not found and np.linalg.eigvalsh(R).min() <= tol:
        found.append("not positive definite")
    return found


def is_correlation(R):
    # True if R is a valid correlation matrix (symmetric, unit diagonal, positive definite).
    return len(problems(R)) == 0


q3_valid = dict(zip(CANDIDATES, map(is_correlation, CANDIDATES.values())))
q3_det = np.linalg.det(corr3(0.9, 0.8, -0.9))
r12, r13 = 0.9, 0.8
# det R as a polynomial in r23: -r23^2 + 2 r12 r13 r23 + (1 - r12^2 - r13^2)
low, high = np.sort(np.roots([-1.0, 2 * r12 * r13, 1 - r12**2 - r13**2]).real)
q3_r23_range = (low, high)
q3_valid, q3_det, q3_r23_range
"""
    ],
    "q4": [
        """from scipy import special

ETAS = np.array([0.5, 1.0, 2.0, 5.0])
R_GRID = np.linspace(-0.99, 0.99, 199)


def lkj2_logpdf(r, eta):
    \"\"\"log p(rho | eta) for a 2x2 LKJ matrix, normalised on (-1, 1).\"\"\"
    return (eta - 1) * np.log1p(-r**2) - (2 * eta - 1) * np.log(2) - special.betaln(eta, eta)


def lkj2_sd(eta, n=4000):
    return covariance.sample_lkj(2, eta, size=n, seed=SEED)[:, 0, 1].std(ddof=1)


q4_density = np.exp(np.array([lkj2_logpdf(R_GRID, eta) for eta in ETAS]))
q4_sd = np.array([lkj2_sd(eta) for eta in ETAS])
q4_uniform_eta = 1.0
q4_most_regularising_eta = max(ETAS.tolist())
"""
    ],
}

EXTRA = {
    "q3": [
        """{name: problems(M) for name, M in CANDIDATES.items()}""",
    ],
}
