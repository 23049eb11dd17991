# ---- sanitizers -------------------------------------------------------------------------------
# make asan / ubsan: every unit test suite and busbench verify, built with AddressSanitizer+UBSan
# (LeakSanitizer included) or UBSan alone; make tsan: see below. Each has its own build folder
# (build/asan, build/ubsan, build/tsan); any report is fatal. The tests that run
# the command (badinput, render) run the sanitized busbench beside the tests. SAN_TESTS narrows
# the suites (a Criterion --filter pattern): every suite but the gate test that runs busbench
# under valgrind (valgrind cannot run a sanitized binary). Criterion's runner itself crashes under
# ThreadSanitizer (in libcriterion, before any test), so tsan runs busbench verify instead: every
# parallel strategy at 2, 3 and 8 threads, blocks 64 and 512, unpinned and pinned, on every golden
# workload, bit for bit. `make check` (and so `make test`) runs asan-quick: the core, strategy, fault, limit
# and bad-input suites under ASan+UBSan (all but the long strategies x threads x blocks matrix,
# which `make asan` runs), and tsan-quick (below). ASAN_QUICK=0 / TSAN_QUICK=0 skip them.
# GCC's -fsanitize=undefined leaves out float-cast-overflow (a pattern's value converted to an
# integer out of range: added) and float-divide-by-zero (IEEE 754 defines it: the graph's `/` may
# divide by 0 and give inf, as the semantics say), and bounds-strict (not used)
SAN_UB    := undefined,float-cast-overflow
SAN_ASAN  := -fsanitize=address,$(SAN_UB) -fno-sanitize-recover=$(SAN_UB) -fno-omit-frame-pointer
SAN_UBSAN := -fsanitize=$(SAN_UB) -fno-sanitize-recover=$(SAN_UB) -fno-omit-frame-pointer
SAN_TSAN  := -fsanitize=thread
SAN_OPT   ?= -O2 -g
SAN_TESTS ?= !(compare/gate_passes*)
SAN_VERIFY ?= 1
ASAN_QUICK ?= 1
# TSAN_STRATEGIES empty: every strategy of the registry (busbench strategies) but serial, which hands
# nothing to the pool, so that a new strategy is checked without another edit
TSAN_STRATEGIES ?=
TSAN_VERIFY := --threads 2,3,8 --blocks 64,512 --pins none,compact
# tsan-quick (in make check): the strategies that hand work to the pool, on the workloads with
# the most requests, a reload and nested work; TSAN_QUICK=0 skips it
TSAN_QUICK ?= 1
# (every strategy that hands work to the pool, batch windows and lanes included) and the pool's stress program
TSAN_QUICK_VERIFY := --threads 2,3 --blocks 64 --pins none --workloads q,chords,reload
# A read of heap bytes never written (malloc, realloc) gives what ASan filled them with: 0x7f in
# every byte of the first MiB (ASan's default: 0xbe in the first 4 KiB), so an int64 read is huge and
# positive, a float 3.4e38, a pointer invalid, the same on every run: a read one past the written
# part of an array changes what a test sees (render: a reload tail adds nothing past its last voice)
SAN_FILL := malloc_fill_byte=127:max_malloc_fill_size=1048576
ASAN_QUICK_TESTS := @(@(rat|math|dsp|pat|mini|ph|kit|wav|render|faults|limits|badinput|anchors)/*|strategies/!(same_bytes_as_serial*))
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1:$(SAN_FILL) \
           LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
           TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 BUSBENCH=$(BIN)
.PHONY: asan ubsan tsan asan-quick tsan-quick san-check tsan-check
asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN="$(SAN_ASAN)" OPT="$(SAN_OPT)" san-check
ubsan:
	@$(MAKE) --no-print-directory BUILD=build/ubsan SAN="$(SAN_UBSAN)" OPT="$(SAN_OPT)" san-check
tsan:
	@$(MAKE) --no-print-directory BUILD=build/tsan SAN="$(SAN_TSAN)" OPT="$(SAN_OPT)" tsan-check
tsan-quick:
	@if [ "$(TSAN_QUICK)" != 0 ]; then $(MAKE) --no-print-directory BUILD=build/tsan SAN="$(SAN_TSAN)" OPT="$(SAN_OPT)" \
	  TSAN_VERIFY="$(TSAN_QUICK_VERIFY)" tsan-check; fi
asan-quick:
	@if [ "$(ASAN_QUICK)" != 0 ]; then $(MAKE) --no-print-directory BUILD=build/asan SAN="$(SAN_ASAN)" OPT="$(SAN_OPT)" \
	  SAN_TESTS='$(ASAN_QUICK_TESTS)' SAN_VERIFY=0 san-check; fi
san-check: $(BIN) $(TESTBIN)
	@echo "san-check: $(BUILD): $(if $(SAN_TESTS),suites $(SAN_TESTS),every suite)"
	$(call say,TEST,$(TESTBIN))$(SAN_ENV) $(TESTBIN) --jobs 2 $(if $(SAN_TESTS),--filter '$(SAN_TESTS)')
	@if [ "$(SAN_VERIFY)" = 1 ] && [ -f golden/manifest.tsv ]; then \
	  $(SAN_ENV) $(BIN) verify --golden golden --threads 1,2 --blocks 512 --pins none; fi
tsan-check: $(BIN) $(BUILD)/tsan_pool
	$(call say,TEST,$(BUILD)/tsan_pool)$(SAN_ENV) $(BUILD)/tsan_pool
	$(Q)strategies=$(or $(TSAN_STRATEGIES),$$($(BIN) strategies | grep -vx serial | paste -sd, -)); \
	  $(if $(Q),printf '  %-6s %s\n' VERIFY "$(BIN) --strategies $$strategies $(TSAN_VERIFY)";) \
	  $(SAN_ENV) $(BIN) verify --golden golden --strategies $$strategies $(TSAN_VERIFY)
# the worker pool's stress (tests/bb_poolstress.h) as a plain program: Criterion's runner does not run under TSan
$(BUILD)/tsan_pool: tests/tsan_pool.c $(LIB)
	$(call say,LD,$@)$(CC) $(BB_CFLAGS) $(PKG_CFLAGS) $(CFLAGS) -Itests -o $@ $^ $(LDLIBS)
