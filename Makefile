# The two commands of the README: `make run` and `make test`.  Everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= data
PORT   ?= 5000
STAMP  := $(VENV)/.installed

.PHONY: run test install demo bench bench-quick clean-data help screenshots

help:
	@echo "make run    - install into .venv, build the demo archive if absent, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - install into .venv and run the whole test suite"
	@echo "make bench  - run the benchmarks under bench/ (needs ../shared)"
	@echo "make screenshots - regenerate tests/system/img/search-*.png with Chromium"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	@touch $(STAMP)

install: $(STAMP)

$(DATA)/archive.sqlite3: | $(STAMP)
	$(BIN)/vnarchive ingest corpus/sample --data-dir $(DATA)

demo: $(DATA)/archive.sqlite3

run: install demo
	$(BIN)/vnarchive serve --data-dir $(DATA) --port $(PORT)

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/run_all.py

screenshots: install
	$(BIN)/python tests/system/screenshots.py

clean-data:
	rm -rf $(DATA)
