from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=0, hidden=False)
def test_q4_types(q4_total, q4_direct, q4_path):
    assert isinstance(q4_total, float) and isinstance(q4_direct, float), 'q4_total and q4_direct should be floats'
    assert q4_path in ('direct', 'mediated', 'confounded'), "q4_path should be 'direct', 'mediated' or 'confounded'"

@test_case(points=2, hidden=True)
def test_q4_effects(q4_total, q4_direct):
    from teachkit import simulate
    truth = simulate.grants(seed=410).truth
    assert abs(q4_total - truth['observed_total_effect']) < 0.25, "q4_total is not the posterior mean of question 1's total_effect"
    assert abs(q4_direct - truth['direct_effect']) < 0.3, "q4_direct is not the posterior mean of question 3's direct_effect"
    assert q4_total < q4_direct, 'the total effect should be more negative than the direct effect in these data'

@test_case(points=1, hidden=True)
def test_q4_path(q4_path):
    assert q4_path == 'mediated', 'the gender-only model also carries the path G -> D -> A (choice of discipline); conditioning on D blocks it'

