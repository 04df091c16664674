# The two commands that do everything on a fresh machine: `make demo` and `make test`.
# Each installs what it needs into $(VENV) first (see tools/install.sh) and is safe to run again.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export VENV PYTHON

.PHONY: demo test install install-dev clean

demo: install
	$(PY) tools/demo.py

test: install-dev
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

install:
	bash tools/install.sh

install-dev:
	bash tools/install.sh dev

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache outputs
