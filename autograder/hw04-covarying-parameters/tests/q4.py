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
def test_q4_ols(q4_ols):
    import numpy as np
    from teachkit import simulate
    d = simulate.ozone(seed=410, n_days=300, sd_intercept=0.4, sd_slope=0.02).data
    codes = d['station'].cat.codes.to_numpy()
    truth = np.array([np.polyfit(d['temp'][codes == j], d['log_ozone'][codes == j], 1)[::-1] for j in range(12)])
    got = np.asarray(q4_ols, dtype=float)
    if np.allclose(got[:, ::-1], truth, rtol=1e-06):
        raise AssertionError('q4_ols has (slope, intercept) columns; np.polyfit returns the slope first: reverse them')
    assert np.allclose(got, truth, rtol=1e-06), 'q4_ols is not the per-station least-squares (intercept, slope) of the ozone data (seed 410)'

@test_case(points=2, hidden=True)
def test_q4_shrinkage(q4_post):
    import numpy as np
    from teachkit import simulate
    sim = simulate.ozone(seed=410, n_days=300, sd_intercept=0.4, sd_slope=0.02)
    d, names = (sim.data, sim.coords['station'])
    codes = d['station'].cat.codes.to_numpy()
    ols = np.array([np.polyfit(d['temp'][codes == j], d['log_ozone'][codes == j], 1)[::-1] for j in range(12)])
    true = np.array([[sim.truth['alpha'][s], sim.truth['beta'][s]] for s in names])
    post = np.asarray(q4_post, dtype=float)
    assert np.all(post.std(axis=0) < ols.std(axis=0)), 'the partially pooled estimates should spread less than the per-station ones'
    err_post = np.abs((post - true) / true.std(axis=0)).mean()
    err_ols = np.abs((ols - true) / true.std(axis=0)).mean()
    assert err_post < err_ols, f"q4_post is farther from the true station coefficients ({err_post:.2f} sd) than the per-station fits ({err_ols:.2f} sd); is it the posterior mean of question 3's alpha and beta, in station order?"

