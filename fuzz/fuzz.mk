# Coverage-guided fuzzing of the four readers with cargo fuzz (libFuzzer).
# Included by the top-level Makefile. The targets call the checks in
# src/invariants.rs; an input that breaks one is written to
# fuzz/artifacts/<target>/ and belongs in fuzz/regressions/<target>/, which
# `make unit` replays.
#
# `make fuzz` is the short, repeatable run CI does: a fixed seed and a fixed
# number of inputs per target. `make fuzz-long FUZZ_SECONDS=1800` explores.

CARGO_FUZZ_VERSION ?= 0.13.2
FUZZ_TARGETS ?= js css html manifest
FUZZ_SEED    ?= 20261204
FUZZ_RUNS    ?= 20000
FUZZ_SECONDS ?= 600
# Sanitizers need a nightly compiler; without one the targets still get
# coverage instrumentation, and every check of src/invariants.rs runs.
FUZZ_FLAGS   ?= --sanitizer none --release
FUZZ_LOGS    := target/fuzz
# What libFuzzer prints that is worth keeping in a CI log.
FUZZ_SHOW    := '^(\#[0-9]+.*DONE|Done|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb))|panicked|SUMMARY|^artifact_prefix'

.PHONY: fuzz fuzz-long fuzz-tools

fuzz-tools:
	@command -v cargo-fuzz >/dev/null || \
	  $(CARGO) install cargo-fuzz --locked --version $(CARGO_FUZZ_VERSION)

# $(1): libFuzzer options that decide how long each target runs; $(2): the
# corpus folder, seeded from the fixtures first.
define fuzz_each
	@mkdir -p $(FUZZ_LOGS); bash fuzz/seed.sh $(2)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  log=$(FUZZ_LOGS)/$$t.log; echo "fuzz $$t: $(1)"; \
	  if (cd fuzz && $(CARGO) fuzz run $(FUZZ_FLAGS) $$t $(2)/$$t -- $(1) \
	      -dict=dict/$$t.dict -max_len=65536 -timeout=30 -rss_limit_mb=4096 \
	      -print_final_stats=1) >$$log 2>&1; then \
	    grep -aE $(FUZZ_SHOW) $$log | sed 's/^/  /'; \
	  else \
	    grep -a -A6 panicked $$log | cut -c1-300 | head -n 30; \
	    grep -aE '^(SUMMARY|Test unit written)|Running .*artifact' $$log | cut -c1-300; \
	    echo "fuzz $$t FAILED (full log: $$log)"; exit 1; \
	  fi; \
	done
endef

# The short run starts from the seeds alone every time, so that it repeats.
fuzz: fuzz-tools ## short fuzz run of the JS, CSS, HTML and JSON readers (fixed seed)
	@rm -rf $(FUZZ_LOGS)/corpus
	$(call fuzz_each,-seed=$(FUZZ_SEED) -runs=$(FUZZ_RUNS),$(CURDIR)/$(FUZZ_LOGS)/corpus)

# The long run keeps its corpus in fuzz/corpus and goes on from it.
fuzz-long: fuzz-tools ## long fuzz run, FUZZ_SECONDS per target (default 600)
	$(call fuzz_each,-max_total_time=$(FUZZ_SECONDS),$(CURDIR)/fuzz/corpus)
