from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=0, hidden=False)
def test_q1_sampled(q1_idata):
    assert 'total_effect' in q1_idata.posterior, "add pm.Deterministic('total_effect', alpha[FEMALE] - alpha[MALE])"
    assert q1_idata.posterior['alpha'].sizes.get('gender') == 2, "alpha should have dims='gender'"

@test_case(points=1, hidden=True)
def test_q1_structure(q1_model):
    from teachkit import checks
    checks.structure(q1_model, likelihood='binomial', variables=['alpha', 'total_effect'], priors={'alpha': ('Normal', 0, 2)}).assert_()

@test_case(points=2, hidden=True)
def test_q1_total_effect(q1_idata, STUDENT_ID):
    from teachkit import checks, simulate
    sim = simulate.grants(seed=simulate.student_seed('hw02-grants-binomial', STUDENT_ID), tau=1, scale=8)
    checks.combine(checks.data_match(q1_idata, sim), checks.recovery(q1_idata, {'total_effect': sim.truth['observed_total_effect']}, var_names=['total_effect'])).assert_()

