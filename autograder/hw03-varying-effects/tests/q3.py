from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 5

@test_case(points=0, hidden=False)
def test_q3_sampled(q3_idata):
    for name in ('alpha', 'beta'):
        assert name in q3_idata.posterior, f"q3_idata's posterior has no {name}"
        assert q3_idata.posterior[name].sizes.get('station') == 12, f"{name} should have dims='station' (12 stations)"

@test_case(points=1, hidden=True)
def test_q3_structure(q3_model):
    from teachkit import checks
    checks.structure(q3_model, varying_intercepts=True, varying_slopes=True, noncentered=True, group_dim='station', priors={'mu_a': ('Normal', 0, 2), 'mu_b': ('Normal', 0, 0.1), 'sigma': ('HalfCauchy', 1), 'sigma_a': ('HalfCauchy', 1), 'sigma_b': ('HalfCauchy', 1)}).assert_()

@test_case(points=1, hidden=True)
def test_q3_divergences(q3_idata):
    from teachkit import checks
    checks.divergences(q3_idata).assert_()

@test_case(points=1, hidden=True)
def test_q3_convergence(q3_idata):
    from teachkit import checks
    checks.convergence(q3_idata, var_names=['mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'sigma', 'alpha', 'beta']).assert_()

@test_case(points=2, hidden=True)
def test_q3_recovery(q3_idata, STUDENT_ID):
    from teachkit import checks, simulate
    sim = simulate.ozone(seed=simulate.student_seed('hw03-varying-effects', STUDENT_ID), size='homework', rho=0)
    checks.combine(checks.data_match(q3_idata, sim), checks.recovery(q3_idata, sim.realised_truth(), var_names=['mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'sigma', 'alpha', 'beta'], sd_reference=checks.reference_sd(sim))).assert_()

