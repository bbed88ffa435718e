# jazzsolo: `make demo` hears a solo, `make test` runs every check.  Both start from a bare clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
COURSE_MODEL_DIR := output/course-model

.PHONY: demo test bench install install-test system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

# FluidSynth's library (Debian libfluidsynth3) renders WAVs with real instruments (without it they
# fall back to sine tones); fluid-soundfont-gm gives them the fuller FluidR3_GM SoundFont (else
# pretty_midi's small TimGM6mb.sf2 plays); ffmpeg encodes MP3s.  Each is installed only when
# missing, checked on every demo/test run (order-only: no reinstall).  Debian's chromium runs the
# practice room's browser tests (Playwright drives it; `playwright install` is never needed).
SYSTEM_SOUNDFONT := /usr/share/sounds/sf2/FluidR3_GM.sf2
system-deps:
	@missing=""; \
	ldconfig -p 2>/dev/null | grep -q libfluidsynth || missing="$$missing libfluidsynth3"; \
	test -f $(SYSTEM_SOUNDFONT) || missing="$$missing fluid-soundfont-gm"; \
	command -v ffmpeg >/dev/null 2>&1 || missing="$$missing ffmpeg"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; } || \
		echo "warning: could not install$$missing; WAVs fall back to sine tones or the small SoundFont, MP3s need ffmpeg, the browser tests need chromium" >&2; \
	fi

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.txt | system-deps
	$(BIN)/pip install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Trains the course model on the Metheny tune into output/course-model when the tune is there and
# no model exists yet, and plays it by that name (without the tune, the course model shipped in
# the package plays the tune's chords); then the default model, wjazzd (the note model learned
# from the Weimar Jazz Database), plays two choruses of blues.  MIDI, WAV and MusicXML go to
# output/demo/; a trained model plays only when named, so nothing here changes what a plain
# `jazzsolo generate` plays.
demo: install
	@if [ ! -f $(COURSE_MODEL_DIR)/config.json ] && $(BIN)/python -c \
		"from jazzsolo.ingest.preprocess import find_training_midi; find_training_midi()" 2>/dev/null; then \
		$(BIN)/jazzsolo train --output_dir $(COURSE_MODEL_DIR) --epochs 100 --overwrite; fi
	$(BIN)/jazzsolo generate --model $$(test -f $(COURSE_MODEL_DIR)/config.json && echo $(COURSE_MODEL_DIR) || echo course) \
		--output_dir output/demo --seed 0 --wav --overwrite
	$(BIN)/jazzsolo generate --output_dir output/demo --progression blues --choruses 2 \
		--seed 1 --wav --musicxml --overwrite

test: install-test
	$(BIN)/ruff check jazzsolo tests scripts bench
	$(BIN)/python -m pytest --durations=15

# The fast paths beside the course's, measured in one run (~12 min; not part of `make test`).
# Prints a Markdown table and writes bench/results/latest.json.
bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(COURSE_MODEL_DIR) output/demo output/readme
