from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 6

@test_case(points=0, hidden=False)
def test_q2_sampled(q2_idata):
    from teachkit import checks
    for name in ('mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'rho', 'alpha', 'beta'):
        assert name in q2_idata.posterior, f"q2_idata's posterior has no {name}"
    checks.divergences(q2_idata).assert_()

@test_case(points=1, hidden=True)
def test_q2_structure(q2_model):
    from teachkit import checks
    checks.structure(q2_model, lkj=True, noncentered=True, varying_intercepts=True, varying_slopes=True, group_dim='group', lkj_eta=2, priors={'mu_a': ('Normal', 0, 2), 'mu_b': ('Normal', 0, 2), 'sigma': ('HalfCauchy', 1), 'sigma_a': ('HalfCauchy', 1), 'sigma_b': ('HalfCauchy', 1)}).assert_()

@test_case(points=2, hidden=True)
def test_q2_divergences(q2_idata):
    from teachkit import checks
    checks.divergences(q2_idata).assert_()

@test_case(points=1, hidden=True)
def test_q2_convergence(q2_idata):
    from teachkit import checks
    checks.convergence(q2_idata, var_names=['mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'rho', 'sigma']).assert_()

@test_case(points=2, hidden=True)
def test_q2_recovery(q2_idata, STUDENT_ID):
    from teachkit import checks, simulate
    sim = simulate.funnel(seed=simulate.student_seed('hw04-covarying-parameters', STUDENT_ID))
    checks.combine(checks.data_match(q2_idata, sim), checks.recovery(q2_idata, sim.realised_truth(), var_names=['mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'rho', 'sigma'], sd_reference=None)).assert_()

