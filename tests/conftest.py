"""Shared pytest configuration.

Tiers (markers, see pyproject.toml): unmarked tests are the fast unit tier; ``slow`` (real MCMC
fits), ``notebook`` (nbclient), ``grading`` (otter run / teachkit grade) and ``browser``
(Voila + Playwright) are the slow tiers. ``make test-fast`` runs only the fast tier.
"""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
