from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 4

@test_case(points=0, hidden=False)
def test_q3_types(q3_valid, q3_det, q3_r23_range):
    expected = {'lecture', 'mild', 'strong_but_fine', 'all_negative', 'not_symmetric', 'diagonal_two'}
    assert isinstance(q3_valid, dict), 'q3_valid should be a dict {name: True/False}'
    assert set(q3_valid) == expected, f'q3_valid should have exactly the keys {sorted(expected)}'
    assert all((isinstance(v, (bool,)) or type(v).__name__ == 'bool_' for v in q3_valid.values())), 'the values of q3_valid should be True or False'
    assert isinstance(q3_det, (int, float)) or type(q3_det).__module__ == 'numpy', 'q3_det should be a number'
    assert len(q3_r23_range) == 2 and q3_r23_range[0] < q3_r23_range[1], 'q3_r23_range should be a tuple (low, high) with low < high'

@test_case(points=2, hidden=True)
def test_q3_valid(q3_valid):
    import numpy as np
    from teachkit.covariance import is_valid_correlation

    def corr3(r12, r13, r23):
        return np.array([[1.0, r12, r13], [r12, 1.0, r23], [r13, r23, 1.0]])
    candidates = {'lecture': corr3(0.9, 0.8, -0.9), 'mild': corr3(0.5, 0.3, 0.2), 'strong_but_fine': corr3(0.9, 0.8, 0.6), 'all_negative': corr3(-0.6, -0.6, -0.6), 'not_symmetric': np.array([[1.0, 0.5, 0.1], [0.2, 1.0, 0.3], [0.1, 0.3, 1.0]]), 'diagonal_two': np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]])}
    wrong = [name for name, R in candidates.items() if bool(q3_valid.get(name)) != bool(is_valid_correlation(R))]
    reasons = {'lecture': 'its determinant is negative (an eigenvalue is below 0) although every |r| < 1', 'all_negative': 'three variables cannot all be strongly negatively correlated with each other: det < 0', 'not_symmetric': 'it is not symmetric', 'diagonal_two': 'a correlation matrix has ones on the diagonal', 'mild': 'it is a valid correlation matrix', 'strong_but_fine': 'it is a valid correlation matrix (det > 0)'}
    assert not wrong, 'wrong verdicts for ' + '; '.join((f'{n} ({reasons[n]})' for n in wrong))

@test_case(points=1, hidden=True)
def test_q3_det(q3_det):
    truth = 1 - 0.9 ** 2 - 0.8 ** 2 - 0.9 ** 2 + 2 * 0.9 * 0.8 * -0.9
    assert abs(float(q3_det) - truth) < 1e-06, f"q3_det should be the determinant of the lecture's matrix; got {float(q3_det):.4f}"

@test_case(points=1, hidden=True)
def test_q3_r23_range(q3_r23_range):
    from teachkit.covariance import r23_interval
    low, high = r23_interval(0.9, 0.8)
    got = tuple((float(v) for v in q3_r23_range))
    assert abs(got[0] - low) < 0.0001 and abs(got[1] - high) < 0.0001, f'q3_r23_range should be r12*r13 -/+ sqrt((1-r12^2)(1-r13^2)); got ({got[0]:.4f}, {got[1]:.4f})'

