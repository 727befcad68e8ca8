from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 5

@test_case(points=0, hidden=False)
def test_q3_sampled(q3_idata):
    for name in ('rho', 'sigma_a', 'sigma_b', 'alpha', 'beta'):
        assert name in q3_idata.posterior, f"q3_idata's posterior has no {name}"
    assert q3_idata.posterior['alpha'].sizes.get('station') == 12, "alpha should have dims='station'"

@test_case(points=1, hidden=True)
def test_q3_structure(q3_model):
    from teachkit import checks
    checks.structure(q3_model, lkj=True, noncentered=True, varying_intercepts=True, varying_slopes=True, group_dim='station', lkj_eta=2, priors={'mu_a': ('Normal', 0, 2), 'mu_b': ('Normal', 0, 0.1), 'sigma': ('HalfCauchy', 1), 'sigma_a': ('HalfCauchy', 1), 'sigma_b': ('HalfCauchy', 1)}).assert_()

@test_case(points=2, hidden=True)
def test_q3_sampler_health(q3_idata):
    from teachkit import checks
    checks.combine(checks.divergences(q3_idata), checks.convergence(q3_idata, var_names=['mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'rho', 'sigma'])).assert_()

@test_case(points=2, hidden=True)
def test_q3_recovery(q3_idata, STUDENT_ID):
    from teachkit import checks, simulate
    sim = simulate.ozone(seed=simulate.student_seed('hw04-covarying-parameters', STUDENT_ID), n_days=300, sd_intercept=0.4, sd_slope=0.02)
    checks.combine(checks.data_match(q3_idata, sim), checks.recovery(q3_idata, sim.realised_truth(), var_names=['mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'rho', 'alpha', 'beta'], sd_reference=None)).assert_()
    rho = q3_idata.posterior['rho']
    assert float(rho.std()) < 0.3 and float(rho.mean()) < 0, f'the posterior of rho (mean {float(rho.mean()):.2f}, sd {float(rho.std()):.2f}) says little about the correlation: these data identify it (a correct fit gives sd below 0.3 and a clearly negative mean); is the model fitted on the ozone data with varying intercepts and slopes?'

