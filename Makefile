# Everything installs from uv.lock into .venv. Needs only python3 (3.11+), pip and make:
# when uv is not on PATH it is bootstrapped with pip into .tools/.
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
# uv must use the machine's Python, never download one. --compile-bytecode: every newsroom
# process (CLI, Prefect server, workers) would otherwise compile its imports from source on
# each start when PYTHONDONTWRITEBYTECODE is set (measured: benchmarks/RESULTS.md).
export UV_PYTHON_DOWNLOADS := never

UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif

.PHONY: help install run test bench clean

help:  ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced  ## Create .venv from uv.lock

run: install  ## Ingest seeds/ into warehouse/ and print a summary
	$(VENV)/bin/newsroom run seeds/

test: install  ## Run the whole test suite
	$(VENV)/bin/python -m pytest

bench: install  ## Benchmark the pipeline on the throughput corpus (BENCH_ARGS=--quick: 300 pages)
	$(VENV)/bin/python benchmarks/bench_pipeline.py $(BENCH_ARGS)

clean:  ## Remove the environment and the generated warehouse (keeps warehouse/README.md)
	rm -rf $(VENV) .tools .pytest_cache
	find warehouse -mindepth 1 ! -name README.md -exec rm -rf {} +
