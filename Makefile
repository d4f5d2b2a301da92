# Two commands set everything up from nothing: `make demo` and `make test`.
# `make demo` installs ganzoo alone (what a user's `pip install` gets); `make test` adds the test extras,
# `make lint` the linters. Each install is remembered by a stamp file and redone when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_FLAGS ?=

.PHONY: setup demo test test-all lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[test]"
	touch $@ $(VENV)/.installed

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[test,dev]"
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

setup: $(VENV)/.installed

demo: setup            ## train DCGAN on the bundled MNIST subset for a few CPU minutes
	$(BIN)/ganzoo demo

test: $(VENV)/.installed-test   ## the fast suite (what CI runs)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_FLAGS)

test-all: $(VENV)/.installed-test   ## everything, the slow tail included
	$(BIN)/python -m pytest $(PYTEST_FLAGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks hubconf.py
	$(BIN)/ruff format --check src tests benchmarks hubconf.py

bench: $(VENV)/.installed-test   ## speed and FID comparisons against peers; results go to benchmarks/results/
	$(BIN)/python benchmarks/train_speed.py
	$(BIN)/python benchmarks/load_speed.py
	$(BIN)/python benchmarks/sample_speed.py
	$(BIN)/python benchmarks/fid_speed.py
	$(BIN)/python benchmarks/fid_table.py

clean:
	rm -rf $(VENV) runs lightning_logs .pytest_cache .ruff_cache
