from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 3

@test_case(points=0, hidden=False)
def test_q6_sampled(q6_vague_prior, q6_prior, q6_vague_share, q6_share):
    for name, prior in (('q6_vague_prior', q6_vague_prior), ('q6_prior', q6_prior)):
        assert prior is not None and 'prior_predictive' in prior.children, f'{name} should be what pm.sample_prior_predictive returns'
        assert 'log_ozone' in prior.prior_predictive, f"{name} has no prior predictive 'log_ozone'; name the likelihood 'log_ozone'"
    for name, share in (('q6_vague_share', q6_vague_share), ('q6_share', q6_share)):
        assert isinstance(share, float) and 0 <= share <= 1, f'{name} should be a float between 0 and 1'

@test_case(points=1, hidden=True)
def test_q6_priors(q6_vague_model, q6_model):
    from teachkit import checks
    shape = dict(varying_intercepts=False, varying_slopes=False, intercept='mu_a', slope='mu_b', likelihood='normal')
    checks.combine(checks.structure(q6_vague_model, **shape, priors={'mu_a': ('Normal', 0, 3), 'mu_b': ('Normal', 0, 1), 'sigma': ('HalfCauchy', 1)}), checks.structure(q6_model, **shape, priors={'mu_a': ('Normal', 0, 2), 'mu_b': ('Normal', 0, 0.1), 'sigma': ('HalfCauchy', 1)})).assert_()

@test_case(points=1, hidden=True)
def test_q6_shares_match_the_draws(q6_vague_prior, q6_prior, q6_vague_share, q6_share):
    import numpy as np
    for name, prior, share in (('q6_vague_share', q6_vague_prior, q6_vague_share), ('q6_share', q6_prior, q6_share)):
        values = np.asarray(prior.prior_predictive['log_ozone'])
        assert values.size >= 500 * 1200, f'{name}: draw at least 500 prior predictive data sets (draws=1000) of all 1200 rows'
        own = float((values > 7).mean())
        assert abs(share - own) < 1e-09, f'{name} is {share:.4f}, but the share of your prior predictive log_ozone above 7 is {own:.4f}'

@test_case(points=1, hidden=True)
def test_q6_draws_come_from_the_stated_priors(q6_vague_prior, q6_prior, STUDENT_ID):
    import numpy as np
    from teachkit import simulate
    temp = simulate.ozone(seed=simulate.student_seed('hw03-varying-effects', STUDENT_ID), size='homework', rho=0).data['temp'].to_numpy()
    rng = np.random.default_rng(0)
    for name, prior, (sa, sb) in (('q6_vague_prior', q6_vague_prior, (3, 1)), ('q6_prior', q6_prior, (2, 0.1))):
        n = 5000
        a, b = (rng.normal(0, sa, n), rng.normal(0, sb, n))
        s = np.abs(rng.standard_cauchy(n))
        per_draw = (a[:, None] + b[:, None] * temp + s[:, None] * rng.standard_normal((n, temp.size)) > 7).mean(axis=1)
        values = np.asarray(prior.prior_predictive['log_ozone']).reshape(-1, temp.size)
        got = float((values > 7).mean())
        se = per_draw.std() / np.sqrt(values.shape[0])
        assert abs(got - per_draw.mean()) < 5 * se, f"{name}: {got:.1%} of its log_ozone draws are above 7, but the question's priors give about {per_draw.mean():.1%}; check the priors and that the likelihood is observed on log_ozone with the data's temperatures"

