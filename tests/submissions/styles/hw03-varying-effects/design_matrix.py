"""A student from a regression course who thinks in design matrices and declares priors bottom-up.

Writes the pooled model as ``pm.math.dot(X, coef)`` with ``X = [1, T]``, declares the residual sd
first and the hyperpriors last, passes ``shape=`` along with ``dims=`` (as the slides had
``shape=12``), and reads the answers off pandas objects (``sort_values``).
"""

ANSWERS = {
    "q0": ['STUDENT_ID = "u7781403"\n'],
    "q1": [
        """X = np.column_stack([np.ones_like(temp), temp])
n_st = len(coords["station"])

with pm.Model(coords=coords) as q1_model:
    sigma = pm.HalfCauchy("sigma", 1)
    mu_b = pm.Normal("mu_b", 0, 0.1)
    mu_a = pm.Normal("mu_a", 0, 2)
    coef = pm.math.stack([mu_a, mu_b])
    mu = pm.math.dot(X, coef)
    pm.Normal("obs", mu, sigma, observed=log_ozone)
    q1_idata = pm.sample(**SAMPLE)
    pm.compute_log_likelihood(q1_idata, extend_inferencedata=True, progressbar=False)
"""
    ],
    "q2": [
        """with pm.Model(coords=coords) as q2_model:
    sigma = pm.HalfCauchy("sigma", 1)
    mu_b = pm.Normal("mu_b", 0, 0.1)
    sigma_a = pm.HalfCauchy("sigma_a", 1)
    mu_a = pm.Normal("mu_a", 0, 2)
    alpha = pm.Normal("alpha", mu_a, sigma_a, shape=n_st, dims="station")
    mu = alpha[station] + mu_b * temp
    pm.Normal("obs", mu, sigma, observed=log_ozone)
    q2_idata = pm.sample(**SAMPLE)
    pm.compute_log_likelihood(q2_idata, extend_inferencedata=True, progressbar=False)
"""
    ],
    "q3": [
        """with pm.Model(coords=coords) as q3_model:
    sigma = pm.HalfCauchy("sigma", 1)
    z_b = pm.Normal("z_b", 0, 1, shape=n_st, dims="station")
    z_a = pm.Normal("z_a", 0, 1, shape=n_st, dims="station")
    sigma_b = pm.HalfCauchy("sigma_b", 1)
    sigma_a = pm.HalfCauchy("sigma_a", 1)
    mu_b = pm.Normal("mu_b", 0, 0.1)
    mu_a = pm.Normal("mu_a", 0, 2)
    beta = pm.Deterministic("beta", mu_b + z_b * sigma_b, dims="station")
    alpha = pm.Deterministic("alpha", mu_a + z_a * sigma_a, dims="station")
    mu = alpha[station] + beta[station] * temp
    pm.Normal("obs", mu, sigma, observed=log_ozone)
    q3_idata = pm.sample(**SAMPLE)
    pm.compute_log_likelihood(q3_idata, extend_inferencedata=True, progressbar=False)
"""
    ],
    "q4": [
        """q4_compare = az.compare(
    {"varying_slopes": q3_idata, "varying_intercepts": q2_idata, "pooled": q1_idata}
)
q4_best = str(q4_compare.query("rank == 0").index[0])
q4_compare
"""
    ],
    "q5": [
        """alpha_mean = q3_idata.posterior["alpha"].mean(("chain", "draw"))
ranking = alpha_mean.to_series().sort_values(ascending=False)
q5_elevated = ranking.index[0]
q5_depressed = ranking.index[-1]
q5_elevated, q5_depressed
"""
    ],
    "q6": [
        """with pm.Model(coords=coords) as q6_vague_model:
    sigma = pm.HalfCauchy("sigma", 1)
    mu_b = pm.Normal("mu_b", 0, 1)
    mu_a = pm.Normal("mu_a", 0, 3)
    pm.Normal("log_ozone", pm.math.dot(X, pm.math.stack([mu_a, mu_b])), sigma, observed=log_ozone)
    q6_vague_prior = pm.sample_prior_predictive(draws=1000, random_seed=SEED)
with pm.Model(coords=coords) as q6_model:
    sigma = pm.HalfCauchy("sigma", 1)
    mu_b = pm.Normal("mu_b", 0, 0.1)
    mu_a = pm.Normal("mu_a", 0, 2)
    pm.Normal("log_ozone", pm.math.dot(X, pm.math.stack([mu_a, mu_b])), sigma, observed=log_ozone)
    q6_prior = pm.sample_prior_predictive(draws=1000, random_seed=SEED)
q6_vague_share = float(np.mean(q6_vague_prior.prior_predictive["log_ozone"].to_numpy() > 7))
q6_share = float(np.mean(q6_prior.prior_predictive["log_ozone"].to_numpy() > 7))
print(f"share of simulated log ozone above 7: vague priors {q6_vague_share:.1%}, reined-in priors {q6_share:.1%}")
"""
    ],
}

EXTRA = {
    "q5": [
        """ranking.round(3)""",
    ],
}
