from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 3

@test_case(points=0, hidden=False)
def test_q5_names(q5_elevated, q5_depressed, STUDENT_ID):
    from teachkit import simulate
    stations = simulate.ozone(seed=simulate.student_seed('hw03-varying-effects', STUDENT_ID), size='homework', rho=0).coords['station']
    assert q5_elevated in stations and q5_depressed in stations, "store station names (strings from coords['station'])"

@test_case(points=1.5, hidden=True)
def test_q5_elevated(q5_elevated, q3_idata):
    from teachkit import checks
    checks.extreme_group(q3_idata, 'alpha', q5_elevated, dim='station', end='highest', what='baseline').assert_()

@test_case(points=1.5, hidden=True)
def test_q5_depressed(q5_depressed, q3_idata):
    from teachkit import checks
    checks.extreme_group(q3_idata, 'alpha', q5_depressed, dim='station', end='lowest', what='baseline').assert_()

