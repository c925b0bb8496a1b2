# kmslab: the two commands are `make lab` and `make test` (see README.md).
#
#   make lab    JupyterLab on workspace/, your own copies of notebooks/ (made on first run, never
#               overwritten; extra flags: make lab LAB_ARGS="--port=9999")
#               make lab KMSLAB_LANG=ja: the Japanese course (workspace/ja), JupyterLab and kmslab in Japanese
#   make restore NB=02   notebook 02 as shipped back in workspace/ (your copy goes to workspace/backups/)
#   make test   the whole test suite; KMSLAB_REQUIRE_BROWSER=1 (set by .ci/run) makes a
#               missing Chromium an error instead of a skipped browser test
#   make lint   ruff check + mypy (strict on all but kmslab/scenario and parts of kmslab/lab; see [tool.mypy] in pyproject.toml)
#   make clean  remove .venv
#
# Installs are stamped: a re-run does nothing until requirements*.txt, pyproject.toml,
# kmslab/__init__.py (the version) or binder/overrides.json change.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
VPY := $(VENV)/bin/python
LAB_STAMP := $(VENV)/.installed-lab
DEV_STAMP := $(VENV)/.installed-dev
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
LAB_ARGS ?=
# kmslab's message catalogs: the committed .po files, compiled to .mo (git-ignored) at install.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard kmslab/locale/*/LC_MESSAGES/kmslab.po))
# JupyterLab's user settings for the Japanese course (its display language; your own settings stay as they are).
JA_SETTINGS := $(VENV)/share/jupyter/lab/user-settings-ja
KMSLAB_LANG ?=
# Python used to create .venv: the first of these that is 3.11 or newer (override: PYTHON=...).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3.14 python3; do \
	$$p -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; \
	done)
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help lab restore test lint clean

help:
	@echo "make lab    start JupyterLab on workspace/, your copies of notebooks/ (LAB_ARGS=... passes flags)"
	@echo "            make lab KMSLAB_LANG=ja: the Japanese course, in a Japanese JupyterLab"
	@echo "make restore NB=02   get notebook 02 as shipped back (your copy is kept in workspace/backups/)"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff check + mypy (strict on all but kmslab/scenario and parts of kmslab/lab)"
	@echo "make clean  remove .venv"
	@echo "make bench  run the benchmarks (~3 min); make bench-check compares them with the budget"

$(VPY):
	@if [ -z "$(PYTHON)" ]; then \
		echo "kmslab needs Python 3.11 or newer (python3.11 not found)." >&2; \
		echo "Debian/Ubuntu: sudo apt-get install -y python3 python3-venv" >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)

$(LAB_STAMP): requirements.txt pyproject.toml kmslab/__init__.py binder/overrides.json | $(VPY)
	$(VPY) -m pip install --quiet -r requirements.txt -e .
	mkdir -p $(LAB_SETTINGS)
	cp binder/overrides.json $(LAB_SETTINGS)/overrides.json
	@touch $@

$(MO_FILES): %.mo: %.po | $(LAB_STAMP)
	$(VPY) -m kmslab.locale.catalogs compile

$(DEV_STAMP): $(LAB_STAMP) requirements-dev.txt
	$(VPY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# JupyterLab saves into the notebooks it has open: it works on git-ignored copies, so the course as
# shipped (notebooks/) stays clean for git and `make test`, and your work is never overwritten.
lab: $(LAB_STAMP) $(MO_FILES)
	$(VPY) -m kmslab.course.workspace prepare
	@if [ "$(KMSLAB_LANG)" = ja ]; then \
		mkdir -p $(JA_SETTINGS)/@jupyterlab/translation-extension; \
		echo '{"locale": "ja_JP"}' > $(JA_SETTINGS)/@jupyterlab/translation-extension/plugin.jupyterlab-settings; \
		export JUPYTERLAB_SETTINGS_DIR=$(JA_SETTINGS) KMSLAB_LANG=ja; \
		exec $(VENV)/bin/jupyter lab --notebook-dir=workspace --LabApp.default_url=/lab/tree/ja \
			$(ALLOW_ROOT) $(LAB_ARGS); \
	fi; \
	exec $(VENV)/bin/jupyter lab --notebook-dir=workspace $(ALLOW_ROOT) $(LAB_ARGS)

restore: $(LAB_STAMP)
	@if [ -z "$(NB)" ]; then echo "usage: make restore NB=02" >&2; exit 2; fi
	$(VPY) -m kmslab.course.workspace restore $(NB)

test: $(DEV_STAMP) $(MO_FILES)
	@if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then \
		if [ "$${KMSLAB_REQUIRE_BROWSER:-}" = 1 ]; then \
			echo "ERROR: KMSLAB_REQUIRE_BROWSER=1 but Chromium is missing." \
				"Install it: sudo apt-get install -y chromium" >&2; exit 1; \
		fi; \
		echo "NOTE: Chromium not found: the browser test will be skipped."; \
		echo "      Install it with: sudo apt-get install -y chromium   (Debian/Ubuntu)"; \
	fi
	$(VPY) -m pytest -p no:cacheprovider

lint: $(DEV_STAMP)
	$(VPY) -m ruff check .
	$(VPY) -m mypy

clean:
	rm -rf $(VENV)

# Benchmarks (benchmarks/, README "Benchmarks"): each repetition in a fresh process, results in
# benchmarks/results/latest.json; bench-check exits 1 if a figure is over the budget.
.PHONY: bench bench-check
bench: $(LAB_STAMP)
	$(VPY) -m benchmarks.run $(BENCH_ARGS)

bench-check: | $(VPY)
	$(VPY) -m benchmarks.check
