from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 4

@test_case(points=0, hidden=False)
def test_q1_sampled(q1_idata, q1_divergences):
    for name in ('mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'rho', 'alpha', 'beta'):
        assert name in q1_idata.posterior, f"q1_idata's posterior has no {name}; add it (as a pm.Deterministic if derived)"
    assert isinstance(q1_divergences, int), 'q1_divergences should be an int'

@test_case(points=2, hidden=True)
def test_q1_structure(q1_model):
    from teachkit import checks
    checks.structure(q1_model, lkj=True, noncentered=False, varying_intercepts=True, varying_slopes=True, group_dim='group', lkj_eta=2, priors={'mu_a': ('Normal', 0, 2), 'mu_b': ('Normal', 0, 2), 'sigma': ('HalfCauchy', 1)}).assert_()

@test_case(points=1, hidden=True)
def test_q1_divergence_count(q1_idata, q1_divergences):
    count = int(q1_idata.sample_stats['diverging'].sum())
    assert q1_divergences == count, f'q1_divergences is {q1_divergences}, but q1_idata has {count} divergent transitions'

@test_case(points=1, hidden=True)
def test_q1_diverges(q1_idata):
    from teachkit import checks
    result = checks.divergences(q1_idata)
    assert 'n_divergent' in result.details, result.message
    assert not result.passed, 'this fit has (almost) no divergences, but the centered model of question 1 should show many on the funnel data; is it really centered (coeffs drawn from pm.MvNormal)?'

