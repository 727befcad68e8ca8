"""A careful, slightly verbose student who spells every step out with np.diag and @.

Checks each condition of a correlation matrix one by one, solves the quadratic with the
textbook formula, and writes the LKJ density from the question's normalising constant. Leaves
clutter behind: extra prints, a quick histogram, and a cell with a typo'd name that raises.
"""

ANSWERS = {
    "q1": [
        """SDS3 = np.array([0.5, 1.0, 2.0])
R3 = np.array([[1.0, 0.3, -0.2],
               [0.3, 1.0, 0.4],
               [-0.2, 0.4, 1.0]])

variances = np.array([4.0, 1.0])
rho = -0.8
sds = np.sqrt(variances)          # the question gives variances; Sigma needs sds
R = np.array([[1.0, rho],
              [rho, 1.0]])
D = np.diag(sds)
q1_sigma = D @ R @ D
D3 = np.diag(SDS3)
q1_sigma3 = D3 @ R3 @ D3
q1_sigma
"""
    ],
    "q2": [
        """N_DRAWS = 10_000
rng = np.random.default_rng(SEED)
z = rng.standard_normal((N_DRAWS, 2))
q2_L = np.linalg.cholesky(q1_sigma)
# each row of z is one z_i, and (L z_i)^T = z_i^T L^T, so stacking the rows gives z @ L.T
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
    if R.ndim != 2 or R.shape[0] != R.shape[1]:
        return False
    symmetric = np.allclose(R, R.T)
    unit_diagonal = np.allclose(np.diag(R), 1.0)
    in_range = np.all(np.abs(R) <= 1.0)
    if not (symmetric and unit_diagonal and in_range):
        return False
    # eigvalsh only looks at one triangle, so it is only meaningful once R is symmetric
    eigenvalues = np.linalg.eigvalsh(R)
    return bool(np.all(eigenvalues > 0))

q3_valid = {}
for name, matrix in CANDIDATES.items():
    q3_valid[name] = is_correlation(matrix)

q3_det = np.linalg.det(CANDIDATES["lecture"])

r12, r13 = 0.9, 0.8
# det R = -r23^2 + 2 r12 r13 r23 + (1 - r12^2 - r13^2) > 0
a = -1.0
b = 2 * r12 * r13
c = 1 - r12**2 - r13**2
disc = b**2 - 4 * a * c
roots = sorted([(-b + np.sqrt(disc)) / (2 * a), (-b - np.sqrt(disc)) / (2 * a)])
q3_r23_range = (float(roots[0]), float(roots[1]))
q3_valid, q3_det, q3_r23_range
"""
    ],
    "q4": [
        """from scipy import special

ETAS = np.array([0.5, 1.0, 2.0, 5.0])
R_GRID = np.linspace(-0.99, 0.99, 199)

q4_density = np.zeros((len(ETAS), len(R_GRID)))
for i, eta in enumerate(ETAS):
    const = 1.0 / (2 ** (2 * eta - 1) * special.beta(eta, eta))
    q4_density[i] = const * (1 - R_GRID**2) ** (eta - 1)

q4_sd = np.zeros(len(ETAS))
for i, eta in enumerate(ETAS):
    draws = covariance.sample_lkj(2, eta, size=4000, seed=SEED)
    q4_sd[i] = draws[:, 0, 1].std()

q4_uniform_eta = 1.0            # (1 - rho^2)^0 is flat
q4_most_regularising_eta = 5.0  # the largest eta pulls rho hardest toward 0
"""
    ],
}

EXTRA = {
    "q1": [
        """print("Sigma for 3 variables:")
print(q1_sigma3)
print("eigenvalues:", np.linalg.eigvalsh(q1_sigma3))
""",
    ],
    "q2": [
        """# sanity check: L @ L.T gives back Sigma
print(np.allclose(q2_L @ q2_L.T, q1_sigma))
print("sample correlation:", np.corrcoef(q2_samples, rowvar=False)[0, 1])
""",
        # a leftover cell with a typo: it raises a NameError but changes nothing
        """print(q2_sample_covv)""",
    ],
    "q3": [
        {"markdown": "If x goes with y and x goes with z, then y and z must go together too: "
                     "with r12 = 0.9 and r13 = 0.8 the correlation of y and z is forced to be "
                     "at least about 0.46, so -0.9 is impossible (the determinant is negative)."},
        """for name, matrix in CANDIDATES.items():
    print(f"{name:16s} det = {np.linalg.det(matrix):7.3f}  valid = {q3_valid[name]}")
""",
    ],
    "q4": [
        """fig, ax = plt.subplots(figsize=(4, 3))
for eta in ETAS:
    r = covariance.sample_lkj(2, eta, size=4000, seed=SEED)[:, 0, 1]
    ax.hist(r, bins=40, histtype="step", density=True, label=f"eta={eta:g}")
ax.legend()
plt.show()
print(dict(zip(ETAS, np.round(q4_sd, 3))))
""",
    ],
}
