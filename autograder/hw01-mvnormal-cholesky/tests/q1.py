from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=0, hidden=False)
def test_q1_shapes(q1_sigma, q1_sigma3):
    import numpy as np
    for name, value, k in (('q1_sigma', q1_sigma, 2), ('q1_sigma3', q1_sigma3, 3)):
        assert isinstance(value, np.ndarray), f'{name} should be a NumPy array; got {type(value).__name__}'
        assert value.shape == (k, k), f'{name} should have shape ({k}, {k}); got {value.shape}'
        assert np.allclose(value, value.T), f'{name} is not symmetric; a covariance matrix always is'

@test_case(points=1.5, hidden=True)
def test_q1_sigma_values(q1_sigma):
    import numpy as np
    from teachkit.covariance import cov_from_sd_corr
    truth = cov_from_sd_corr([2.0, 1.0], [[1.0, -0.8], [-0.8, 1.0]])
    got = np.asarray(q1_sigma, dtype=float)
    if np.allclose(got, cov_from_sd_corr([4.0, 1.0], [[1.0, -0.8], [-0.8, 1.0]])):
        raise AssertionError('q1_sigma uses the variances (4, 1) as standard deviations; take their square roots first')
    assert np.allclose(got, truth), f'q1_sigma should be diag(sd) R diag(sd) = {truth.tolist()}; got {got.tolist()}'

@test_case(points=1.5, hidden=True)
def test_q1_sigma3_values(q1_sigma3):
    import numpy as np
    from teachkit.covariance import cov_from_sd_corr
    R3 = [[1.0, 0.3, -0.2], [0.3, 1.0, 0.4], [-0.2, 0.4, 1.0]]
    truth = cov_from_sd_corr([0.5, 1.0, 2.0], R3)
    got = np.asarray(q1_sigma3, dtype=float)
    assert np.allclose(got, truth), f'q1_sigma3 should be diag(SDS3) @ R3 @ diag(SDS3); entry (i, j) is sd_i * sd_j * R3[i, j]. Got {np.round(got, 3).tolist()}'

