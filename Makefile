# The two commands of the README: `make demo` (the main job) and `make test` (every test tier).
# Both create/update .venv by themselves (scripts/bootstrap).
SHELL := /bin/bash
PY = $$(scripts/bootstrap | tail -n 1)

.PHONY: demo test test-fast lint venv build-check clean

venv:
	@scripts/bootstrap >/dev/null

demo:
	@py=$(PY) && "$$py" -m teachkit demo

# ruff (lint + format) and the import-linter architecture contracts (pyproject.toml); the fast
# test tier runs them too (tests/test_architecture.py)
lint:
	@py=$(PY) && bin=$$(dirname "$$py") && "$$bin/ruff" check . && "$$bin/ruff" format --check . \
		&& "$$bin/lint-imports"

test: lint
	@scripts/ensure-chromium
	@scripts/ensure-bubblewrap
	@py=$(PY) && "$$py" -m pytest -p no:cacheprovider

test-fast: lint
	@py=$(PY) && "$$py" -m pytest -m "not slow and not notebook and not grading and not browser"

clean:
	rm -rf .venv demo-output .pytest_cache
