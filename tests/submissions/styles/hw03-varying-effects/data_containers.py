"""A tidy-data student who keeps every column in a ``pm.Data`` container with an ``obs`` dim.

Builds the station index with ``pd.factorize`` (and checks it against the coords), labels
every row with an ``obs`` coordinate, and reads the answers off with xarray and pandas
(``rank`` column of ``az.compare``, ``idxmax``). Keyword arguments everywhere.
"""

ANSWERS = {
    "q0": ['STUDENT_ID = "s2210834"\n'],
    "q1": [
        """import pandas as pd

station_idx, station_names = pd.factorize(data["station"], sort=True)
assert list(station_names) == coords["station"]
model_coords = {**coords, "obs": np.arange(len(data))}

with pm.Model(coords=model_coords) as q1_model:
    T = pm.Data("T", data["temp"].to_numpy(), dims="obs")
    y_obs = pm.Data("y_obs", data["log_ozone"].to_numpy(), dims="obs")
    mu_a = pm.Normal("mu_a", mu=0, sigma=2)
    mu_b = pm.Normal("mu_b", mu=0, sigma=0.1)
    sigma = pm.HalfCauchy("sigma", beta=1)
    pm.Normal("log_ozone", mu=mu_a + mu_b * T, sigma=sigma, observed=y_obs, dims="obs")
    q1_idata = pm.sample(**SAMPLE)
pm.compute_log_likelihood(q1_idata, model=q1_model, progressbar=False)
"""
    ],
    "q2": [
        """with pm.Model(coords=model_coords) as q2_model:
    s = pm.Data("s", station_idx, dims="obs")
    T = pm.Data("T", data["temp"].to_numpy(), dims="obs")
    y_obs = pm.Data("y_obs", data["log_ozone"].to_numpy(), dims="obs")
    mu_a = pm.Normal("mu_a", mu=0, sigma=2)
    sigma_a = pm.HalfCauchy("sigma_a", beta=1)
    mu_b = pm.Normal("mu_b", mu=0, sigma=0.1)
    sigma = pm.HalfCauchy("sigma", beta=1)
    alpha = pm.Normal("alpha", mu=mu_a, sigma=sigma_a, dims="station")
    pm.Normal("log_ozone", mu=alpha[s] + mu_b * T, sigma=sigma, observed=y_obs, dims="obs")
    q2_idata = pm.sample(**SAMPLE)
pm.compute_log_likelihood(q2_idata, model=q2_model, progressbar=False)
"""
    ],
    "q3": [
        """with pm.Model(coords=model_coords) as q3_model:
    s = pm.Data("s", station_idx, dims="obs")
    T = pm.Data("T", data["temp"].to_numpy(), dims="obs")
    y_obs = pm.Data("y_obs", data["log_ozone"].to_numpy(), dims="obs")
    mu_a = pm.Normal("mu_a", mu=0, sigma=2)
    mu_b = pm.Normal("mu_b", mu=0, sigma=0.1)
    sigma_a = pm.HalfCauchy("sigma_a", beta=1)
    sigma_b = pm.HalfCauchy("sigma_b", beta=1)
    sigma = pm.HalfCauchy("sigma", beta=1)
    z_a = pm.Normal("z_a", mu=0, sigma=1, dims="station")
    z_b = pm.Normal("z_b", mu=0, sigma=1, dims="station")
    alpha = pm.Deterministic("alpha", mu_a + sigma_a * z_a, dims="station")
    beta = pm.Deterministic("beta", mu_b + sigma_b * z_b, dims="station")
    pm.Normal("log_ozone", mu=alpha[s] + beta[s] * T, sigma=sigma, observed=y_obs, dims="obs")
    q3_idata = pm.sample(**SAMPLE)
pm.compute_log_likelihood(q3_idata, model=q3_model, progressbar=False)
"""
    ],
    "q4": [
        """fits = {"pooled": q1_idata, "varying_intercepts": q2_idata, "varying_slopes": q3_idata}
q4_compare = az.compare(fits)
q4_best = q4_compare["rank"].idxmin()
q4_compare
"""
    ],
    "q5": [
        """alpha_mean = q3_idata.posterior["alpha"].mean(("chain", "draw"))
q5_elevated = alpha_mean.idxmax().item()
q5_depressed = alpha_mean.idxmin().item()
q5_elevated, q5_depressed
"""
    ],
    "q6": [
        """def pooled_prior_model(sd_a, sd_b):
    with pm.Model(coords=model_coords) as model:
        T = pm.Data("T", data["temp"].to_numpy(), dims="obs")
        y_obs = pm.Data("y_obs", data["log_ozone"].to_numpy(), dims="obs")
        mu_a = pm.Normal("mu_a", mu=0, sigma=sd_a)
        mu_b = pm.Normal("mu_b", mu=0, sigma=sd_b)
        sigma = pm.HalfCauchy("sigma", beta=1)
        pm.Normal("log_ozone", mu=mu_a + mu_b * T, sigma=sigma, observed=y_obs, dims="obs")
    return model


q6_vague_model = pooled_prior_model(sd_a=3, sd_b=1)
with q6_vague_model:
    q6_vague_prior = pm.sample_prior_predictive(draws=1000, random_seed=SEED)
q6_model = pooled_prior_model(sd_a=2, sd_b=0.1)
with q6_model:
    q6_prior = pm.sample_prior_predictive(draws=1000, random_seed=SEED)
q6_vague_share = (q6_vague_prior.prior_predictive["log_ozone"] > 7).mean().item()
q6_share = (q6_prior.prior_predictive["log_ozone"] > 7).mean().item()
print(f"share of simulated log ozone above 7: vague priors {q6_vague_share:.1%}, reined-in priors {q6_share:.1%}")
"""
    ],
}
