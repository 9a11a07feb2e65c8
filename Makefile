# basekv: `make serve` and `make test` set up everything they need on a fresh machine.
DENO := $(shell command -v deno 2>/dev/null || echo node_modules/.bin/deno)
ARGS ?=
# package.json only pins the Deno binary for npm; Deno itself must not try to install it.
export DENO_NO_PACKAGE_JSON := 1
# The test-only npm clients are mapped and locked apart from the server's (nothing to fetch to serve).
TEST_IMPORTS := --import-map=tests/import_map.json --lock=tests/deno.lock

.PHONY: serve test test-huge deps test-deps check fmt lint bench fuzz crash soak compile bundle clean

node_modules/.bin/deno: package.json package-lock.json
	npm install --no-audit --no-fund
	@touch $@

deps: node_modules/.bin/deno

serve: deps
	$(DENO) task serve $(ARGS)

test-deps: deps
	bash scripts/test-deps.sh

test: test-deps
	$(DENO) task test

# The 1,000,000-member collection tests (make test builds 100,000-member ones).
test-huge: test-deps
	BASEKV_HUGE=1 $(DENO) test -A $(TEST_IMPORTS) --filter "member|element" tests/resp/

check: deps
	$(DENO) fmt --check
	$(DENO) lint
	$(DENO) task check

fmt: deps
	$(DENO) fmt

bench: test-deps
	$(DENO) task bench $(ARGS)

# The fuzz tests at length (make test runs them briefly): FUZZ_RUNS properties runs each.
FUZZ_RUNS ?= 20000
fuzz: deps
	BASEKV_FUZZ_RUNS=$(FUZZ_RUNS) $(DENO) test -A $(TEST_IMPORTS) tests/fuzz/

# The crash test at length (make test kills three times).
CRASH_KILLS ?= 20
crash: test-deps
	BASEKV_CRASH_KILLS=$(CRASH_KILLS) $(DENO) test -A $(TEST_IMPORTS) tests/crash/

# The soak at length (make test runs it for 30 s): SOAK_SECONDS of mixed load on all three
# protocols; CSV and PNG chart in bench/results/soak/.
SOAK_SECONDS ?= 600
soak: test-deps
	BASEKV_SOAK_SECONDS=$(SOAK_SECONDS) $(DENO) test -A $(TEST_IMPORTS) tests/soak/

# Needs Deno's denort runtime: set DENORT_BIN, or have it in $DENO_DIR/dl/release/v<ver>/, or a
# network that reaches Deno's download host. deno's own error is shown as it is (without a Rust
# backtrace); the hint is added only when getting the runtime was what failed.
compile: deps
	@log=$$(mktemp); RUST_BACKTRACE=0 $(DENO) task compile 2>"$$log"; status=$$?; cat "$$log" >&2; \
	if [ $$status -ne 0 ] && grep -q 'Setting up base binary' "$$log"; then \
	  echo "make compile: deno compile could not get Deno's denort runtime (above);" \
	    "set DENORT_BIN=/path/to/denort (see README, Building)" >&2; fi; \
	rm -f "$$log"; exit $$status

bundle: deps
	$(DENO) task bundle

clean:
	rm -rf dist basekv
