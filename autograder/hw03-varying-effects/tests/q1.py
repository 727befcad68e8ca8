from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=0, hidden=False)
def test_q1_sampled(q1_idata):
    from teachkit import checks
    names = ('mu_a', 'mu_b', 'sigma')
    missing = [n for n in names if n not in q1_idata.posterior]
    assert not missing, f"q1_idata's posterior lacks {missing}; name the variables mu_a, mu_b, sigma"
    checks.divergences(q1_idata).assert_()

@test_case(points=1, hidden=True)
def test_q1_structure(q1_model):
    from teachkit import checks
    checks.structure(q1_model, varying_intercepts=False, varying_slopes=False, intercept='mu_a', slope='mu_b', variables=['mu_a', 'mu_b', 'sigma'], likelihood='normal', priors={'mu_a': ('Normal', 0, 2), 'mu_b': ('Normal', 0, 0.1), 'sigma': ('HalfCauchy', 1)}).assert_()

@test_case(points=1, hidden=True)
def test_q1_sampler_health(q1_idata):
    from teachkit import checks
    checks.combine(checks.divergences(q1_idata), checks.convergence(q1_idata, var_names=['mu_a', 'mu_b', 'sigma'])).assert_()

@test_case(points=1, hidden=True)
def test_q1_recovery(q1_idata, STUDENT_ID):
    from teachkit import checks, simulate
    sim = simulate.ozone(seed=simulate.student_seed('hw03-varying-effects', STUDENT_ID), size='homework', rho=0)
    checks.combine(checks.data_match(q1_idata, sim), checks.recovery(q1_idata, sim.realised_truth(), var_names=['mu_a', 'mu_b'], sd_reference=checks.reference_sd(sim))).assert_()

