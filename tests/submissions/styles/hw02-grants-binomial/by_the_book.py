"""A student who sticks to the lecture's recipe: ``pm.math.invlogit`` and ``pm.Binomial(p=...)``.

Uses the index arrays from the setup cell (``.cat.codes``) and ``dims`` everywhere. Leaves a
lot of clutter: summaries, a matplotlib plot of the two effects, prints of the probability
scale, and a cell with a typo'd name (``q1_idat``) that raises a NameError.
"""

ANSWERS = {
    "q0": ['STUDENT_ID = "s3310452"\n'],
    "q1": [
        """with pm.Model(coords=coords) as q1_model:
    alpha = pm.Normal("alpha", 0, 2, dims="gender")
    p = pm.math.invlogit(alpha[gender])
    pm.Binomial("awards", n=applications, p=p, observed=awards)
    pm.Deterministic("total_effect", alpha[FEMALE] - alpha[MALE])
    q1_idata = pm.sample(**SAMPLE)
az.summary(q1_idata, var_names=["alpha", "total_effect"])
"""
    ],
    "q2": [
        """with pm.Model(coords=coords) as q2_model:
    alpha = pm.Normal("alpha", 0, 2, dims="gender")
    beta = pm.Normal("beta", 0, 1, dims="discipline")
    p = pm.math.invlogit(alpha[gender] + beta[discipline])
    pm.Binomial("awards", n=applications, p=p, observed=awards)
    pm.Deterministic("direct_effect", alpha[FEMALE] - alpha[MALE])
    q2_idata = pm.sample(**SAMPLE)
az.summary(q2_idata, var_names=["direct_effect"])
"""
    ],
    "q3": [
        """with pm.Model(coords=coords) as q3_model:
    alpha = pm.Normal("alpha", 0, 2, dims="gender")
    tau = pm.HalfCauchy("tau", 5)
    beta = pm.Normal("beta", 0, tau, dims="discipline")
    p = pm.math.invlogit(alpha[gender] + beta[discipline])
    pm.Binomial("awards", n=applications, p=p, observed=awards)
    pm.Deterministic("direct_effect", alpha[FEMALE] - alpha[MALE])
    q3_idata = pm.sample(**SAMPLE)
az.summary(q3_idata, var_names=["tau", "direct_effect"])
"""
    ],
    "q4": [
        """q4_total = float(q1_idata.posterior["total_effect"].mean())
q4_direct = float(q3_idata.posterior["direct_effect"].mean())
q4_path = "mediated"
print(f"total {q4_total:.3f}, direct {q4_direct:.3f} (log-odds)")
"""
    ],
}

EXTRA = {
    "q1": [
        """# award rates on the probability scale
rates = 1 / (1 + np.exp(-q1_idata.posterior["alpha"]))
print(rates.mean(("chain", "draw")).to_series())
print("observed:", data.groupby("gender", observed=True)[["awards", "applications"]].sum()
      .eval("awards / applications").round(3).to_dict())
""",
        # typo left in the notebook
        """print(q1_idat.posterior["total_effect"].mean())""",
    ],
    "q3": [
        """import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5, 3))
for name, idata, col in (("total (q1)", q1_idata, "total_effect"),
                         ("direct (q2)", q2_idata, "direct_effect"),
                         ("direct, pooled (q3)", q3_idata, "direct_effect")):
    ax.hist(idata.posterior[col].values.ravel(), bins=60, histtype="step", density=True,
            label=name)
ax.axvline(0, color="k", lw=0.8)
ax.set_xlabel("female − male (log-odds)")
ax.legend()
plt.show()
""",
        """az.summary(q3_idata, var_names=["beta"])""",
    ],
}
