from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 5

@test_case(points=0, hidden=False)
def test_q3_sampled(q3_idata):
    for name in ('tau', 'beta', 'direct_effect'):
        assert name in q3_idata.posterior, f"q3_idata's posterior has no {name}"

@test_case(points=1, hidden=True)
def test_q3_structure(q3_model):
    from teachkit import checks
    checks.structure(q3_model, likelihood='binomial', variables=['alpha', 'beta', 'tau', 'direct_effect'], priors={'alpha': ('Normal', 0, 2), 'tau': ('HalfCauchy', 5)}).assert_()

@test_case(points=1, hidden=True)
def test_q3_health(q3_idata):
    from teachkit import checks
    checks.combine(checks.divergences(q3_idata), checks.convergence(q3_idata, var_names=['tau', 'direct_effect'])).assert_()

@test_case(points=3, hidden=True)
def test_q3_recovery(q3_idata, STUDENT_ID):
    from teachkit import checks, simulate
    import numpy as np
    sim = simulate.grants(seed=simulate.student_seed('hw02-grants-binomial', STUDENT_ID), tau=1, scale=8)
    spread = float(np.std(list(sim.truth['beta'].values()), ddof=1))
    checks.combine(checks.data_match(q3_idata, sim), checks.recovery(q3_idata, {'direct_effect': sim.truth['direct_effect'], 'tau': spread}, var_names=['direct_effect', 'tau'])).assert_()

