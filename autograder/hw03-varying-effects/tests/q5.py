from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 3

@test_case(points=0, hidden=False)
def test_q5_names(q5_elevated, q5_depressed):
    from teachkit import simulate
    stations = simulate.ozone(seed=410, size='homework').coords['station']
    assert q5_elevated in stations and q5_depressed in stations, "store station names (strings from coords['station'])"

@test_case(points=3, hidden=True)
def test_q5_stations(q5_elevated, q5_depressed):
    from teachkit import simulate
    truth = simulate.ozone(seed=410, size='homework').truth['alpha']
    high, low = (max(truth, key=truth.get), min(truth, key=truth.get))
    assert q5_elevated == high, f'{q5_elevated!r} is not the station with the highest baseline; compare posterior means of alpha'
    assert q5_depressed == low, f'{q5_depressed!r} is not the station with the lowest baseline; compare posterior means of alpha'

