"""A student who types the lecture's slide code back in, comments and all, with PyMC 6 names.

Indexes with the setup's ``.cat.codes`` array ``station``, keeps the slides' ``theta`` and
``y_`` names, and leaves clutter in the notebook: ``az.summary`` tables, a matplotlib plot of
the station intercepts against the truth, prints, and a cell with a typo (``q3_idata.posterir``)
that raises an AttributeError.
"""

ANSWERS = {
    "q0": ['STUDENT_ID = "s0412977"\n'],
    "q1": [
        """with pm.Model(coords=coords) as q1_model:
    mu_a = pm.Normal("mu_a", 0, 2)
    mu_b = pm.Normal("mu_b", 0, 0.1)
    sigma = pm.HalfCauchy("sigma", 1)
    # Model equation
    theta = mu_a + mu_b * temp
    # Likelihood
    y_ = pm.Normal("y", mu=theta, sigma=sigma, observed=log_ozone)
    q1_idata = pm.sample(**SAMPLE)
    pm.compute_log_likelihood(q1_idata, progressbar=False)  # for LOO (question 4)
"""
    ],
    "q2": [
        """with pm.Model(coords=coords) as q2_model:
    # Hyperparameters
    mu_a = pm.Normal("mu_a", 0, 2)
    sigma_a = pm.HalfCauchy("sigma_a", 1)
    # Parameters
    sigma = pm.HalfCauchy("sigma", 1)
    alpha = pm.Normal("alpha", mu_a, sigma_a, dims="station")
    mu_b = pm.Normal("mu_b", 0, 0.1)
    # Model equation
    theta = alpha[station] + mu_b * temp
    # Likelihood
    y_ = pm.Normal("y", mu=theta, sigma=sigma, observed=log_ozone)
    q2_idata = pm.sample(**SAMPLE)
    pm.compute_log_likelihood(q2_idata, progressbar=False)  # for LOO (question 4)
"""
    ],
    "q3": [
        """with pm.Model(coords=coords) as q3_model:
    # Hyperparameters
    mu_a = pm.Normal("mu_a", 0, 2)
    sigma_a = pm.HalfCauchy("sigma_a", 1)
    mu_b = pm.Normal("mu_b", 0, 0.1)
    sigma_b = pm.HalfCauchy("sigma_b", 1)
    # non-centered: standardized station effects
    z_a = pm.Normal("z_a", 0, 1, dims="station")
    z_b = pm.Normal("z_b", 0, 1, dims="station")
    alpha = pm.Deterministic("alpha", mu_a + sigma_a * z_a, dims="station")
    beta = pm.Deterministic("beta", mu_b + sigma_b * z_b, dims="station")
    sigma = pm.HalfCauchy("sigma", 1)
    # Model equation
    theta = alpha[station] + beta[station] * temp
    # Likelihood
    y_ = pm.Normal("y", mu=theta, sigma=sigma, observed=log_ozone)
    q3_idata = pm.sample(**SAMPLE)
    pm.compute_log_likelihood(q3_idata, progressbar=False)  # for LOO (question 4)
"""
    ],
    "q4": [
        """q4_compare = az.compare({"pooled": q1_idata,
                         "varying_intercepts": q2_idata,
                         "varying_slopes": q3_idata})
q4_best = q4_compare.index[0]
q4_compare
"""
    ],
    "q5": [
        """alpha_mean = q3_idata.posterior["alpha"].mean(("chain", "draw"))
q5_elevated = str(alpha_mean.idxmax("station").values)
q5_depressed = str(alpha_mean.idxmin("station").values)
q5_elevated, q5_depressed
"""
    ],
    "q6": [
        """with pm.Model(coords=coords) as q6_vague_model:
    mu_a = pm.Normal("mu_a", 0, 3)
    mu_b = pm.Normal("mu_b", 0, 1)
    sigma = pm.HalfCauchy("sigma", 1)
    theta = mu_a + mu_b * temp
    y_ = pm.Normal("log_ozone", mu=theta, sigma=sigma, observed=log_ozone)
    q6_vague_prior = pm.sample_prior_predictive(draws=1000, random_seed=SEED)
with pm.Model(coords=coords) as q6_model:
    mu_a = pm.Normal("mu_a", 0, 2)
    mu_b = pm.Normal("mu_b", 0, 0.1)
    sigma = pm.HalfCauchy("sigma", 1)
    theta = mu_a + mu_b * temp
    y_ = pm.Normal("log_ozone", mu=theta, sigma=sigma, observed=log_ozone)
    q6_prior = pm.sample_prior_predictive(draws=1000, random_seed=SEED)
q6_vague_share = float((q6_vague_prior.prior_predictive["log_ozone"].values > 7).mean())
q6_share = float((q6_prior.prior_predictive["log_ozone"].values > 7).mean())
print(f"share of simulated log ozone above 7: vague priors {q6_vague_share:.1%}, reined-in priors {q6_share:.1%}")
"""
    ],
}

EXTRA = {
    "q1": [
        """az.summary(q1_idata)""",
    ],
    "q2": [
        """az.summary(q2_idata, var_names=["mu_a", "sigma_a", "mu_b", "sigma"])""",
        """fig, ax = plt.subplots(figsize=(6, 3))
post_alpha = q2_idata.posterior["alpha"]
ax.errorbar(range(12), post_alpha.mean(("chain", "draw")), yerr=2 * post_alpha.std(("chain", "draw")),
            fmt="o", label="posterior mean ± 2 sd")
ax.set_xticks(range(12), coords["station"], rotation=60, ha="right")
ax.set_ylabel("α (varying intercepts)")
ax.legend()
plt.tight_layout()
plt.show()
""",
    ],
    "q3": [
        """print("divergences:", int(q3_idata.sample_stats["diverging"].sum()))
az.summary(q3_idata, var_names=["mu_a", "mu_b", "sigma_a", "sigma_b", "sigma"])
""",
        # typo left behind
        """q3_idata.posterir["beta"].mean(("chain", "draw"))""",
    ],
    "q4": [
        """print("best model:", q4_best)""",
    ],
}
