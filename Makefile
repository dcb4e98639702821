# Volle Gym: `make demo` to try it, `make test` to test it. Each target sets up .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench lighthouse clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vollegym demo

test: $(STAMP)
	scripts/run-tests $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy vollegym bench
	DEBUG=1 $(BIN)/vollegym makemigrations --check --dry-run

bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) || \
		(echo "make bench needs wrk: apt-get install wrk" && exit 1)
	$(BIN)/python bench/run.py $(ARGS)

lighthouse: $(STAMP)
	$(BIN)/python scripts/lighthouse.py

clean:
	rm -rf $(VENV) var/static
