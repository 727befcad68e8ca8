from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 3

@test_case(points=0, hidden=False)
def test_q2_sampled(q2_idata, q2_better):
    for name in ('mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'rho', 'alpha', 'beta', 'sigma'):
        assert name in q2_idata.posterior, f"q2_idata's posterior has no {name}"
    assert q2_better in ('centered', 'non-centered'), f'q2_better should be "centered" or "non-centered", not {q2_better!r}'

@test_case(points=1, hidden=True)
def test_q2_structure(q2_model):
    from teachkit import checks
    checks.structure(q2_model, lkj=True, noncentered=True, varying_intercepts=True, varying_slopes=True, group_dim='cafe', lkj_eta=2, priors={'mu_a': ('Normal', 5, 2), 'mu_b': ('Normal', -1, 0.5), 'sigma': ('Exponential', 1), 'sigma_a': ('Exponential', 1), 'sigma_b': ('Exponential', 1)}).assert_()

@test_case(points=1, hidden=True)
def test_q2_recovery(q2_idata, STUDENT_ID):
    from teachkit import checks, simulate
    sim = simulate.varying_effects(n_groups=20, n_per_group=10, intercept=3.5, slope=-1.0, sd_intercept=1.0, sd_slope=0.5, rho=-0.7, sigma=0.5, x_dist='alternating', group_labels=[f'cafe{i:02d}' for i in range(1, 21)], seed=simulate.student_seed('cafe-waiting-times', STUDENT_ID))
    checks.combine(checks.data_match(q2_idata, sim), checks.recovery(q2_idata, sim.realised_truth(), var_names=['mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'rho', 'sigma'], sd_reference=None)).assert_()

@test_case(points=1, hidden=True)
def test_q2_better(q1_idata, q2_idata, q2_better):
    import arviz as az
    names = ['mu_a', 'mu_b', 'sigma_a', 'sigma_b', 'rho', 'sigma']
    e1 = min((float(az.ess(q1_idata, var_names=names)[v].min()) for v in names))
    e2 = min((float(az.ess(q2_idata, var_names=names)[v].min()) for v in names))
    if abs(e1 - e2) <= 0.1 * max(e1, e2):
        return
    right = 'centered' if e1 > e2 else 'non-centered'
    assert q2_better == right, f'q2_better is {q2_better!r}, but your fits say {right!r}: the smallest bulk ESS over the hyperparameters is {e1:.0f} for the centered fit and {e2:.0f} for the non-centered one'

