# The two commands a user needs: `make demo` and `make test`.  Everything else is a step they call.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CHROMIUM ?= /usr/bin/chromium
PORT ?= 8888
PYTEST_ARGS ?=
JUPYTER_ARGS ?=

.PHONY: demo test env browser lint typecheck unit bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip uv
	$(VENV)/bin/uv pip install --python $(PY) -q -e ".[dev]"
	touch $@

env: $(STAMP)

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here).
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "installing chromium with apt-get"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: env
	$(VENV)/bin/mypy

unit: env
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

test: env browser lint typecheck
	$(PY) -m pytest $(PYTEST_ARGS)

# Opens the quickstart in JupyterLab (on the local sandbox unless RUNCOMFY_API_TOKEN is set).
demo: env
	$(PY) -m jupyter lab --ServerApp.port=$(PORT) $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) \
	  $(JUPYTER_ARGS) notebooks/quickstart.ipynb

bench: env browser
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) build dist ideogram_widgets/static/*.js tests/artifacts
