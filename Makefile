# The two commands of the README. Each sets itself up: a .venv with the pinned
# stack (see requirements/), gankd installed in editable mode.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.gankd-installed
PIP := $(PY) -m pip --disable-pip-version-check
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# pip warns once per package about this machine's local index folders; the
# filter keeps pip's own exit status (pipefail).
QUIET_PIP := 2>&1 | { grep -v "^WARNING: Location" || true; }

.PHONY: install test demo clean

$(STAMP): setup.py requirements/runtime.txt requirements/tests.txt $(wildcard plugins/*/__init__.py)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -r requirements/runtime.txt -r requirements/tests.txt $(QUIET_PIP)
	$(PIP) install --quiet --no-deps --no-build-isolation -e . $(QUIET_PIP)
	$(PY) -c "import gankd, mmpretrain, torch, pytest" && touch $@

install: $(STAMP)

# The whole suite (budget: 15 minutes on 2 cores; see the README), one
# pytest-xdist worker per core; tests of one module stay on one worker, so
# a module's fixtures are built once.
TEST_JOBS ?= 2
test: install
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadscope tests

# The main job on embedded data: the quick distillation benchmark (teacher,
# baseline student, KD, stage-by-stage KD, Residual KD; under 10 minutes).
demo: install
	$(PY) tools/benchmark.py --preset quick --jobs 2

clean:
	rm -rf $(VENV) work_dirs .pytest_cache
