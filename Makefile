# busbench - one non-recursive Makefile.
#
#   make            build build/busbench and build/libbusbench.a
#   make test       install what is missing, build with warnings as errors, run every suite
#   make report     install what is missing, build, bench the bundled workloads, write reports/latest/
#   make deps       install missing Debian packages (apt-get), nothing when all are present
#   make clean      remove build/
#   make install PREFIX=/usr/local
#
# test and report first run `deps`, then re-invoke make so that pkg-config sees the
# freshly installed libraries (the flags below are computed when make reads this file).

PREFIX   ?= /usr/local
CC       ?= cc
BUILD    ?= build
PKG_CONFIG ?= pkg-config

DEB_PKGS := build-essential pkg-config libsndfile1-dev libhwloc-dev hwloc libcriterion-dev gnuplot-nox \
            libssl-dev libjansson-dev valgrind python3-junitparser cmark-gfm \
            jackd2 libjack-jackd2-dev

WARN     := -Wall -Wextra -Wconversion -Wdouble-promotion -Wshadow -Werror
OPT      ?= -O2 -g
SAN      ?=
CFLAGS   ?=
# GCC's vectoriser cost model (the lanes and the element-wise loops); clang has no such flag
VECT_FLAGS := $(shell $(CC) -fvect-cost-model=dynamic -E -x c /dev/null >/dev/null 2>&1 && echo -fvect-cost-model=dynamic)
# clang warns (-Wpsabi) that the width-8 kernels take 256-bit vectors without AVX: they are
# always inlined (KINL, core/bb_kernel.h) into functions cloned for AVX2, so no vector crosses a call
VECT_FLAGS += $(shell $(CC) --version 2>/dev/null | grep -q clang && echo -Wno-psabi)
BB_CFLAGS := -std=c11 $(OPT) $(WARN) -ffp-contract=off -fno-fast-math $(VECT_FLAGS) -pthread \
             -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Icore -Ivariants -Iharness $(SAN)
PKGS     := sndfile hwloc libcrypto jansson jack
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CRIT_CFLAGS := $(shell $(PKG_CONFIG) --cflags criterion 2>/dev/null)
CRIT_LIBS   := $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null)
LDLIBS   := $(PKG_LIBS) -lm -pthread $(SAN)

CORE_SRC := $(wildcard core/*.c)
VAR_SRC  := $(wildcard variants/*.c)
HAR_SRC  := $(filter-out harness/main.c,$(wildcard harness/*.c))
TEST_SRC := $(wildcard tests/test_*.c)
DT_SRC   := tests/difftest/bb_gen.c tests/difftest/bb_difftest.c

LIB      := $(BUILD)/libbusbench.a
BIN      := $(BUILD)/busbench
TESTBIN  := $(BUILD)/unit-tests

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

.PHONY: all deps test check report clean install bench-core bench-strategies bench-load bench-scaling verify bless asan ubsan tsan
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BB_CFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BB_CFLAGS) $(PKG_CFLAGS) $(CRIT_CFLAGS) $(CFLAGS) -Itests -Itests/difftest -MMD -MP -c $< -o $@

# Build identity that `busbench bench` records in its results: the git commit
# ("-dirty" when tracked files differ from it), its commit date (busbench history orders
# results by it) and the compile command. Only
# bb_cmd_bench.o sees them, and it is rebuilt only when the stamp's text changes.
# GIT_OPTIONAL_LOCKS=0: asking must never take the index lock from a committer.
BB_GIT_COMMIT := $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) || c=unknown; \
                   [ "$$c" = unknown ] || [ -z "$$(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no 2>/dev/null)" ] || c="$$c-dirty"; \
                   echo "$$c")
BB_GIT_DATE := $(shell GIT_OPTIONAL_LOCKS=0 git log -1 --format=%cI 2>/dev/null || echo unknown)
BB_BUILD_FLAGS := $(CC) $(BB_CFLAGS) $(CFLAGS)
$(BUILD)/buildinfo.stamp: FORCE
	@mkdir -p $(dir $@); echo '$(BB_GIT_COMMIT) $(BB_GIT_DATE) $(BB_BUILD_FLAGS)' | cmp -s - $@ 2>/dev/null || \
	  echo '$(BB_GIT_COMMIT) $(BB_GIT_DATE) $(BB_BUILD_FLAGS)' > $@
$(BUILD)/harness/bb_cmd_bench.o: $(BUILD)/buildinfo.stamp
$(BUILD)/harness/bb_cmd_bench.o: BB_CFLAGS += -DBB_GIT_COMMIT='"$(BB_GIT_COMMIT)"' -DBB_GIT_DATE='"$(BB_GIT_DATE)"' \
                                             -DBB_BUILD_FLAGS='"$(BB_BUILD_FLAGS)"'
.PHONY: FORCE
FORCE:

$(LIB): $(call obj,$(CORE_SRC) $(VAR_SRC) $(HAR_SRC))
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(call obj,harness/main.c) $(LIB)
	$(CC) $(BB_CFLAGS) -o $@ $^ $(LDLIBS)

$(TESTBIN): $(call obj,$(TEST_SRC) $(DT_SRC)) $(LIB)
	$(CC) $(BB_CFLAGS) -o $@ $^ $(CRIT_LIBS) $(LDLIBS)

# Debian packages, installed only when absent (a fresh machine's lists may be empty).
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The test command of the README: deps, then a fresh make that sees them.
# Suite slurm runs the Slurm example on a private single-node cluster (tests/slurm/cluster.sh):
# Debian's daemons, installed for the tests only.
SLURM_DEB_PKGS := munge slurmctld slurmd slurm-client
test: deps
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(SLURM_DEB_PKGS)"
	@$(MAKE) --no-print-directory check

check: $(BIN) $(TESTBIN)
	$(TESTBIN) --jobs 2
	@$(MAKE) --no-print-directory verify
	@$(MAKE) --no-print-directory gate
	@$(MAKE) --no-print-directory asan-quick
	@$(MAKE) --no-print-directory tsan-quick
	@$(MAKE) --no-print-directory fuzz-regress

verify: $(BIN)
	@if [ -f golden/manifest.tsv ]; then $(BIN) verify --golden golden; else echo "verify: no golden corpus yet"; fi

# An independent renderer written from core/SEMANTICS.md alone (tests/semantics/ref_render.py)
# against the goldens and the q-like score: max |diff| per program, exit 1 at 1e-4 or more.
# Not part of make test (about a minute). Needs Debian's python3-numpy (installed when missing).
SEMANTICS_PROGRAMS ?= chords static qlike noise continuous samples reload
semantics-check: $(BIN)
	@/usr/bin/python3 -c 'import numpy' 2>/dev/null || apt-get install -y python3-numpy
	$(BIN) render tests/bench/qlike.ph -o build/semantics-qlike.wav --cycles 4
	/usr/bin/python3 tests/semantics/ref_render.py --golden-dir golden --qlike build/semantics-qlike.wav $(SEMANTICS_PROGRAMS)

.PHONY: semantics-check

# The only way golden files change: re-render golden/ with serial, show what changed, rewrite
# the WAVs and golden/manifest.tsv atomically. Refuses when git reports uncommitted changes
# under golden/ or the sources, unless FORCE=1.
bless: $(BIN)
	$(BIN) bless --golden golden $(if $(filter-out 0,$(FORCE)),--force)

report: deps
	@$(MAKE) --no-print-directory report-run

# A wrong render makes bench exit 1: the report is still written (it lists the
# failures), then make fails with bench's status.
# Then the capacity of q under all at 1 thread and at the default (the cores the affinity mask
# allows), in the report's Capacity table (REPORT_CAPACITY=0 leaves it out).
REPORT_CAPACITY ?= 1
CAPACITY_FLAGS ?= --strategy all --quiet
report-run: $(BIN)
	@$(BIN) bench --out $(BUILD)/results.json --csv $(BUILD)/results.csv; st=$$?; \
	  if [ $$st -gt 1 ]; then exit $$st; fi; caps=""; \
	  if [ "$(REPORT_CAPACITY)" != 0 ]; then \
	    max=$$($(BIN) topo 2>/dev/null | awk '/^default threads/ {print $$3}'); \
	    for t in 1 $$max; do [ "$$t" = 1 ] && [ -n "$$caps" ] && continue; \
	      $(BIN) capacity golden/q.ph $(CAPACITY_FLAGS) --threads $$t --out $(BUILD)/capacity-q-$$t.json || exit $$?; \
	      caps="$$caps --capacity $(BUILD)/capacity-q-$$t.json"; done; fi; \
	  $(BIN) report $(BUILD)/results.json -o reports/latest $$caps || exit $$?; exit $$st

# Benchmarks (not tests): tables of timings and counters, every render checked
# against serial. bench-core: serial only; bench-strategies: every strategy at 1
# and 2 threads.
BENCH_CYCLES ?= 64
BENCH_REPS ?= 5
bench-core: $(BIN)
	harness/scripts/bench-matrix.sh $(BIN) $(BENCH_CYCLES) $(BENCH_REPS) "serial" "1" tests/bench/qlike.ph golden/q.ph

bench-strategies: $(BIN)
	harness/scripts/bench-matrix.sh $(BIN) $(BENCH_CYCLES) $(BENCH_REPS) \
	  "serial parallel cycle static pool batch all" "1 2" golden/q.ph tests/bench/qlike.ph

# bench-scaling: the runs of a many-core machine in one call (the device machine of the tool
# library, when a session has one): every strategy at 1, 2, 4, 8, 16 threads (cut to the cores),
# pinned compact and scatter, the capacity of q at 1 and the most threads, and the report, in
# $(BUILD)/scaling/ (harness/scripts/bench-scaling.sh says what each part is).
bench-scaling: $(BIN)
	harness/scripts/bench-scaling.sh $(BIN) $(BUILD)/scaling

# bench-load: the worker pool on a busy machine. One busy loop per processing unit, then
# golden/q.ph under all at 1 and 2 threads, interleaved rounds, every render checked; prints the
# medians and each 2-thread/1-thread ratio (goal: at most 1.25). BENCH_LOAD_BINS="new:build/busbench
# old:/path/to/older/busbench" puts an older build beside this one in the same run.
BENCH_LOAD_CYCLES ?= 32
BENCH_LOAD_REPS ?= 5
BENCH_LOAD_HOGS ?= 0
BENCH_LOAD_BINS ?= this:$(BIN)
bench-load: $(BIN)
	harness/scripts/bench-load.sh golden/q.ph $(BENCH_LOAD_CYCLES) $(BENCH_LOAD_REPS) all "1 2" $(BENCH_LOAD_HOGS) $(BENCH_LOAD_BINS)

# ---- the CI performance gate ------------------------------------------------------------------
# make gate      bench the gate's subset under valgrind's callgrind (instruction counts of each
#                render: deterministic at 1 thread) and compare it with $(GATE_BASELINE):
#                deterministic counters exact, instructions within 1%. No timing, so no false
#                alarms on a noisy CI machine. `make test` runs it (about 20 s).
#                GATE_BENCH_FLAGS="--extra-work 5" injects a known 5% cost (test-only): it must fail.
# make baseline  re-make $(GATE_BASELINE): the same subset timed (10 rounds) and counted, and the
#                timing noise floor of this machine (busbench calibrate) recorded in it; the old
#                baseline is replaced only when every step worked.
# make bench-gate  a benchmark, not a test: the noise floor, and how often the timing gate flags
#                5%, 10% and 20% injected slowdowns and unchanged (A/A) runs.
# phonon, static and chords: static buses; dense: a pattern-modulated (non-static) bus, ending
# mid-cycle; reload: a program switch. Threads 1 and 2: counters are exact at both, instructions
# are gated at 1 thread only.
GATE_WORKLOADS   ?= phonon,static,chords,dense,reload
GATE_STRATEGIES  ?= serial,parallel,cycle,static,pool,batch,lanes,all
GATE_THREADS     ?= 1,2
GATE_BASELINE    ?= reports/baseline.json
GATE_BENCH_FLAGS ?=
GATE_SUBSET      := --workloads $(GATE_WORKLOADS) --strategies $(GATE_STRATEGIES) --threads $(GATE_THREADS) --pins compact
CAL_FLAGS        ?= --trials 10 --reps 10
.PHONY: gate baseline bench-gate
gate: $(BIN)
	@echo "gate: counters and instruction counts of $(GATE_WORKLOADS) x $(GATE_STRATEGIES) at threads $(GATE_THREADS) vs $(GATE_BASELINE)"
	@$(BIN) bench --metric instructions $(GATE_SUBSET) --quiet --out $(BUILD)/gate.json $(GATE_BENCH_FLAGS) && \
	  $(BIN) compare $(GATE_BASELINE) $(BUILD)/gate.json --metric instructions --quiet || \
	  { st=$$?; echo "gate: failed (exit $$st). If the extra cost is intended, re-make the baseline with" \
	    "'make baseline' and commit $(GATE_BASELINE) with the change." >&2; exit $$st; }

baseline: $(BIN)
	@mkdir -p $(dir $(GATE_BASELINE)); tmp=$(dir $(GATE_BASELINE)).baseline.json.new; rm -f $$tmp; \
	  $(BIN) bench --metric both $(GATE_SUBSET) --reps 10 --quiet --out $$tmp && \
	  $(BIN) calibrate $(GATE_SUBSET) $(CAL_FLAGS) --record $$tmp && \
	  mv -f $$tmp $(GATE_BASELINE) && echo "baseline: $(GATE_BASELINE) rewritten" || \
	  { st=$$?; rm -f $$tmp; echo "baseline: failed, $(GATE_BASELINE) left as it was" >&2; exit $$st; }

bench-gate: $(BIN)
	$(BIN) calibrate --workloads q --strategies serial --threads 1 --trials 20 --reps 10 --detect 5,10,20 \
	  --out $(BUILD)/calibration.json

clean:
	rm -rf $(BUILD)

install: $(BIN) $(LIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/busbench
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/busbench
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libbusbench.a
	install -m 644 core/*.h $(DESTDIR)$(PREFIX)/include/busbench/

# ---- fuzzing ------------------------------------------------------------------------------
# libFuzzer targets (clang, with ASan+UBSan) for the mini-notation parser + a query, the .ph
# parser + compiler, the WAV reader (over the core alone) and a differential render (serial at
# block 512 against all at block 64, bit for bit, core + variants): tests/fuzz/fuzz_*.c, built in
# $(FUZZ_BUILD). `make fuzz FUZZ_SECONDS=N` runs each target N seconds from its seed corpus
# (tests/fuzz/corpus/NAME, read-only; new inputs go to $(FUZZ_BUILD)/corpus/NAME, crashes to
# $(FUZZ_BUILD)/artifacts/). `make fuzz-regress` runs every seed once (the findings live there);
# make check (and so make test) runs it, so that the core and the strategies keep building with
# clang -Werror (the lanes' vector code is GCC/Clang) and no finding comes back.
# FUZZ_RUNS=N counts executions instead. libsndfile's MP3 decoder prints a resync note for every
# corrupt frame, so the wav target runs with stderr closed (libFuzzer keeps its own report fd).
FUZZ_TARGETS := mini ph wav render
FUZZ_BUILD   ?= build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?=
FUZZ_CC      ?= clang
# The fuzz build queries patterns with a 256x smaller event limit (bb_pat.h), so that an input the
# limit refuses (a 15-byte pattern can ask for 10^8 events) costs milliseconds, not seconds.
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
                -DBB_PAT_QUERY_EVENTS_LIMIT=4096
FUZZ_BINS     = $(patsubst %,$(BUILD)/fuzz_%,$(FUZZ_TARGETS))
FUZZ_DEB_PKGS := clang libclang-rt-14-dev
.PHONY: fuzz fuzz-build fuzz-bins fuzz-regress
# clang and its libFuzzer runtime are needed only here: installed (when missing) by the deps step
fuzz-build:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(FUZZ_DEB_PKGS)"
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-bins
fuzz-bins: $(FUZZ_BINS)
# exact rational arithmetic is all 128-bit compares in gcd loops: tracing them for the fuzzer
# took half of fuzz_mini's time and finds nothing the coverage of the callers does not
$(FUZZ_BUILD)/core/bb_rat.o: BB_CFLAGS += -fno-sanitize-coverage=trace-cmp
$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(call obj,$(CORE_SRC))
	$(CC) $(BB_CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
# the render target runs strategies too
$(BUILD)/fuzz_render: tests/fuzz/fuzz_render.c $(call obj,$(CORE_SRC) $(VAR_SRC))
	$(CC) $(BB_CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
fuzz: fuzz-build
	@mkdir -p $(FUZZ_BUILD)/artifacts; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
	  echo "fuzz_$$t: $(if $(FUZZ_RUNS),$(FUZZ_RUNS) executions,$(FUZZ_SECONDS) s)"; \
	  $(FUZZ_BUILD)/fuzz_$$t $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_SECONDS)) \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    $$( [ $$t = wav ] && echo -close_fd_mask=2 ) \
	    $$( [ -f tests/fuzz/$$t.dict ] && echo -dict=tests/fuzz/$$t.dict ) \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t || exit $$?; \
	done
fuzz-regress: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  $(FUZZ_BUILD)/fuzz_$$t -runs=0 -timeout=10 -rss_limit_mb=2048 tests/fuzz/corpus/$$t \
	    > $(FUZZ_BUILD)/regress-$$t.log 2>&1 || { tail -40 $(FUZZ_BUILD)/regress-$$t.log; exit 1; }; \
	  echo "fuzz-regress: $$t: $$(ls tests/fuzz/corpus/$$t | wc -l) inputs, no finding"; \
	done

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
TSAN_VERIFY := --strategies parallel,cycle,static,pool,batch,all --threads 2,3,8 --blocks 64,512 --pins none,compact
# tsan-quick (in make check): the strategies that hand work to the pool, on the workloads with
# the most requests, a reload and nested work; TSAN_QUICK=0 skips it
TSAN_QUICK ?= 1
# (every strategy that hands work to the pool, batch windows and lanes included) and the pool's stress program
TSAN_QUICK_VERIFY := --strategies parallel,cycle,static,pool,batch,lanes,all --threads 2,3 --blocks 64 --pins none \
                     --workloads q,chords,reload
ASAN_QUICK_TESTS := @(@(rat|math|dsp|pat|mini|ph|kit|wav|render|faults|limits|badinput|anchors)/*|strategies/!(same_bytes_as_serial*))
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1 \
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
	$(SAN_ENV) $(TESTBIN) --jobs 2 $(if $(SAN_TESTS),--filter '$(SAN_TESTS)')
	@if [ "$(SAN_VERIFY)" = 1 ] && [ -f golden/manifest.tsv ]; then \
	  $(SAN_ENV) $(BIN) verify --golden golden --threads 1,2 --blocks 512 --pins none; fi
tsan-check: $(BIN) $(BUILD)/tsan_pool
	$(SAN_ENV) $(BUILD)/tsan_pool
	$(SAN_ENV) $(BIN) verify --golden golden $(TSAN_VERIFY)
# the worker pool's stress (tests/bb_poolstress.h) as a plain program: Criterion's runner does not run under TSan
$(BUILD)/tsan_pool: tests/tsan_pool.c $(LIB)
	$(CC) $(BB_CFLAGS) $(PKG_CFLAGS) $(CFLAGS) -Itests -o $@ $^ $(LDLIBS)

# ---- generated programs ------------------------------------------------------------------------
# make difftest  the long differential campaign (not part of make test, whose difftest suite runs a
#                fixed seed): random valid programs over the whole language (tests/difftest/bb_gen.c),
#                each rendered by every strategy and composition at threads 1, 2, 3 and blocks 1, 64,
#                512 against serial, bit for bit, with the strategy-independent counters. A failing
#                program is reduced to a minimal one and kept in $(DT_CORPUS) with the command that
#                reproduces it; exit 1. Stops after N programs or SECONDS, whichever comes first.
SEED     ?= 1
N        ?= 1000000
SECONDS  ?= 600
DT_CORPUS ?= tests/difftest/corpus
.PHONY: difftest
$(BUILD)/difftest: $(call obj,$(DT_SRC) tests/difftest/difftest.c) $(LIB)
	$(CC) $(BB_CFLAGS) -o $@ $^ $(LDLIBS)
difftest: $(BUILD)/difftest
	$(BUILD)/difftest --seed $(SEED) --n $(N) --seconds $(SECONDS) --corpus $(DT_CORPUS)

# ---- mutation testing -------------------------------------------------------------------------
# make mutate    a standing mutation score (not part of make test): harness/scripts/mutate.py writes
#                MUTANTS plausible bugs (sampled with SEED) into a private copy of the tree, builds each
#                and runs a fast subset of the tests (a hang past the limit counts as caught); prints
#                killed / timeouts / survived and the survivors with file:line, JSON in $(MUTATE_JSON).
#                MUTANTS_FILE=harness/scripts/mutate-issue16.json runs a list of hand-written mutants.
#                MUTATE_SET=newer samples only the code added after mutate.py was written (lanes, run
#                bitmaps, the pipelined render, the reverb bank, the fixed-point phase, shard, merge,
#                history, capacity, JUnit). A hung mutant's whole process group is killed at the limit.
MUTANTS ?= 60
SEED ?= 1
MUTANTS_FILE ?=
MUTATE_SET ?= default
MUTATE_JSON ?= $(BUILD)/mutate.json
MUTATE_TIMEOUT ?= 240
.PHONY: mutate
mutate:
	nice -n 19 python3 harness/scripts/mutate.py --set $(MUTATE_SET) --mutants $(MUTANTS) --seed $(SEED) --json $(MUTATE_JSON) \
	  --timeout $(MUTATE_TIMEOUT) $(if $(MUTANTS_FILE),--explicit $(MUTANTS_FILE))

# ---- anchors: busbench beside Csound, scsynth, Faust and a plain C loop -------------------------
# make bench-anchors  a benchmark, not a test: installs csound, supercollider-server, faust and
#                hyperfine when missing, generates the q-like score for each engine
#                (harness/anchors/gen.py), builds the C anchors, checks every render is the same
#                music as busbench serial's (harness/anchors/anchor_check.c), then times them all
#                in ONE hyperfine run pinned to CPU $(ANCHORS_CPU), output on tmpfs, and prints each
#                median with its ratio to Csound and to busbench serial; the JSON stays in
#                $(ANCHORS_DIR)/hyperfine.json (`busbench report R.json -o D --anchors FILE`).
ANCHORS_DEB_PKGS := csound supercollider-server faust hyperfine libsndfile1-dev pkg-config
ANCHORS_DIR    ?= $(BUILD)/anchors
ANCHORS_SCORE  ?= $(firstword $(wildcard ../shared/bench/qlike.ph) tests/bench/qlike.ph)
ANCHORS_CYCLES ?= 64
ANCHORS_RUNS   ?= 10
ANCHORS_WARMUP ?= 3
ANCHORS_CPU    ?= 1
ANCHORS_TOL    ?= 5
ANCHORS_OPT    ?= $(OPT)
ANCHORS_CFLAGS := -std=c11 $(ANCHORS_OPT) $(WARN) -ffp-contract=off -fno-fast-math -D_DEFAULT_SOURCE -Iharness/anchors \
                  $(shell $(PKG_CONFIG) --cflags sndfile 2>/dev/null)
ANCHORS_LIBS   := $(shell $(PKG_CONFIG) --libs sndfile 2>/dev/null) -lm
ANCHORS_COMMON := harness/anchors/anchor_common.c harness/anchors/anchor_common.h
ANCHORS_BINS   := $(ANCHORS_DIR)/plainc $(ANCHORS_DIR)/faust_scalar $(ANCHORS_DIR)/faust_vec $(ANCHORS_DIR)/anchor_check
.PHONY: bench-anchors anchors-run anchors-bins
bench-anchors:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(ANCHORS_DEB_PKGS)"
	@$(MAKE) --no-print-directory anchors-run
anchors-bins: $(BIN) $(ANCHORS_BINS)
anchors-run: anchors-bins
	@BIN=$(BIN) ANCHORS_DIR=$(ANCHORS_DIR) ANCHORS_SCORE=$(ANCHORS_SCORE) ANCHORS_CYCLES=$(ANCHORS_CYCLES) \
	  ANCHORS_RUNS=$(ANCHORS_RUNS) ANCHORS_WARMUP=$(ANCHORS_WARMUP) ANCHORS_CPU=$(ANCHORS_CPU) \
	  ANCHORS_TOL=$(ANCHORS_TOL) harness/anchors/run.sh
$(ANCHORS_DIR)/plainc: harness/anchors/plainc.c $(ANCHORS_COMMON)
	@mkdir -p $(dir $@)
	$(CC) $(ANCHORS_CFLAGS) -o $@ $(filter %.c,$^) $(ANCHORS_LIBS)
$(ANCHORS_DIR)/anchor_check: harness/anchors/anchor_check.c
	@mkdir -p $(dir $@)
	$(CC) $(ANCHORS_CFLAGS) -o $@ $< $(ANCHORS_LIBS)
# Faust's C backend, scalar and -vec (its default vector size); the driver is built against each
$(ANCHORS_DIR)/gen-scalar/faust_voice.h: harness/anchors/voice.dsp
	@mkdir -p $(dir $@)
	faust -lang c -cn voice -o $@ $<
$(ANCHORS_DIR)/gen-vec/faust_voice.h: harness/anchors/voice.dsp
	@mkdir -p $(dir $@)
	faust -lang c -cn voice -vec -o $@ $<
$(ANCHORS_DIR)/faust_%: harness/anchors/faust_driver.c $(ANCHORS_DIR)/gen-%/faust_voice.h $(ANCHORS_COMMON)
	$(CC) $(ANCHORS_CFLAGS) -I$(ANCHORS_DIR)/gen-$* -DFAUST_ANCHOR_NAME='"faust_$*"' -o $@ \
	  $(filter %.c,$^) $(ANCHORS_LIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
