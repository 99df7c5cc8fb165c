# Set-up and everyday commands. Needs only python3 (3.11+) and make.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench fuzz install clean samples

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,dask]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	PATH="$(abspath $(VENV))/bin:$$PATH" bash scripts/demo.sh

test: $(STAMP)
	$(PY) -m pytest -q -n auto

# Mutants of ../shared/real_activities imported for RUNLOAD_FUZZ_SECONDS (default 300), seed
# RUNLOAD_FUZZ_SEED; a failure prints how to replay its batch.
fuzz: $(STAMP)
	RUNLOAD_FUZZ_SECONDS=$${RUNLOAD_FUZZ_SECONDS:-300} $(PY) -m pytest -q -s -x tests/ingest/test_fuzz_import.py -k fuzz_import

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

samples: $(STAMP)
	$(PY) sample_activities/generate.py

clean:
	rm -rf $(VENV) .pytest_cache build dist src/*.egg-info
