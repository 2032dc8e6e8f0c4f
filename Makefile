# Build, test and demo entry points. CI runs `make test` through .ci/run.

CARGO    ?= cargo
BIN      := target/release/csprefix
FIXTURE  ?= fixtures/svelte-vite2
DEMO_OUT ?= target/demo/client

.PHONY: help build demo test setup unit lint real-input e2e app-test container-test fuzz fixtures expected bench bench-memory ci

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

build: ## build the rewriter (release)
	$(CARGO) build --release --locked

demo: build ## rewrite the bundled fixture client into target/demo/client
	$(BIN) rewrite $(FIXTURE)/dist/client -o $(DEMO_OUT) --replace

expected: build ## regenerate fixtures/*/expected (the rewritten trees CI diffs against)
	@for d in fixtures/*/dist/client; do f=$${d%/dist/client}; \
	  $(BIN) rewrite $$d -o $$f/expected --replace -q && echo "wrote $$f/expected"; done

setup: ## install the Debian packages the tests need (each suite installs its own npm packages)
	bash scripts/setup.sh

unit: build ## Rust unit and CLI tests
	$(CARGO) test --release --locked

lint: ## rustfmt and clippy, warnings denied
	$(CARGO) fmt --check
	$(CARGO) clippy --release --locked --all-targets -- -D warnings

real-input: build ## rewrite and audit a real public client (downloaded, pinned)
	bash scripts/real-input.sh

bench: build ## speed and memory on a >50 MB input (prints figures)
	bash scripts/real-input.sh >/dev/null
	$(CARGO) bench --locked --bench rewrite

bench-memory: build ## rewrite the bench input under a hard memory limit (root, cgroups; LIMIT_MIB=256)
	bash scripts/memory-limit.sh $(or $(LIMIT_MIB),256) 1 2

test: setup lint unit real-input ## every test: what CI runs
	@set -e; for t in fuzz e2e app-test container-test; do \
	  if grep -qE "^$$t:" $(MAKEFILE_LIST); then $(MAKE) --no-print-directory $$t; fi; \
	done

ci: ## replay CI exactly
	bash .ci/run

-include fixtures/fixtures.mk
-include e2e/e2e.mk
-include ood-app/app.mk
-include container/container.mk
-include fuzz/fuzz.mk
