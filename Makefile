# digits: every target sets up what it needs (a pinned .venv, verified MNIST) before it runs.
# The Pythons TensorFlow 2.21 has wheels for (pyproject's requires-python), newest first. make
# uses the newest one that runs (a pyenv shim for a version that is not active does not);
# `make PYTHON=/path/to/python3.12 lab` chooses another.
SUPPORTED_PYTHONS := 3.13 3.12 3.11
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(foreach v,$(SUPPORTED_PYTHONS),$(shell python$(v) -c '' >/dev/null 2>&1 && echo python$(v))))
endif
# Empty when $(PYTHON) does not run or is not a supported version.
PYTHON_VERSION := $(if $(PYTHON),$(shell $(PYTHON) -c 'import sys; v = sys.version_info[:2]; print(*v, sep=".") if (3, 11) <= v <= (3, 13) else None' 2>/dev/null | grep -v None))
HOST ?= 127.0.0.1
PORT ?= 8888
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)-py$(PYTHON_VERSION)
PYTEST_TIMEOUT ?= 1200
NBVAL_CELL_TIMEOUT ?= 600

.PHONY: setup data lab test test-e2e lint model bench bench-train bench-augment bench-deslant bench-predict bench-explain \
	bench-photos bench-crops bench-strings bench-unsure bench-start notebooks app web clean

$(STAMP): requirements.lock pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "digits needs Python 3.11, 3.12 or 3.13 (the versions TensorFlow 2.21 supports) and found"; \
		echo "none of python3.13, python3.12, python3.11 that runs. Install one (python.org, your"; \
		echo "package manager, pyenv), or name it: make PYTHON=/path/to/python3.13 lab"; exit 1; \
	elif [ -z "$(PYTHON_VERSION)" ]; then \
		echo "$(PYTHON) is not Python 3.11, 3.12 or 3.13 (the versions TensorFlow 2.21 supports):"; \
		echo "name another with make PYTHON=/path/to/python3.13 lab"; exit 1; \
	fi
	@echo "Setting up $(VENV) with Python $(PYTHON_VERSION): downloading $$(grep '==' requirements.lock | grep -vc '== "darwin"\|== "win32"\|== "nt"') pinned packages (TensorFlow, JupyterLab, ...), roughly half a gigabyte (2.4 GB installed); needs the network, takes a few minutes"
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --no-deps -r requirements.lock
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

setup: $(STAMP)

data: setup
	$(BIN)/python -m digitlib data

## The main job: JupyterLab on the notebooks. Once it answers, it prints the address to open
## (with the token that lets you in) and opens a browser where there is a desktop to show one.
lab: data
	$(BIN)/python -m digitlib.serve lab --host $(HOST) --port $(PORT)

## The tests: lint, unit tests, end-to-end tests and nbval over the notebooks, in fast mode,
## with the committed model (not a model you trained in notebook 04).
test: data lint
	DIGITS_FAST=1 DIGITS_MODEL=committed $(BIN)/python -m pytest tests notebooks --nbval-lax \
		--nbval-cell-timeout=$(NBVAL_CELL_TIMEOUT) --timeout=$(PYTEST_TIMEOUT)

test-e2e: data
	DIGITS_FAST=1 DIGITS_MODEL=committed $(BIN)/python -m pytest tests/e2e --timeout=$(PYTEST_TIMEOUT)

lint: setup
	$(BIN)/ruff check digitlib benchmarks tests notebooks

## Train the committed model again (models/mnist_cnn.keras and its card): the only command
## that replaces them. `python -m digitlib train` alone trains your own, untracked model.
model: data
	$(BIN)/python -m digitlib train --output committed --distil

bench: bench-train bench-predict bench-start bench-explain bench-photos bench-crops bench-strings bench-unsure

bench-train: data
	$(BIN)/python -m benchmarks.train

## Does slant and stroke augmentation help? Two quick-recipe runs, scored on validation only.
bench-augment: data
	$(BIN)/python -m benchmarks.augment

## How far may a digit lean before to_mnist stands it up? Chosen on validation digits.
bench-deslant: data
	$(BIN)/python -m benchmarks.deslant

bench-predict: data
	$(BIN)/python -m benchmarks.predict

bench-explain: data
	$(BIN)/python -m benchmarks.explain

## Cold start reading one digit (CLI, the way before the ONNX copies, import tensorflow, Tk app).
bench-start: data
	$(BIN)/python -m benchmarks.start

## Photos and scans of paper: accuracy on generated photos, and a 12-MP photo's time.
bench-photos: data
	$(BIN)/python -m benchmarks.photos

## Digits cropped tight from scans and screenshots, next to two peer pipelines on the same model.
bench-crops: data
	$(BIN)/python -m benchmarks.crops

## Numbers whose digits touch, read by the string reader and the reader before it.
bench-strings: data
	$(BIN)/python -m benchmarks.strings

## Non-digit drawings marked unsure, and MNIST test digits wrongly so: today's rule and the new one.
bench-unsure: data
	$(BIN)/python -m benchmarks.unsure

## Re-execute the notebooks headless in full mode and write them back with outputs (as JupyterLab
## saves them, with a placeholder where a widget appears: digitlib.teaching.notebook_files). Notebooks
## 05-07 use the committed model, so the saved outputs agree with it and its card; notebook 04
## trains (and replaces) your untracked models/mnist_cnn_mine.keras, never a tracked file.
notebooks: data
	DIGITS_FAST=0 DIGITS_MODEL=committed $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=1800 notebooks/0*.ipynb
	$(BIN)/python -m digitlib.teaching.notebook_files notebooks/0*.ipynb

app: data
	$(BIN)/python -m digitlib app

## The standalone pad page (web/pad.ipynb through Voilà): the address is printed as for lab.
web: data
	$(BIN)/python -m digitlib.serve web --host $(HOST) --port $(PORT)

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
