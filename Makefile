# `make test` and `make run` work on a fresh machine with only Python 3 and pip.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Real MNIST digits are used when the shared data folder sits beside the checkout;
# otherwise the example finds its own data offline.
DATA_DIR ?= $(wildcard ../shared/data/mnist-10k)

.PHONY: setup test run lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

run: $(STAMP)
	$(PY) examples/mnist_example.py $(if $(DATA_DIR),--data-dir $(DATA_DIR))

lint: $(STAMP)
	$(PY) -m ruff check minitorch tests examples benchmarks

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
