from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=0, hidden=False)
def test_q4_table(q4_compare):
    import pandas as pd
    assert isinstance(q4_compare, pd.DataFrame), 'q4_compare should be the DataFrame returned by az.compare'
    assert set(q4_compare.index) == {'pooled', 'varying_intercepts', 'varying_slopes'}, f'q4_compare should compare exactly pooled, varying_intercepts and varying_slopes; got {list(q4_compare.index)}'

@test_case(points=3, hidden=True)
def test_q4_best(q4_compare, q4_best):
    import numpy as np
    elpd = q4_compare['elpd'] if 'elpd' in q4_compare else q4_compare.iloc[:, 1]
    assert q4_best == elpd.idxmax(), f'q4_best should be the model with the highest elpd in q4_compare ({elpd.idxmax()}); got {q4_best!r}'
    assert q4_best != 'pooled', 'the pooled model cannot be best here: stations differ in baseline ozone'
    assert np.all(np.diff(elpd.to_numpy()) <= 1e-09), 'q4_compare should be the table from az.compare, sorted best first'

