# emcd_fem: two commands. `make setup` then `make test`.
SHELL := /bin/bash
VENV ?= .venv
# A Python >= 3.12: .python-version (3.12) makes pyenv's `python` resolve to 3.12.
PYTHON ?= $(shell for p in python3.12 python3.13 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& echo $$p && break; done)
BIN := $(VENV)/bin
MPI_RANKS ?= 2
# a hang guard for the MPI suite (~4 min on an idle 2-core machine; 10.5 min was measured
# on a loaded one, where 600 s cut a transient test short: its march stopped on the SIGTERM)
MPI_TIMEOUT ?= 1200

.PHONY: setup test test-serial test-mpi lint bench clean

setup:
	@test -n "$(PYTHON)" || { echo "error: no Python >= 3.12 found (install one, e.g. pyenv install 3.12)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[pypi,test,dev]"
	$(BIN)/python -c "import emcd_fem, dolfinx; print('emcd_fem', emcd_fem.__version__, '| DOLFINx', dolfinx.__version__)"

test: test-serial test-mpi

# The serial suite on TEST_JOBS processes (pytest-xdist; one test file per worker, so a
# file's module fixtures are built once). TEST_JOBS=1 runs it in this process.
# In TEST_CHUNKS pytest sessions of every TEST_CHUNKS-th file (smaller, shorter-lived
# worker processes; a worker lost mid-suite then costs a third of the suite, not a hang).
TEST_JOBS ?= 2
TEST_CHUNKS ?= 3
test-serial:
	@set -e; for k in $$(seq 0 $$(($(TEST_CHUNKS) - 1))); do \
	  files=$$(ls tests/test_*.py | awk -v n=$(TEST_CHUNKS) -v k=$$k 'NR % n == k'); \
	  echo "== serial tests, part $$((k + 1)) of $(TEST_CHUNKS)"; \
	  $(BIN)/python -m pytest $$files $(if $(filter 1,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile); \
	done

# MPMD form: every rank gets its own PYTHONHASHSEED (1, 2, ...), so code that drives
# collectives by iterating a set (hash order) fails here instead of at random on a cluster.
MPI_PYTEST = $(BIN)/python -m pytest tests/mpi -p no:cacheprovider -q --timeout=120
MPI_MPMD = $(subst ;, : ,$(shell for r in $$(seq 1 $(MPI_RANKS)); do \
	printf '%s' "$${sep}-n 1 env PYTHONHASHSEED=$$r $(MPI_PYTEST)"; sep=';'; done))

test-mpi:
	timeout $(MPI_TIMEOUT) $(BIN)/mpiexec $(MPI_MPMD)

lint:
	$(BIN)/ruff check emcd_fem tests demos

# Quick interleaved benchmark (small slab on 1 and 2 ranks; 3.5 min at load 5.5): emcd run,
# the API, a hand-written DOLFINx script, FESTIM 2.1 when installed (benchmarks/README.md).
bench:
	$(BIN)/python benchmarks/run.py --quick --out benchmarks/scratch/bench.jsonl

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
