from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=0, hidden=False)
def test_q2_sampled(q2_idata):
    assert 'alpha' in q2_idata.posterior, "q2_idata's posterior has no alpha"
    assert q2_idata.posterior['alpha'].sizes.get('station') == 12, "alpha should have dims='station' (12 stations)"

@test_case(points=2, hidden=True)
def test_q2_structure(q2_model):
    from teachkit import checks
    checks.structure(q2_model, varying_intercepts=True, varying_slopes=False, slope='mu_b', group_dim='station', variables=['mu_a', 'mu_b', 'sigma_a', 'sigma', 'alpha'], priors={'mu_a': ('Normal', 0, 2), 'mu_b': ('Normal', 0, 0.1), 'sigma': ('HalfCauchy', 1), 'sigma_a': ('HalfCauchy', 1)}).assert_()

@test_case(points=2, hidden=True)
def test_q2_recovery(q2_idata, STUDENT_ID):
    from teachkit import checks, simulate
    sim = simulate.ozone(seed=simulate.student_seed('hw03-varying-effects', STUDENT_ID), size='homework', rho=0)
    checks.combine(checks.data_match(q2_idata, sim), checks.recovery(q2_idata, sim.realised_truth(), var_names=['mu_a', 'sigma_a', 'alpha'], sd_reference=checks.reference_sd(sim))).assert_()

