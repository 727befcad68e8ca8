"""Grading tier on a real assignment: hw03 solution, blank exercise and a fabricated posterior.

Runs three notebooks with PyMC fits (a few minutes with a warm compile cache): run under the MCMC
lock, e.g. ``flock /tmp/teachkit-mcmc.lock pytest -m grading tests/test_grading_hw03.py``.
"""

import json
from pathlib import Path

import pytest

from teachkit import grading

pytestmark = [pytest.mark.grading, pytest.mark.slow]

ROOT = Path(__file__).parents[1]
AG = ROOT / "autograder" / "hw03-varying-effects"

FABRICATE = '''
import numpy as np, xarray as xr
from teachkit import simulate
truth = simulate.ozone(seed=410, size="homework").truth
rng = np.random.default_rng(1)
def fake(names):
    shape = (4, 1000)
    post = {n: (("chain", "draw"), truth[n] + 1e-3 * rng.normal(size=shape)) for n in names}
    stats = {"diverging": (("chain", "draw"), np.zeros(shape, bool)),
             "lp": (("chain", "draw"), rng.normal(-100, 2, shape)),
             "energy": (("chain", "draw"), rng.normal(100, 2, shape)),
             "step_size": (("chain", "draw"), np.full(shape, 0.5)),
             "tree_depth": (("chain", "draw"), np.full(shape, 3)),
             "n_steps": (("chain", "draw"), np.full(shape, 7.0))}
    return xr.DataTree.from_dict({"posterior": xr.Dataset(post), "sample_stats": xr.Dataset(stats)})
q1_idata = fake(["mu_a", "mu_b", "sigma"])
'''


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    if not (AG / "tests").is_dir():
        pytest.skip("autograder/hw03-varying-effects has not been built")
    tmp = tmp_path_factory.mktemp("hw03")
    solution = json.loads((AG / "hw03-varying-effects.ipynb").read_text())
    (tmp / "solution.ipynb").write_text(json.dumps(solution))
    exercise = json.loads((ROOT / "exercises" / "hw03-varying-effects.ipynb").read_text())
    (tmp / "blank.ipynb").write_text(json.dumps(exercise))
    fabricated = json.loads(json.dumps(exercise))
    fabricated["cells"] = [c for c in fabricated["cells"] if "pm.sample" not in "".join(c["source"])]
    fabricated["cells"].insert(3, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                   "source": FABRICATE})
    (tmp / "fabricated.ipynb").write_text(json.dumps(fabricated))
    return grading.grade(AG, [tmp / "solution.ipynb", tmp / "blank.ipynb", tmp / "fabricated.ipynb"],
                         workers=1, timeout=900, out=tmp / "out", progress=False, warm=False)


def test_solution_gets_full_marks(book):
    r = book.by_id()["solution"]
    assert r.status == "ok" and r.total == r.possible, r.feedback


def test_blank_and_fabricated_get_nothing_for_fits(book):
    rows = book.by_id()
    assert rows["blank"].scores["q1"] == 0
    fab = rows["fabricated"]
    assert fab.scores["q1"] == 0, fab.feedback
    assert "real sampler run" in fab.feedback
