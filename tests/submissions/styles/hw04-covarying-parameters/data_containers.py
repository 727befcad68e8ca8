"""A student who has read the PyMC docs on ``pm.Data`` and wants models that could be re-fed data.

Every predictor, index and outcome goes into a ``pm.Data`` container; the priors are declared
bottom-up (likelihood sd first, then the LKJ prior, then the group sds, then the means); the
linear predictor is built with ``pm.math`` functions. ``z`` has shape (groups, 2). No separate
``coeffs`` variable: ``alpha`` and ``beta`` are built directly.
"""

ANSWERS = {
    "q0": ['STUDENT_ID = "s5520917"\n'],
    "q1": [
        """import pytensor.tensor as pt

with pm.Model(coords=f_coords) as q1_model:
    g = pm.Data("g", f_group)
    x = pm.Data("x", f_x)
    y_obs = pm.Data("y_obs", f_y)

    sigma = pm.HalfCauchy("sigma", 1)
    chol, corr, stds = pm.LKJCholeskyCov(
        "chol_cov", n=2, eta=2, sd_dist=pm.HalfCauchy.dist(1, shape=2), compute_corr=True
    )
    rho = pm.Deterministic("rho", corr[0, 1])
    sigma_a = pm.Deterministic("sigma_a", stds[0])
    sigma_b = pm.Deterministic("sigma_b", stds[1])
    mu_b = pm.Normal("mu_b", 0, 2)
    mu_a = pm.Normal("mu_a", 0, 2)

    coeffs = pm.MvNormal("coeffs", mu=pm.math.stack([mu_a, mu_b]), chol=chol, dims=("group", "coef"))
    alpha = pm.Deterministic("alpha", coeffs[:, 0], dims="group")
    beta = pm.Deterministic("beta", coeffs[:, 1], dims="group")
    pm.Normal("y", mu=alpha[g] + beta[g] * x, sigma=sigma, observed=y_obs)

    q1_idata = pm.sample(**SAMPLE_FUNNEL)
q1_divergences = int(np.sum(q1_idata.sample_stats["diverging"]))
print("divergences:", q1_divergences)
"""
    ],
    "q2": [
        """with pm.Model(coords=f_coords) as q2_model:
    g = pm.Data("g", f_group)
    x = pm.Data("x", f_x)
    y_obs = pm.Data("y_obs", f_y)

    sigma = pm.HalfCauchy("sigma", 1)
    chol_corr = pm.LKJCorr("chol_corr", n=2, eta=2)
    rho = pm.Deterministic("rho", chol_corr[1, 0])
    sigma_b = pm.HalfCauchy("sigma_b", 1)
    sigma_a = pm.HalfCauchy("sigma_a", 1)
    mu_b = pm.Normal("mu_b", 0, 2)
    mu_a = pm.Normal("mu_a", 0, 2)

    scales = pm.math.stack([sigma_a, sigma_b])
    chol = scales[:, None] * chol_corr
    z = pm.Normal("z", 0, 1, dims=("group", "coef"))
    offsets = pm.math.dot(z, chol.T)                   # row j is (L z_j)^T
    alpha = pm.Deterministic("alpha", mu_a + offsets[:, 0], dims="group")
    beta = pm.Deterministic("beta", mu_b + offsets[:, 1], dims="group")
    pm.Normal("y", mu=alpha[g] + beta[g] * x, sigma=sigma, observed=y_obs)

    q2_idata = pm.sample(**SAMPLE_FUNNEL)
print("divergences:", int(q2_idata.sample_stats["diverging"].sum()))
"""
    ],
    "q3": [
        """with pm.Model(coords=o_coords) as q3_model:
    s = pm.Data("s", station)
    t = pm.Data("t", temp)
    y_obs = pm.Data("y_obs", log_ozone)

    sigma = pm.HalfCauchy("sigma", 1)
    chol_corr = pm.LKJCorr("chol_corr", n=2, eta=2)
    rho = pm.Deterministic("rho", chol_corr[1, 0])
    sigma_b = pm.HalfCauchy("sigma_b", 1)
    sigma_a = pm.HalfCauchy("sigma_a", 1)
    mu_b = pm.Normal("mu_b", 0, 0.1)
    mu_a = pm.Normal("mu_a", 0, 2)

    chol = pm.math.stack([sigma_a, sigma_b])[:, None] * chol_corr
    z = pm.Normal("z", 0, 1, dims=("station", "coef"))
    offsets = pm.math.dot(z, chol.T)
    alpha = pm.Deterministic("alpha", mu_a + offsets[:, 0], dims="station")
    beta = pm.Deterministic("beta", mu_b + offsets[:, 1], dims="station")
    pm.Normal("log_ozone", mu=alpha[s] + beta[s] * t, sigma=sigma, observed=y_obs)

    q3_idata = pm.sample(**SAMPLE)
az.summary(q3_idata, var_names=["mu_a", "mu_b", "sigma_a", "sigma_b", "rho", "sigma"])
"""
    ],
    "q4": [
        """fits = [np.polyfit(temp[station == j], log_ozone[station == j], 1) for j in range(12)]
q4_ols = np.array([[intercept, slope] for slope, intercept in fits])
means = az.extract(q3_idata, var_names=["alpha", "beta"]).mean("sample")
q4_post = np.column_stack([means["alpha"].to_numpy(), means["beta"].to_numpy()])
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
    "q3": [
        """print(q3_model)""",
    ],
}
