# Two commands set everything up from nothing: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_FLAGS ?=

.PHONY: setup demo test test-all lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[test,dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: setup            ## train DCGAN on the bundled MNIST subset for a few CPU minutes
	$(BIN)/ganzoo demo

test: setup            ## the fast suite (what CI runs)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_FLAGS)

test-all: setup        ## everything, the slow tail included
	$(BIN)/python -m pytest $(PYTEST_FLAGS)

lint: setup
	$(BIN)/ruff check src tests benchmarks hubconf.py
	$(BIN)/ruff format --check src tests benchmarks hubconf.py

bench: setup           ## speed and FID comparisons against peers; results go to benchmarks/results/
	$(BIN)/python benchmarks/train_speed.py
	$(BIN)/python benchmarks/load_speed.py
	$(BIN)/python benchmarks/sample_speed.py
	$(BIN)/python benchmarks/fid_speed.py
	$(BIN)/python benchmarks/fid_table.py

clean:
	rm -rf $(VENV) runs lightning_logs .pytest_cache .ruff_cache
