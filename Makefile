# digits: every target sets up what it needs (a pinned .venv, verified MNIST) before it runs.
PYTHON ?= python3.11
HOST ?= 127.0.0.1
PORT ?= 8888
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_TIMEOUT ?= 1200
NBVAL_CELL_TIMEOUT ?= 600
# TensorFlow's C++ start-up notes stay out of notebooks even when keras is imported before
# digitlib (which sets the same).
export TF_CPP_MIN_LOG_LEVEL ?= 1

.PHONY: setup data lab test test-e2e lint model bench bench-train bench-predict bench-strings notebooks app web clean

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: install it, or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.lock
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --no-deps --no-build-isolation -e .
	touch $@

setup: $(STAMP)

data: setup
	$(BIN)/python -m digitlib data

## The main job: JupyterLab on the notebooks.
lab: data
	@echo "Opening JupyterLab on http://$(HOST):$(PORT)/lab  (stop with Ctrl-C)"
	$(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.ip=$(HOST) --ServerApp.port=$(PORT) \
		--no-browser --allow-root

## The tests: lint, unit tests, end-to-end tests and nbval over the notebooks, in fast mode,
## with the committed model (not a model you trained in notebook 04).
test: data lint
	DIGITS_FAST=1 DIGITS_MODEL=committed $(BIN)/python -m pytest tests notebooks --nbval-lax \
		--nbval-cell-timeout=$(NBVAL_CELL_TIMEOUT) --timeout=$(PYTEST_TIMEOUT)

test-e2e: data
	DIGITS_FAST=1 DIGITS_MODEL=committed $(BIN)/python -m pytest tests/e2e --timeout=$(PYTEST_TIMEOUT)

lint: setup
	$(BIN)/ruff check digitlib tests notebooks

## Train the committed model again (models/mnist_cnn.keras and its card): the only command
## that replaces them. `python -m digitlib train` alone trains your own, untracked model.
model: data
	$(BIN)/python -m digitlib train --output committed

bench: bench-train bench-predict

bench-train: data
	$(BIN)/python -m digitlib.bench train

bench-predict: data
	$(BIN)/python -m digitlib.bench predict

## Numbers whose digits touch, read by the string reader and the reader before it.
bench-strings: data
	$(BIN)/python -m digitlib.bench strings

## Re-execute the notebooks headless in full mode and write them back with outputs. Notebooks
## 05-07 use the committed model, so the saved outputs agree with it and its card; notebook 04
## trains (and replaces) your untracked models/mnist_cnn_mine.keras, never a tracked file.
notebooks: data
	DIGITS_FAST=0 DIGITS_MODEL=committed $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=1800 notebooks/0*.ipynb

app: data
	$(BIN)/python -m digitlib.tk_app

web: data
	@echo "Serving notebook 06 on http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	$(BIN)/voila notebooks/06_draw_and_predict.ipynb --Voila.ip=$(HOST) --port=$(PORT) --no-browser

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
