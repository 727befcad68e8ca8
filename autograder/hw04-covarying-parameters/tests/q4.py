from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=0, hidden=False)
def test_q4_shapes(q4_ols, q4_post):
    import numpy as np
    for name, value in (('q4_ols', q4_ols), ('q4_post', q4_post)):
        assert np.shape(value) == (12, 2), f'{name} should have shape (12, 2): one (intercept, slope) row per station'

@test_case(points=1, hidden=True)
def test_q4_ols(q4_ols, STUDENT_ID):
    import numpy as np
    from teachkit import simulate
    d = simulate.ozone(seed=simulate.student_seed('hw04-covarying-parameters', STUDENT_ID), n_days=300, sd_intercept=0.4, sd_slope=0.02).data
    codes = d['station'].cat.codes.to_numpy()
    truth = np.array([np.polyfit(d['temp'][codes == j], d['log_ozone'][codes == j], 1)[::-1] for j in range(12)])
    got = np.asarray(q4_ols, dtype=float)
    if np.allclose(got[:, ::-1], truth, rtol=1e-06):
        raise AssertionError('q4_ols has (slope, intercept) columns; np.polyfit returns the slope first: reverse them')
    assert np.allclose(got, truth, rtol=1e-06), 'q4_ols is not the per-station least-squares (intercept, slope) of your ozone data (simulated from your STUDENT_ID)'

@test_case(points=2, hidden=True)
def test_q4_shrinkage(q4_post, q3_idata, STUDENT_ID):
    import numpy as np
    from teachkit import checks, simulate
    sim = simulate.ozone(seed=simulate.student_seed('hw04-covarying-parameters', STUDENT_ID), n_days=300, sd_intercept=0.4, sd_slope=0.02)
    checks.data_match(q3_idata, sim).assert_()
    post = np.asarray(q4_post, dtype=float)
    means = np.column_stack([q3_idata.posterior[v].mean(('chain', 'draw')).to_numpy() for v in ('alpha', 'beta')])
    assert np.allclose(post, means, rtol=1e-06, atol=1e-09), "q4_post is not the posterior mean of question 3's alpha and beta: one (intercept, slope) row per station, in the order of ozone.coords['station']"
    d = sim.data
    codes = d['station'].cat.codes.to_numpy()
    ols = np.array([np.polyfit(d['temp'][codes == j], d['log_ozone'][codes == j], 1)[::-1] for j in range(12)])
    assert np.all(post.std(axis=0) < ols.std(axis=0)), "the partially pooled estimates should spread less than the per-station least-squares ones: is question 3's model the partially pooled one?"

