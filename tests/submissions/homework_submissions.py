"""Student submissions for the homework grading tests, derived from the built notebooks.

A submission is made from the *student* notebook ``exercises/<name>.ipynb`` (what a student
downloads), with its answer cells filled in from the instructor's notebook
``autograder/<name>/<name>.ipynb`` (:func:`filled_notebook`), and then, for a wrong submission,
edited by small text replacements (:class:`Edit`) of the kind students make. Every edit must
match exactly once, so when a master notebook changes, a stale edit fails loudly instead of
silently grading the correct solution.

``SUBMISSIONS[name]`` lists the wrong submissions of each assignment with the score each
question is expected to receive and a phrase of the failing check's message that must be visible
in Otter's output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from teachkit import sample_submissions
from teachkit.sample_submissions import Edit

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Submission:
    """A wrong submission: what the student did, and what the grader must say.

    ``scores`` maps each question to its expected score, or to a tuple of the scores it may get
    where a check of a *wrong* model is borderline by nature (a centred fit whose ESS sits near
    the threshold): the points for what the submission got wrong are lost either way.
    """

    label: str
    edits: tuple[Edit, ...]
    scores: dict[str, float | tuple[float, ...]]
    messages: dict[str, str] = field(default_factory=dict)  # question -> phrase in its output

    def mismatches(self, got: dict[str, float]) -> dict[str, tuple]:
        """``{question: (expected, got)}`` for every question whose score is not as expected."""
        out = {}
        for q in sorted(set(self.scores) | set(got)):
            want, have = self.scores.get(q), got.get(q)
            allowed = want if isinstance(want, tuple) else (want,)
            if have is None or not any(a is not None and abs(have - a) < 1e-9 for a in allowed):
                out[q] = (want, have)
        return out


def student_notebook(name: str, root: Path = ROOT) -> nbformat.NotebookNode:
    """The untouched student notebook ``exercises/<name>.ipynb``."""
    return sample_submissions.student_notebook(name, root)


def filled_notebook(name: str, root: Path = ROOT) -> nbformat.NotebookNode:
    """The student notebook with every answer cell filled in from the instructor's notebook."""
    return sample_submissions.filled_notebook(name, root)


def wrong_notebook(name: str, submission: Submission, root: Path = ROOT) -> nbformat.NotebookNode:
    """The filled student notebook with the submission's edits applied."""
    return sample_submissions.with_edits(filled_notebook(name, root), *submission.edits)


FULL = {
    "hw01-mvnormal-cholesky": {"q1": 3, "q2": 4, "q3": 4, "q4": 4},
    "hw02-grants-binomial": {"q1": 3, "q2": 4, "q3": 5, "q4": 3},
    "hw03-varying-effects": {"q1": 3, "q2": 4, "q3": 5, "q4": 3, "q5": 3, "q6": 3},
    "hw04-covarying-parameters": {"q1": 4, "q2": 6, "q3": 5, "q4": 3},
}

SUBMISSIONS: dict[str, list[Submission]] = {
    "hw01-mvnormal-cholesky": [
        Submission(
            "upper Cholesky factor: z @ L instead of z @ L.T",
            (Edit("q2_samples = z @ q2_L.T", "q2_samples = z @ q2_L"),),
            {"q1": 3, "q2": 2, "q3": 4, "q4": 4},
            {"q2": "multiply by L.T"},
        ),
        Submission(
            "variances used as standard deviations",
            (Edit("sds = np.sqrt(variances)", "sds = variances"),),
            # q2 is graded against the student's own q1_sigma: its method is right, so the error in
            # q1 is not charged twice
            {"q1": 1.5, "q2": 4, "q3": 4, "q4": 4},
            {"q1": "uses the variances (4, 1) as standard deviations"},
        ),
        Submission(
            "validity judged by the determinant alone",
            (Edit("return bool(np.allclose(R, R.T) and", "return bool(np.linalg.det(R) > 0) or bool("),),
            {"q1": 3, "q2": 4, "q3": 2, "q4": 4},
            {"q3": "not_symmetric (it is not symmetric)"},
        ),
        Submission(
            "LKJ density without its normalising constant",
            (Edit(" / (2 ** (2 * eta - 1) * special.beta(eta, eta))", ""),),
            {"q1": 3, "q2": 4, "q3": 4, "q4": 2},
            {"q4": "the normalising constant is missing or wrong"},
        ),
    ],

    # The MCMC assignments combine mistakes in *different* questions into one notebook (a student
    # who gets several things wrong): each question's score still shows the effect of its own
    # mistake, and the grading tier stays within its time budget (one otter run ~ 1 min).
    "hw02-grants-binomial": [
        Submission(
            "direct effect without discipline (q2) + tau ~ HalfNormal(0.05) (q3) + DAG misread (q4)",
            (
                Edit('    beta = pm.Normal("beta", 0, 1, dims="discipline")\n', ""),
                Edit("alpha[gender] + beta[discipline]), observed=awards)\n    # END SOLUTION\n    q2_idata",
                     "alpha[gender]), observed=awards)\n    # END SOLUTION\n    q2_idata"),
                Edit('tau = pm.HalfCauchy("tau", 5)', 'tau = pm.HalfNormal("tau", 0.05)'),
                Edit('q4_path = "mediated"', 'q4_path = "direct"'),
            ),
            # q2 loses only its structure point: on these data the total effect's 99.8% interval
            # still reaches the true direct effect, so recovery alone cannot tell them apart.
            # q3 also loses its structure point: the question states tau ~ HalfCauchy(5).
            {"q1": 3, "q2": 3, "q3": 1, "q4": 2},
            {"q2": "beta", "q3": "prior of tau is HalfNormal(0.05)", "q4": "G -> D -> A"},
        ),
    ],
    "hw03-varying-effects": [
        Submission(
            "swapped prior scales of mu_a and mu_b (q2) + pooled slope where slopes vary (q3) "
            "+ elevated/depressed read from the wrong end (q5)",
            (
                Edit('mu_a = pm.Normal("mu_a", 0, 2)\n    mu_b = pm.Normal("mu_b", 0, 0.1)\n    sigma_a = pm.HalfCauchy("sigma_a", 1)\n    sigma = ',
                     'mu_a = pm.Normal("mu_a", 0, 0.1)\n    mu_b = pm.Normal("mu_b", 0, 2)\n    sigma_a = pm.HalfCauchy("sigma_a", 1)\n    sigma = '),
                Edit('    sigma_b = pm.HalfCauchy("sigma_b", 1)\n    sigma = pm.HalfCauchy("sigma", 1)\n    z_a',
                     '    sigma = pm.HalfCauchy("sigma", 1)\n    z_a'),
                Edit('    z_b = pm.Normal("z_b", 0, 1, dims="station")\n', ""),
                Edit('    beta = pm.Deterministic("beta", mu_b + sigma_b * z_b, dims="station")\n', ""),
                Edit("alpha[station] + beta[station] * temp", "alpha[station] + mu_b * temp"),
                Edit('q5_elevated = str(alpha_mean.idxmax("station").item())',
                     'q5_elevated = str(alpha_mean.idxmin("station").item())'),
            ),
            # q2 loses its structure points too (the question states the priors); q5's depressed
            # station is right, so only the elevated one loses its 1.5 points.
            {"q1": 3, "q2": 0, "q3": 1, "q4": 3, "q5": 1.5, "q6": 3},
            {"q2": "prior of mu_a is Normal(0, 0.1)", "q3": "no variable 'beta'", "q5": "highest baseline"},
        ),
        Submission(
            "centred varying slopes left with divergences (q3)",
            (
                Edit('    z_a = pm.Normal("z_a", 0, 1, dims="station")\n', ""),
                Edit('    z_b = pm.Normal("z_b", 0, 1, dims="station")\n', ""),
                Edit('alpha = pm.Deterministic("alpha", mu_a + sigma_a * z_a, dims="station")',
                     'alpha = pm.Normal("alpha", mu_a, sigma_a, dims="station")'),
                Edit('beta = pm.Deterministic("beta", mu_b + sigma_b * z_b, dims="station")',
                     'beta = pm.Normal("beta", mu_b, sigma_b, dims="station")'),
            ),
            # q3 loses structure and divergences; the centred fit's convergence is borderline (bulk
            # ESS of sigma_b 349-450 seen), so its convergence point may go either way. q5 is read
            # off the student's own q3 posterior, correctly: the error was q3's, charged there.
            {"q1": 3, "q2": 4, "q3": (2, 3), "q4": 3, "q5": 3, "q6": 3},
            {"q3": "diverged"},
        ),
    ],
    "hw04-covarying-parameters": [
        Submission(
            "centred model kept for q2 + LKJ(200) thinking larger eta is vaguer (q3) "
            "+ polyfit's (slope, intercept) order not reversed (q4)",
            (
                Edit('    z = pm.Normal("z", 0, 1, dims=("group", "coef"))\n'
                     '    coeffs = pm.Deterministic("coeffs", pt.stack([mu_a, mu_b]) + z @ chol.T, dims=("group", "coef"))',
                     '    coeffs = pm.MvNormal("coeffs", mu=pt.stack([mu_a, mu_b]), chol=chol, dims=("group", "coef"))'),
                Edit('mu_b = pm.Normal("mu_b", 0, 0.1)\n'
                     '    sigma_a = pm.HalfCauchy("sigma_a", 1)\n'
                     '    sigma_b = pm.HalfCauchy("sigma_b", 1)\n'
                     '    chol_corr = pm.LKJCorr("chol_corr", n=2, eta=2)',
                     'mu_b = pm.Normal("mu_b", 0, 0.1)\n'
                     '    sigma_a = pm.HalfCauchy("sigma_a", 1)\n'
                     '    sigma_b = pm.HalfCauchy("sigma_b", 1)\n'
                     '    chol_corr = pm.LKJCorr("chol_corr", n=2, eta=200)'),
                Edit("log_ozone[station == j], 1)[::-1] for j in range(12)])",
                     "log_ozone[station == j], 1) for j in range(12)])"),
            ),
            # q2 loses structure and divergences (3 points); on the funnel data at the default
            # target_accept the centred fit's convergence and recovery are borderline (both failed
            # when measured), so up to 3 more points may go. LKJ(200) fights the data's rho = -0.9:
            # q3 loses the stated-eta structure point and recovery (rho pinned near 0); with
            # separate scales and target_accept 0.95 the sampler stays healthy.
            {"q1": 4, "q2": (0, 1, 2, 3), "q3": 2, "q4": 2},
            {"q2": "diverged", "q3": "rho (truth -0.9", "q4": "reverse them"},
        ),
        Submission(
            "answers computed on another seed's data (DATA_SEED = 411)",
            (Edit("DATA_SEED = 410", "DATA_SEED = 411"),),
            # The fits are correct models of the wrong data: recovery of the hyperparameters alone
            # cannot tell (they share their truth across seeds), checks.data_match can (the
            # observed data are not seed 410's), and q4 is recomputed from the seed-410 data.
            {"q1": 4, "q2": 4, "q3": 3, "q4": 0},
            {"q2": "not this assignment's", "q3": "not this assignment's", "q4": "seed 410"},
        ),
    ],
}
