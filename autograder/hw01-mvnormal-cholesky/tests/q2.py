from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=0, hidden=False)
def test_q2_shapes(q2_L, q2_samples, q2_sample_cov):
    import numpy as np
    assert isinstance(q2_L, np.ndarray) and q2_L.shape == (2, 2), 'q2_L should be a 2x2 NumPy array'
    assert np.allclose(np.triu(q2_L, 1), 0), 'q2_L should be lower triangular (np.linalg.cholesky returns the lower factor)'
    assert isinstance(q2_samples, np.ndarray) and q2_samples.shape == (10000, 2), f'q2_samples should have shape (10000, 2), one draw per row; got {getattr(q2_samples, 'shape', type(q2_samples).__name__)}'
    assert isinstance(q2_sample_cov, np.ndarray) and q2_sample_cov.shape == (2, 2), 'q2_sample_cov should be 2x2: did you forget rowvar=False? (np.cov treats rows as variables by default)'

@test_case(points=1, hidden=True)
def test_q2_cholesky_factor(q2_L, q1_sigma):
    import numpy as np
    from teachkit.covariance import cov_from_sd_corr
    truth = cov_from_sd_corr([2.0, 1.0], [[1.0, -0.8], [-0.8, 1.0]])
    own = np.asarray(q1_sigma, dtype=float) if np.shape(q1_sigma) == (2, 2) else truth
    valid = np.all(np.isfinite(own)) and np.allclose(own, own.T) and np.all(np.linalg.eigvalsh(own) > 0)
    targets = [truth] + ([own] if valid and (not np.allclose(own, truth)) else [])
    L = np.asarray(q2_L, dtype=float)
    assert L.shape == (2, 2) and np.allclose(np.triu(L, 1), 0), 'q2_L is not a lower-triangular 2x2 matrix'
    upstream = '' if len(targets) == 1 else " (your q1_sigma differs from the lecture's Sigma, so either is accepted here: see question 1)"
    assert any((np.allclose(L @ L.T, t) for t in targets)), f'q2_L @ q2_L.T should equal Sigma = {targets[-1].tolist()}; got {np.round(L @ L.T, 3).tolist()}{upstream}'

@test_case(points=2, hidden=True)
def test_q2_sample_covariance(q2_samples, q1_sigma):
    import numpy as np
    from teachkit.covariance import cov_from_sd_corr
    truth = cov_from_sd_corr([2.0, 1.0], [[1.0, -0.8], [-0.8, 1.0]])
    own = np.asarray(q1_sigma, dtype=float) if np.shape(q1_sigma) == (2, 2) else truth
    valid = np.all(np.isfinite(own)) and np.allclose(own, own.T) and np.all(np.linalg.eigvalsh(own) > 0)
    upstream = ''
    if valid and (not np.allclose(own, truth)):
        truth = own
        upstream = " (judged against your own q1_sigma, which is not the lecture's Sigma: see question 1)"
    x = np.asarray(q2_samples, dtype=float)
    assert x.ndim == 2 and x.shape[1] == 2 and (x.shape[0] >= 1000), 'q2_samples should hold one 2-vector per row'
    n = x.shape[0]
    cov = np.cov(x, rowvar=False)
    se = np.sqrt((np.outer(np.diag(truth), np.diag(truth)) + truth ** 2) / n)
    z = np.abs(cov - truth) / se
    hint = ''
    L = np.linalg.cholesky(truth)
    if np.allclose(cov, L.T @ L, atol=6 * se.max()):
        hint = ' The draws look like z @ L, whose covariance is L^T L: multiply by L.T (each row is L z_i).'
    assert z.max() < 6, f'the sample covariance of q2_samples is {np.round(cov, 2).tolist()}, far from Sigma = {truth.tolist()} ({z.max():.1f} standard errors off).{hint}{upstream}'
    se_mean = np.sqrt(np.diag(truth) / n)
    assert np.all(np.abs(x.mean(axis=0)) < 6 * se_mean), 'the draws should have mean (0, 0)'

@test_case(points=1, hidden=True)
def test_q2_sample_cov_matches_samples(q2_samples, q2_sample_cov):
    import numpy as np
    expected = np.cov(np.asarray(q2_samples, dtype=float), rowvar=False)
    assert np.allclose(np.asarray(q2_sample_cov, dtype=float), expected), 'q2_sample_cov is not the sample covariance of q2_samples; use np.cov(q2_samples, rowvar=False)'

