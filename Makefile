# The two commands of the README: `make demo` (the main job) and `make test` (every test tier).
# Both create/update .venv by themselves (scripts/bootstrap).
SHELL := /bin/bash
PY = $$(scripts/bootstrap | tail -n 1)

.PHONY: demo test test-fast venv build-check clean

venv:
	@scripts/bootstrap >/dev/null

demo:
	@py=$(PY) && "$$py" -m teachkit demo

test:
	@scripts/ensure-chromium
	@scripts/ensure-bubblewrap
	@py=$(PY) && "$$py" -m pytest -p no:cacheprovider

test-fast:
	@py=$(PY) && "$$py" -m pytest -m "not slow and not notebook and not grading and not browser"

clean:
	rm -rf .venv demo-output .pytest_cache
