"""A student who works from the lecture slides and ports their PyMC3 code to PyMC 6.

``theano.tensor`` becomes ``pytensor.tensor``; the ozone model of question 3 is the lecture's
non-centred model, built from the Cholesky factor that ``pm.LKJCholeskyCov`` returns, with
``z`` of shape (2, stations) and ``dot(chol, z).T``. Question 2 follows the question's separate
scales. Uses ``shape=`` next to ``dims=`` where the slides had ``shape``.
"""

ANSWERS = {
    "q0": ['STUDENT_ID = "s0290384"\n'],
    "q1": [
        """import pytensor.tensor as pt

n_groups = len(f_coords["group"])
with pm.Model(coords=f_coords) as q1_model:
    mu_a = pm.Normal("mu_a", 0, 2)
    mu_b = pm.Normal("mu_b", 0, 2)
    sigma = pm.HalfCauchy("sigma", 1)
    sd_dist = pm.HalfCauchy.dist(1, shape=2)
    chol, corr, stds = pm.LKJCholeskyCov("chol_cov", eta=2, n=2, sd_dist=sd_dist, compute_corr=True)
    # pt.stack makes a vector; chol is the Cholesky factor of the covariance matrix
    coeffs = pm.MvNormal("coeffs", mu=pt.stack([mu_a, mu_b]), chol=chol, shape=(n_groups, 2),
                         dims=("group", "coef"))
    alpha = pm.Deterministic("alpha", coeffs[:, 0], dims="group")
    beta = pm.Deterministic("beta", coeffs[:, 1], dims="group")
    pm.Deterministic("sigma_a", stds[0])
    pm.Deterministic("sigma_b", stds[1])
    pm.Deterministic("rho", corr[0, 1])
    theta = alpha[f_group] + beta[f_group] * f_x
    y_ = pm.Normal("y", mu=theta, sigma=sigma, observed=f_y)
    q1_idata = pm.sample(**SAMPLE_FUNNEL)
q1_divergences = int(q1_idata.sample_stats["diverging"].sum().item())
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
    pm.Deterministic("rho", chol_corr[1, 0])
    chol = pt.stack([sigma_a, sigma_b])[:, None] * chol_corr
    # make standard normals, one column per group
    z = pm.Normal("z", 0, 1, shape=(2, n_groups), dims=("coef", "group"))
    coeffs = pm.Deterministic("coeffs", pt.stack([mu_a, mu_b]) + pt.dot(chol, z).T,
                              dims=("group", "coef"))
    alpha = pm.Deterministic("alpha", coeffs[:, 0], dims="group")
    beta = pm.Deterministic("beta", coeffs[:, 1], dims="group")
    theta = alpha[f_group] + beta[f_group] * f_x
    y_ = pm.Normal("y", mu=theta, sigma=sigma, observed=f_y)
    q2_idata = pm.sample(**SAMPLE_FUNNEL)
print("divergences:", int(q2_idata.sample_stats["diverging"].sum()))
"""
    ],
    "q3": [
        """n_stations = len(o_coords["station"])
with pm.Model(coords=o_coords) as q3_model:
    mu_a = pm.Normal("mu_a", 0, 2)
    mu_b = pm.Normal("mu_b", 0, 0.1)
    sigma = pm.HalfCauchy("sigma", 1)
    sd_dist = pm.HalfCauchy.dist(1, shape=2)
    chol, corr, stds = pm.LKJCholeskyCov("chol", eta=2, n=2, sd_dist=sd_dist, compute_corr=True)
    pm.Deterministic("sigma_a", stds[0])
    pm.Deterministic("sigma_b", stds[1])
    pm.Deterministic("rho", corr[0, 1])
    # make standard normals
    z = pm.Normal("z", 0, 1, shape=(2, n_stations), dims=("coef", "station"))
    # pt.dot is matrix multiplication
    coeffs = pm.Deterministic("coeffs", pt.stack([mu_a, mu_b]) + pt.dot(chol, z).T,
                              dims=("station", "coef"))
    alpha = pm.Deterministic("alpha", coeffs[:, 0], dims="station")
    beta = pm.Deterministic("beta", coeffs[:, 1], dims="station")
    theta = alpha[station] + beta[station] * temp
    y_ = pm.Normal("y", mu=theta, sigma=sigma, observed=log_ozone)
    q3_idata = pm.sample(**SAMPLE)
az.summary(q3_idata, var_names=["mu_a", "mu_b", "sigma_a", "sigma_b", "rho", "sigma"])
"""
    ],
    "q4": [
        """q4_ols = np.array([np.polyfit(temp[station == j], log_ozone[station == j], 1)[::-1]
                   for j in range(n_stations)])
q4_post = (q3_idata.posterior["coeffs"].mean(("chain", "draw"))
           .transpose("station", "coef").values)
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
