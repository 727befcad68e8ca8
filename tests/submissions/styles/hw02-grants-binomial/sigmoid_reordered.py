"""A student from a machine-learning background who thinks of the inverse logit as a sigmoid.

Writes ``pm.math.sigmoid``, declares the discipline effects (and their hyperprior) before the
gender effects, keeps ``shape=`` from the lecture's code next to the required ``dims``, stores
the award probabilities as a Deterministic, and reads the category codes with ``.cat.codes``
again inside the cell rather than trusting the setup's arrays.
"""

ANSWERS = {
    "q0": ['STUDENT_ID = "  s0947113 "\n'],
    "q1": [
        """n_gender, n_disc = len(coords["gender"]), len(coords["discipline"])
g_code = data["gender"].cat.codes.values
d_code = data["discipline"].cat.codes.values

with pm.Model(coords=coords) as q1_model:
    alpha = pm.Normal("alpha", 0, 2, shape=n_gender, dims="gender")
    total_effect = pm.Deterministic("total_effect", alpha[FEMALE] - alpha[MALE])
    p = pm.Deterministic("p", pm.math.sigmoid(alpha[g_code]))
    y = pm.Binomial("y", n=data["applications"].values, p=p, observed=data["awards"].values)
    q1_idata = pm.sample(**SAMPLE)
az.summary(q1_idata, var_names=["alpha", "total_effect"])
"""
    ],
    "q2": [
        """with pm.Model(coords=coords) as q2_model:
    beta = pm.Normal("beta", 0, 1, shape=n_disc, dims="discipline")
    alpha = pm.Normal("alpha", 0, 2, shape=n_gender, dims="gender")
    direct_effect = pm.Deterministic("direct_effect", alpha[FEMALE] - alpha[MALE])
    p = pm.Deterministic("p", pm.math.sigmoid(beta[d_code] + alpha[g_code]))
    y = pm.Binomial("y", n=data["applications"].values, p=p, observed=data["awards"].values)
    q2_idata = pm.sample(**SAMPLE)
az.summary(q2_idata, var_names=["direct_effect"])
"""
    ],
    "q3": [
        """with pm.Model(coords=coords) as q3_model:
    tau = pm.HalfCauchy("tau", 5)
    beta = pm.Normal("beta", 0, tau, shape=n_disc, dims="discipline")
    alpha = pm.Normal("alpha", 0, 2, shape=n_gender, dims="gender")
    direct_effect = pm.Deterministic("direct_effect", alpha[FEMALE] - alpha[MALE])
    p = pm.Deterministic("p", pm.math.sigmoid(beta[d_code] + alpha[g_code]))
    y = pm.Binomial("y", n=data["applications"].values, p=p, observed=data["awards"].values)
    q3_idata = pm.sample(**SAMPLE)
az.summary(q3_idata, var_names=["tau", "direct_effect"])
"""
    ],
    "q4": [
        """q4_total = float(np.mean(q1_idata.posterior["total_effect"].values))
q4_direct = float(np.mean(q3_idata.posterior["direct_effect"].values))
q4_path = "mediated"   # G -> D -> A: women apply more to disciplines with low award rates
print(f"total {q4_total:.3f}, direct {q4_direct:.3f} (log-odds)")
"""
    ],
}

EXTRA = {
    "q4": [
        """# the same on the probability scale, weighted by applications per discipline
w = data.groupby("discipline", observed=True)["applications"].sum()
w = (w / w.sum()).to_numpy()
post = q3_idata.posterior
from scipy.special import expit
pf = expit(post["alpha"].sel(gender="female") + post["beta"])
pm_ = expit(post["alpha"].sel(gender="male") + post["beta"])
diff = ((pf - pm_) * w).sum("discipline")
print("direct effect, probability scale:", float(diff.mean()), "+-", float(diff.std()))
""",
    ],
}
