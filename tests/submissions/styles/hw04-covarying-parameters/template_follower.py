"""A diligent student who copies the question's snippets verbatim and fills in the rest.

Centred model with ``pm.LKJCholeskyCov`` and ``MvNormal(chol=...)``; non-centred with
``pm.LKJCorr`` and separate scales, ``z`` of shape (groups, 2) and ``z @ chol.T``. Leaves the
usual clutter: prints, ``az.summary`` tables, a matplotlib histogram, and one cell with a typo'd
variable name that raises a KeyError.
"""

ANSWERS = {
    "q0": ['STUDENT_ID = "s7730115"\n'],
    "q1": [
        """import pytensor.tensor as pt

with pm.Model(coords=f_coords) as q1_model:
    mu_a = pm.Normal("mu_a", 0, 2)
    mu_b = pm.Normal("mu_b", 0, 2)
    sigma = pm.HalfCauchy("sigma", 1)
    chol, corr, stds = pm.LKJCholeskyCov("chol_cov", n=2, eta=2, sd_dist=pm.HalfCauchy.dist(1, shape=2), compute_corr=True)
    coeffs = pm.MvNormal("coeffs", mu=pt.stack([mu_a, mu_b]), chol=chol, dims=("group", "coef"))
    alpha = pm.Deterministic("alpha", coeffs[:, 0], dims="group")
    beta = pm.Deterministic("beta", coeffs[:, 1], dims="group")
    sigma_a = pm.Deterministic("sigma_a", stds[0])
    sigma_b = pm.Deterministic("sigma_b", stds[1])
    rho = pm.Deterministic("rho", corr[0, 1])
    mu = alpha[f_group] + beta[f_group] * f_x
    y = pm.Normal("y", mu=mu, sigma=sigma, observed=f_y)
    q1_idata = pm.sample(**SAMPLE_FUNNEL)
q1_divergences = int(q1_idata.sample_stats["diverging"].sum())
print("divergences:", q1_divergences)
"""
    ],
    "q2": [
        """with pm.Model(coords=f_coords) as q2_model:
    mu_a = pm.Normal("mu_a", 0, 2)
    mu_b = pm.Normal("mu_b", 0, 2)
    sigma = pm.HalfCauchy("sigma", 1)
    sigma_a = pm.HalfCauchy("sigma_a", 1)
    sigma_b = pm.HalfCauchy("sigma_b", 1)
    chol_corr = pm.LKJCorr("chol_corr", n=2, eta=2)
    rho = pm.Deterministic("rho", chol_corr[1, 0])
    chol = pt.stack([sigma_a, sigma_b])[:, None] * chol_corr
    z = pm.Normal("z", 0, 1, dims=("group", "coef"))
    coeffs = pm.Deterministic("coeffs", pt.stack([mu_a, mu_b]) + z @ chol.T, dims=("group", "coef"))
    alpha = pm.Deterministic("alpha", coeffs[:, 0], dims="group")
    beta = pm.Deterministic("beta", coeffs[:, 1], dims="group")
    mu = alpha[f_group] + beta[f_group] * f_x
    y = pm.Normal("y", mu=mu, sigma=sigma, observed=f_y)
    q2_idata = pm.sample(**SAMPLE_FUNNEL)
print("divergences:", int(q2_idata.sample_stats["diverging"].sum()))
"""
    ],
    "q3": [
        """with pm.Model(coords=o_coords) as q3_model:
    mu_a = pm.Normal("mu_a", 0, 2)
    mu_b = pm.Normal("mu_b", 0, 0.1)
    sigma = pm.HalfCauchy("sigma", 1)
    sigma_a = pm.HalfCauchy("sigma_a", 1)
    sigma_b = pm.HalfCauchy("sigma_b", 1)
    chol_corr = pm.LKJCorr("chol_corr", n=2, eta=2)
    rho = pm.Deterministic("rho", chol_corr[1, 0])
    chol = pt.stack([sigma_a, sigma_b])[:, None] * chol_corr
    z = pm.Normal("z", 0, 1, dims=("station", "coef"))
    coeffs = pm.Deterministic("coeffs", pt.stack([mu_a, mu_b]) + z @ chol.T, dims=("station", "coef"))
    alpha = pm.Deterministic("alpha", coeffs[:, 0], dims="station")
    beta = pm.Deterministic("beta", coeffs[:, 1], dims="station")
    mu = alpha[station] + beta[station] * temp
    y = pm.Normal("log_ozone", mu=mu, sigma=sigma, observed=log_ozone)
    q3_idata = pm.sample(**SAMPLE)
az.summary(q3_idata, var_names=["mu_a", "mu_b", "sigma_a", "sigma_b", "rho", "sigma"])
"""
    ],
    "q4": [
        """q4_ols = np.array([np.polyfit(temp[station == j], log_ozone[station == j], 1)[::-1]
                   for j in range(len(ozone.coords["station"]))])
post_mean = q3_idata.posterior.mean(("chain", "draw"))
q4_post = np.column_stack([post_mean["alpha"].values, post_mean["beta"].values])
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

EXTRA = {
    "q1": [
        """az.summary(q1_idata, var_names=["mu_a", "mu_b", "sigma_a", "sigma_b", "rho", "sigma"])""",
    ],
    "q2": [
        """print("centered:", q1_divergences, "non-centered:", int(q2_idata.sample_stats["diverging"].sum()))
az.summary(q2_idata, var_names=["mu_a", "mu_b", "sigma_a", "sigma_b", "rho", "sigma"])
""",
        # left in by mistake: "rho " with a trailing space is not a variable
        """q2_idata.posterior["rho "].mean()""",
    ],
    "q3": [
        """rho_draws = q3_idata.posterior["rho"].values.ravel()
fig, ax = plt.subplots(figsize=(4, 3))
ax.hist(rho_draws, bins=50, density=True)
ax.axvline(ozone.truth["rho"], color="k", ls="--", label="truth")
ax.set_xlabel("ρ"); ax.legend()
plt.show()
print("P(rho < 0) =", (rho_draws < 0).mean())
""",
    ],
}
