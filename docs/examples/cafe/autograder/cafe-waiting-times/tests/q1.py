from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=0, hidden=False)
def test_q1_sampled(q1_idata, q1_divergences):
    for name in ('mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'rho', 'alpha', 'beta', 'sigma'):
        assert name in q1_idata.posterior, f"q1_idata's posterior has no {name}; add it (as a pm.Deterministic if derived)"
    assert q1_idata.posterior['alpha'].sizes.get('cafe') == 20, "alpha should have dims='cafe'"
    assert isinstance(q1_divergences, int), 'q1_divergences should be an int'

@test_case(points=1, hidden=True)
def test_q1_structure(q1_model):
    from teachkit import checks
    checks.structure(q1_model, lkj=True, noncentered=False, varying_intercepts=True, varying_slopes=True, group_dim='cafe', lkj_eta=2, priors={'mu_a': ('Normal', 5, 2), 'mu_b': ('Normal', -1, 0.5), 'sigma': ('Exponential', 1)}).assert_()

@test_case(points=1, hidden=True)
def test_q1_divergence_count(q1_idata, q1_divergences):
    count = int(q1_idata.sample_stats['diverging'].sum())
    assert q1_divergences == count, f'q1_divergences is {q1_divergences}, but q1_idata has {count} divergent transitions'

@test_case(points=1, hidden=True)
def test_q1_recovery(q1_idata, STUDENT_ID):
    from teachkit import checks, simulate
    sim = simulate.varying_effects(n_groups=20, n_per_group=10, intercept=3.5, slope=-1.0, sd_intercept=1.0, sd_slope=0.5, rho=-0.7, sigma=0.5, x_dist='alternating', group_labels=[f'cafe{i:02d}' for i in range(1, 21)], seed=simulate.student_seed('cafe-waiting-times', STUDENT_ID))
    checks.combine(checks.data_match(q1_idata, sim), checks.recovery(q1_idata, sim.realised_truth(), var_names=['mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'rho', 'sigma'], sd_reference=None)).assert_()

