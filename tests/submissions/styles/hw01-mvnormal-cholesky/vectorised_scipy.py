"""A student fluent in NumPy broadcasting and scipy.stats who likes terse, vectorised code.

Builds Sigma with an outer product of the sds in (a) (and the required np.diag products in
(b)), tests positive definiteness by attempting a Cholesky factorisation, writes the interval of
r23 in closed form, and evaluates the LKJ density as a stretched Beta with one broadcast call.
"""

ANSWERS = {
    "q1": [
        """SDS3 = np.array([0.5, 1.0, 2.0])
R3 = np.array([[1.0, 0.3, -0.2],
               [0.3, 1.0, 0.4],
               [-0.2, 0.4, 1.0]])

variances = np.array([4.0, 1.0])
rho = -0.8
sds = variances ** 0.5
R = np.eye(2) + rho * (1 - np.eye(2))
q1_sigma = np.outer(sds, sds) * R        # Sigma_ij = s_i s_j R_ij, same as diag(s) R diag(s)
q1_sigma3 = np.diag(SDS3) @ R3 @ np.diag(SDS3)
q1_sigma
"""
    ],
    "q2": [
        """N_DRAWS = 10_000
rng = np.random.default_rng(SEED)
z = rng.standard_normal((N_DRAWS, 2))
q2_L = np.linalg.cholesky(q1_sigma)
q2_samples = z @ q2_L.T
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

def is_correlation(R):
    # True if R is a valid correlation matrix (symmetric, unit diagonal, positive definite).
    R = np.asarray(R, dtype=float)
    if R.shape != (R.shape[0],) * 2 or not np.array_equal(R, R.T) \\
            or not np.allclose(np.diag(R), 1):
        return False
    try:
        np.linalg.cholesky(R)       # succeeds exactly for (numerically) positive definite R
    except np.linalg.LinAlgError:
        return False
    return True

q3_valid = {name: is_correlation(M) for name, M in CANDIDATES.items()}
q3_det = float(np.linalg.det(CANDIDATES["lecture"]))
r12, r13 = 0.9, 0.8
half_width = np.sqrt((1 - r12**2) * (1 - r13**2))
q3_r23_range = (r12 * r13 - half_width, r12 * r13 + half_width)
q3_valid, q3_det, q3_r23_range
"""
    ],
    "q4": [
        """from scipy import special
from scipy import stats

ETAS = np.array([0.5, 1.0, 2.0, 5.0])
R_GRID = np.linspace(-0.99, 0.99, 199)

# (rho + 1) / 2 ~ Beta(eta, eta); the change of variables rho -> (rho + 1)/2 brings a factor 1/2
q4_density = stats.beta.pdf((R_GRID[None, :] + 1) / 2, ETAS[:, None], ETAS[:, None]) / 2
q4_sd = np.array([covariance.sample_lkj(2, eta, size=4000, seed=SEED)[:, 0, 1].std()
                  for eta in ETAS])
q4_uniform_eta = float(ETAS[ETAS == 1][0])
q4_most_regularising_eta = float(ETAS.max())
"""
    ],
}

EXTRA = {
    "q4": [
        """# theory: var(rho) = 1 / (2 eta + 1) for a 2x2 matrix
print(np.c_[ETAS, q4_sd, 1 / np.sqrt(2 * ETAS + 1)])
print("integrates to ~1:", np.trapezoid(q4_density, R_GRID, axis=1))
""",
    ],
}
