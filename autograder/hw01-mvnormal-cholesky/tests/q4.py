from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 4

@test_case(points=0, hidden=False)
def test_q4_shapes(q4_density, q4_sd):
    import numpy as np
    assert isinstance(q4_density, np.ndarray) and q4_density.shape == (4, 199), f'q4_density should have shape (len(ETAS), len(R_GRID)) = (4, 199); got {getattr(q4_density, 'shape', type(q4_density).__name__)}'
    assert np.all(np.asarray(q4_density) >= 0), 'a density is never negative'
    assert np.shape(q4_sd) == (4,), 'q4_sd should hold one standard deviation per eta'

@test_case(points=2, hidden=True)
def test_q4_density(q4_density):
    import numpy as np
    from teachkit.covariance import lkj_marginal_pdf
    etas, grid = (np.array([0.5, 1.0, 2.0, 5.0]), np.linspace(-0.99, 0.99, 199))
    truth = np.array([lkj_marginal_pdf(grid, eta, 2) for eta in etas])
    got = np.asarray(q4_density, dtype=float)
    bad = [f'{eta:g}' for eta, g, t in zip(etas, got, truth) if not np.allclose(g, t, rtol=1e-06)]
    hint = ''
    ratio = got / truth
    if bad and np.allclose(ratio, ratio[:, :1], rtol=1e-06):
        hint = ' Each row is proportional to the right density: the normalising constant is missing or wrong.'
    assert not bad, f'q4_density is wrong for eta = {', '.join(bad)}.{hint}'

@test_case(points=1, hidden=True)
def test_q4_sd(q4_sd):
    import numpy as np
    etas = np.array([0.5, 1.0, 2.0, 5.0])
    truth = 1 / np.sqrt(2 * etas + 1)
    got = np.asarray(q4_sd, dtype=float)
    assert np.all(np.abs(got / truth - 1) < 0.08), f'q4_sd = {np.round(got, 3).tolist()} but the sd of rho under LKJ(eta) is {np.round(truth, 3).tolist()}; take the [0, 1] entry of each sampled matrix'

@test_case(points=1, hidden=True)
def test_q4_eta_meaning(q4_uniform_eta, q4_most_regularising_eta):
    assert float(q4_uniform_eta) == 1.0, 'with eta = 1, (det R)^(eta-1) = 1: every valid correlation matrix is equally likely'
    assert float(q4_most_regularising_eta) == 5.0, 'the larger eta, the more (det R)^(eta-1) favours det R near 1, i.e. rho near 0'

