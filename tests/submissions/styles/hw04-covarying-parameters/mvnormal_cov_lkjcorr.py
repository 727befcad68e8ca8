"""A mathematically minded student who writes the lecture's formula Sigma = diag(s) R diag(s).

The centred model builds the covariance matrix from ``pm.LKJCorr`` (remembering that in PyMC 6
it returns the Cholesky factor L_R, so R = L_R L_R^T) and passes ``cov=`` to ``pm.MvNormal``.
The non-centred models use ``z`` of shape (2, groups), one column per group, as in the lecture's
``dot(chol, z).T``, with ``pm.math`` functions throughout.
"""

ANSWERS = {
    "q0": ['STUDENT_ID = "u4471029"\n'],
    "q1": [
        """import pytensor.tensor as pt

with pm.Model(coords=f_coords) as q1_model:
    # group-level sds and the correlation matrix R ~ LKJ(2)
    sigma_a = pm.HalfCauchy("sigma_a", 1)
    sigma_b = pm.HalfCauchy("sigma_b", 1)
    chol_corr = pm.LKJCorr("chol_corr", n=2, eta=2)     # L_R, the Cholesky factor of R
    R = pm.Deterministic("R", chol_corr @ chol_corr.T)
    rho = pm.Deterministic("rho", R[0, 1])
    S = pt.diag(pm.math.stack([sigma_a, sigma_b]))
    Sigma = pm.Deterministic("Sigma", S @ R @ S)

    mu_a = pm.Normal("mu_a", 0, 2)
    mu_b = pm.Normal("mu_b", 0, 2)
    coeffs = pm.MvNormal("coeffs", mu=pm.math.stack([mu_a, mu_b]), cov=Sigma, dims=("group", "coef"))
    alpha = pm.Deterministic("alpha", coeffs[:, 0], dims="group")
    beta = pm.Deterministic("beta", coeffs[:, 1], dims="group")

    sigma = pm.HalfCauchy("sigma", 1)
    pm.Normal("y", mu=alpha[f_group] + beta[f_group] * f_x, sigma=sigma, observed=f_y)
    q1_idata = pm.sample(**SAMPLE_FUNNEL)
q1_divergences = int(q1_idata.sample_stats["diverging"].values.sum())
print("divergences:", q1_divergences)
"""
    ],
    "q2": [
        """with pm.Model(coords=f_coords) as q2_model:
    sigma_a = pm.HalfCauchy("sigma_a", 1)
    sigma_b = pm.HalfCauchy("sigma_b", 1)
    chol_corr = pm.LKJCorr("chol_corr", n=2, eta=2)
    rho = pm.Deterministic("rho", chol_corr[1, 0])
    # L = diag(sigma_a, sigma_b) L_R is the Cholesky factor of Sigma
    chol = pt.diag(pm.math.stack([sigma_a, sigma_b])) @ chol_corr

    mu_a = pm.Normal("mu_a", 0, 2)
    mu_b = pm.Normal("mu_b", 0, 2)
    z = pm.Normal("z", 0, 1, dims=("coef", "group"))          # one column z_j per group
    mu_vec = pm.math.stack([mu_a, mu_b])
    coeffs = pm.Deterministic("coeffs", (mu_vec[:, None] + pm.math.dot(chol, z)).T,
                              dims=("group", "coef"))
    alpha = pm.Deterministic("alpha", coeffs[:, 0], dims="group")
    beta = pm.Deterministic("beta", coeffs[:, 1], dims="group")

    sigma = pm.HalfCauchy("sigma", 1)
    pm.Normal("y", mu=alpha[f_group] + beta[f_group] * f_x, sigma=sigma, observed=f_y)
    q2_idata = pm.sample(**SAMPLE_FUNNEL)
print("divergences:", int(q2_idata.sample_stats["diverging"].sum()))
"""
    ],
    "q3": [
        """with pm.Model(coords=o_coords) as q3_model:
    sigma_a = pm.HalfCauchy("sigma_a", 1)
    sigma_b = pm.HalfCauchy("sigma_b", 1)
    chol_corr = pm.LKJCorr("chol_corr", n=2, eta=2)
    rho = pm.Deterministic("rho", chol_corr[1, 0])
    chol = pt.diag(pm.math.stack([sigma_a, sigma_b])) @ chol_corr

    mu_a = pm.Normal("mu_a", 0, 2)
    mu_b = pm.Normal("mu_b", 0, 0.1)
    z = pm.Normal("z", 0, 1, dims=("coef", "station"))
    mu_vec = pm.math.stack([mu_a, mu_b])
    coeffs = pm.Deterministic("coeffs", (mu_vec[:, None] + pm.math.dot(chol, z)).T,
                              dims=("station", "coef"))
    alpha = pm.Deterministic("alpha", coeffs[:, 0], dims="station")
    beta = pm.Deterministic("beta", coeffs[:, 1], dims="station")

    sigma = pm.HalfCauchy("sigma", 1)
    pm.Normal("log_ozone", mu=alpha[station] + beta[station] * temp, sigma=sigma,
              observed=log_ozone)
    q3_idata = pm.sample(**SAMPLE)
az.summary(q3_idata, var_names=["mu_a", "mu_b", "sigma_a", "sigma_b", "rho", "sigma"])
"""
    ],
    "q4": [
        """names = ozone.coords["station"]
q4_ols = np.zeros((len(names), 2))
for j in range(len(names)):
    slope, intercept = np.polyfit(temp[station == j], log_ozone[station == j], 1)
    q4_ols[j] = intercept, slope
alpha_hat = q3_idata.posterior["alpha"].mean(("chain", "draw")).sel(station=names)
beta_hat = q3_idata.posterior["beta"].mean(("chain", "draw")).sel(station=names)
q4_post = np.stack([alpha_hat.values, beta_hat.values], axis=1)
fig, ax = plt.subplots(figsize=(5.5, 4.5))
ax.scatter(q4_ols[:, 0], q4_ols[:, 1], label="each station alone")
ax.scatter(q4_post[:, 0], q4_post[:, 1], label="partially pooled (posterior mean)")
for (a0, b0), (a1, b1) in zip(q4_ols, q4_post):
    ax.annotate("", (a1, b1), (a0, b0), arrowprops=dict(arrowstyle="->", alpha=0.5))
ax.set_xlabel("intercept α (log ozone at 0 °C)"); ax.set_ylabel("slope β (per °C)"); ax.legend()
plt.show()
"""
    ],
}
