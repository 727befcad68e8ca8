from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=0, hidden=False)
def test_q2_sampled(q2_idata):
    assert 'direct_effect' in q2_idata.posterior, "add pm.Deterministic('direct_effect', alpha[FEMALE] - alpha[MALE])"

@test_case(points=1, hidden=True)
def test_q2_structure(q2_model):
    from teachkit import checks
    checks.structure(q2_model, likelihood='binomial', variables=['alpha', 'beta', 'direct_effect'], priors={'alpha': ('Normal', 0, 2), 'beta': ('Normal', 0, 1)}).assert_()

@test_case(points=1, hidden=True)
def test_q2_health(q2_idata):
    from teachkit import checks
    checks.combine(checks.divergences(q2_idata), checks.convergence(q2_idata, var_names=['direct_effect'])).assert_()

@test_case(points=2, hidden=True)
def test_q2_direct_effect(q2_idata, STUDENT_ID):
    from teachkit import checks, simulate
    sim = simulate.grants(seed=simulate.student_seed('hw02-grants-binomial', STUDENT_ID), tau=1, scale=8)
    checks.combine(checks.data_match(q2_idata, sim), checks.recovery(q2_idata, {'direct_effect': sim.truth['direct_effect']}, var_names=['direct_effect'])).assert_()

