from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=0, hidden=False)
def test_q4_types(q4_total, q4_direct, q4_path):
    assert isinstance(q4_total, float) and isinstance(q4_direct, float), 'q4_total and q4_direct should be floats'
    assert q4_path in ('direct', 'mediated', 'confounded'), "q4_path should be 'direct', 'mediated' or 'confounded'"

@test_case(points=1, hidden=True)
def test_q4_total(q4_total, q1_idata, STUDENT_ID):
    import numpy as np
    from teachkit import simulate
    if q1_idata is not None and 'total_effect' in q1_idata.posterior:
        own = float(q1_idata.posterior['total_effect'].mean())
        assert np.isclose(q4_total, own, rtol=0.001, atol=0.001), f'q4_total is {q4_total:.4f}, but the posterior mean of total_effect in your q1_idata is {own:.4f}'
    else:
        truth = simulate.grants(seed=simulate.student_seed('hw02-grants-binomial', STUDENT_ID), tau=1, scale=8).truth['observed_total_effect']
        assert abs(q4_total - truth) < 0.25, "q4_total is not the posterior mean of question 1's total_effect (and q1_idata is missing)"

@test_case(points=1, hidden=True)
def test_q4_direct(q4_direct, q3_idata, STUDENT_ID):
    import numpy as np
    from teachkit import simulate
    if q3_idata is not None and 'direct_effect' in q3_idata.posterior:
        own = float(q3_idata.posterior['direct_effect'].mean())
        assert np.isclose(q4_direct, own, rtol=0.001, atol=0.001), f'q4_direct is {q4_direct:.4f}, but the posterior mean of direct_effect in your q3_idata is {own:.4f}'
    else:
        truth = simulate.grants(seed=simulate.student_seed('hw02-grants-binomial', STUDENT_ID), tau=1, scale=8).truth['direct_effect']
        assert abs(q4_direct - truth) < 0.3, "q4_direct is not the posterior mean of question 3's direct_effect (and q3_idata is missing)"

@test_case(points=1, hidden=True)
def test_q4_path(q4_path):
    assert q4_path == 'mediated', 'the gender-only model also carries the path G -> D -> A (choice of discipline); conditioning on D blocks it'

