# JAGS Planner — the two front-door commands are `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench lint clean system

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,exchange]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/jags demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint system
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=96

# Debian's PostgreSQL server and Chromium for the tests (installed when missing, as root).
system:
	sh scripts/system-packages

# make bench: quick sizes; make bench FULL=1: also 10,000 × 2,000 and 20,000 × 4,000.
bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks $(if $(FULL),--full)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .pytest-tmp out .bench .coverage .coverage.*
