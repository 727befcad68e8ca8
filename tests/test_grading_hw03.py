"""Grading tier on a real assignment: hw03 with a fabricated posterior.

A student who skips ``pm.sample`` and makes up a posterior that sits on their own data's truth gets
nothing for the fits: only the provenance of the posterior gives it away. (The solution and the blank
exercise of hw03 are graded with the rest of its class in ``tests/test_homework_teachkit_grade.py``.)
Run under the MCMC lock, e.g. ``flock /tmp/teachkit-mcmc.lock pytest -m grading tests/test_grading_hw03.py``.
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
# the student's own truth (the fabricator knows the simulator)
truth = simulate.ozone(seed=simulate.student_seed("hw03-varying-effects", STUDENT_ID), size="homework", rho=0).truth
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
    exercise = json.loads((ROOT / "exercises" / "hw03-varying-effects.ipynb").read_text())
    cells = [c for c in exercise["cells"] if "pm.sample" not in "".join(c["source"])]
    (q0,) = [c for c in cells if "".join(c["source"]).startswith("STUDENT_ID")]
    q0["source"] = 'STUDENT_ID = "s9000001"\n'
    data = next(i for i, c in enumerate(cells) if "DATA_SEED = simulate" in "".join(c["source"]))
    fake = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": FABRICATE}
    exercise["cells"] = [*cells[: data + 1], fake, *cells[data + 1 :]]
    (tmp / "fabricated.ipynb").write_text(json.dumps(exercise))
    return grading.grade(AG, [tmp / "fabricated.ipynb"], workers=1, timeout=900, out=tmp / "out",
                         progress=False, warm=False)


def test_a_fabricated_posterior_gets_nothing_for_the_fit(book):
    fab = book.by_id()["fabricated"]
    assert fab.status == "ok", fab.feedback
    assert fab.scores["q1"] == 0, fab.feedback
    assert "real sampler run" in fab.feedback
