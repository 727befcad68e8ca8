"""A student who builds their own indices with ``pd.factorize`` and puts the data in ``pm.Data``.

The likelihood is ``pm.Binomial(logit_p=...)`` (no link function written out), and each row of
the data gets a ``cell`` dim so that the containers are labelled. Contrasts are written with the
coordinate labels instead of the setup's FEMALE/MALE integers (same thing).
"""

ANSWERS = {
    "q0": ['STUDENT_ID = "z5550912"\n'],
    "q1": [
        """import pandas as pd

g_idx, g_levels = pd.factorize(data["gender"], sort=True)
d_idx, d_levels = pd.factorize(data["discipline"], sort=True)
assert list(g_levels) == coords["gender"] and list(d_levels) == coords["discipline"]
cells = {"cell": data.index.to_list()}
female, male = coords["gender"].index("female"), coords["gender"].index("male")

with pm.Model(coords={**coords, **cells}) as q1_model:
    g = pm.Data("g", g_idx, dims="cell")
    n = pm.Data("n", data["applications"].to_numpy(), dims="cell")
    k = pm.Data("k", data["awards"].to_numpy(), dims="cell")

    alpha = pm.Normal("alpha", mu=0.0, sigma=2.0, dims="gender")
    pm.Binomial("awards", n=n, logit_p=alpha[g], observed=k, dims="cell")
    pm.Deterministic("total_effect", alpha[female] - alpha[male])
    q1_idata = pm.sample(**SAMPLE)
az.summary(q1_idata, var_names=["alpha", "total_effect"])
"""
    ],
    "q2": [
        """with pm.Model(coords={**coords, **cells}) as q2_model:
    g = pm.Data("g", g_idx, dims="cell")
    d = pm.Data("d", d_idx, dims="cell")
    n = pm.Data("n", data["applications"].to_numpy(), dims="cell")
    k = pm.Data("k", data["awards"].to_numpy(), dims="cell")

    alpha = pm.Normal("alpha", mu=0.0, sigma=2.0, dims="gender")
    beta = pm.Normal("beta", mu=0.0, sigma=1.0, dims="discipline")
    pm.Binomial("awards", n=n, logit_p=alpha[g] + beta[d], observed=k, dims="cell")
    pm.Deterministic("direct_effect", alpha[female] - alpha[male])
    q2_idata = pm.sample(**SAMPLE)
az.summary(q2_idata, var_names=["direct_effect"])
"""
    ],
    "q3": [
        """with pm.Model(coords={**coords, **cells}) as q3_model:
    g = pm.Data("g", g_idx, dims="cell")
    d = pm.Data("d", d_idx, dims="cell")
    n = pm.Data("n", data["applications"].to_numpy(), dims="cell")
    k = pm.Data("k", data["awards"].to_numpy(), dims="cell")

    alpha = pm.Normal("alpha", mu=0.0, sigma=2.0, dims="gender")
    tau = pm.HalfCauchy("tau", beta=5.0)
    beta = pm.Normal("beta", mu=0.0, sigma=tau, dims="discipline")
    pm.Binomial("awards", n=n, logit_p=alpha[g] + beta[d], observed=k, dims="cell")
    pm.Deterministic("direct_effect", alpha[female] - alpha[male])
    q3_idata = pm.sample(**SAMPLE)
az.summary(q3_idata, var_names=["tau", "direct_effect"])
"""
    ],
    "q4": [
        """q4_total = q1_idata.posterior["total_effect"].mean().item()
q4_direct = q3_idata.posterior["direct_effect"].mean().item()
# the gender-only model lets the effect through G -> D -> A; conditioning on D blocks it
q4_path = "mediated"
print(f"total {q4_total:.3f}, direct {q4_direct:.3f} (log-odds)")
"""
    ],
}
