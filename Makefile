# jazzsolo: `make demo` hears a solo, `make test` runs every check.  Both start from a bare clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODEL_DIR := output/model

.PHONY: demo test install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.txt
	$(BIN)/pip install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

demo: install
	@if [ ! -f $(MODEL_DIR)/weights.npz ]; then \
		$(BIN)/jazzsolo train --output_dir $(MODEL_DIR) --epochs 100; fi
	$(BIN)/jazzsolo generate --model $(MODEL_DIR) --output_dir output --seed 0 --overwrite

test: install-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) output/model output/*.mid output/*.midi
