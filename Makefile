# busbench - one non-recursive Makefile: the build, its dependencies and the test command here,
# each other job in an included part under mk/ (bench, gate, fuzz, sanitizers, difftest, mutate,
# anchors).
#
#   make            build build/busbench and build/libbusbench.a
#   make test       install what is missing, build with warnings as errors, run every suite
#   make report     install what is missing, build, bench the bundled workloads, write reports/latest/
#   make deps       install missing Debian packages (apt-get), nothing when all are present
#   make clean      remove build/
#   make install    PREFIX=/usr/local DESTDIR=: the command, libbusbench, its headers and busbench.pc,
#                   the man page, the bash completion, the golden corpus (mk/install.mk); make uninstall
#   make difftest   generated programs against serial, every strategy (SEED= N= SECONDS=; mk/difftest.mk)
#   make V=1 ...    print each compile and link command whole (the default prints "CC file.o")
#
# test and report first run `deps`, then re-invoke make so that pkg-config sees the
# freshly installed libraries (the flags below are computed when make reads this file).
# Nothing outside this folder is read.

# Compile on every core (the recipes that must run in order are sequential within one recipe);
# set at the top level only: sub-makes share its job server.
ifeq ($(MAKELEVEL),0)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

PREFIX   ?= /usr/local
CC       ?= cc
BUILD    ?= build
PKG_CONFIG ?= pkg-config

DEB_PKGS := build-essential pkg-config libsndfile1-dev libhwloc-dev hwloc libcriterion-dev gnuplot-nox \
            libssl-dev libjansson-dev valgrind python3-junitparser python3-yaml cmark-gfm \
            jackd2 libjack-jackd2-dev man-db

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
# every object of the build; each has a dependency file beside it (-MMD -MP), included at the end
OBJS     := $(call obj,$(CORE_SRC) $(VAR_SRC) $(HAR_SRC) harness/main.c $(TEST_SRC) $(DT_SRC) tests/difftest/difftest.c)
DEPS     := $(OBJS:.o=.d)

# Quiet by default, as Linux and Redis build: "CC build/core/bb_rat.o"; V=1 prints the commands.
# $(Q) hides a command, $(call say,TAG,TARGET) prints its short form.
V ?= 0
ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-6s %s\n' '$(1)' '$(2)';
endif

.PHONY: all deps test check report clean bench-core bench-strategies bench-load bench-scaling verify bless asan ubsan tsan
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) $(BB_CFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) $(BB_CFLAGS) $(PKG_CFLAGS) $(CRIT_CFLAGS) $(CFLAGS) -Itests -Itests/difftest -MMD -MP -c $< -o $@

# Build identity that `busbench bench` records in its results: the git commit
# ("-dirty" when tracked files differ from it), its commit date (busbench history orders
# results by it) and the compile command. Only
# bb_env.o sees them, and it is rebuilt only when the stamp's text changes.
# GIT_OPTIONAL_LOCKS=0: asking must never take the index lock from a committer.
BB_GIT_COMMIT := $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) || c=unknown; \
                   [ "$$c" = unknown ] || [ -z "$$(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no 2>/dev/null)" ] || c="$$c-dirty"; \
                   echo "$$c")
BB_GIT_DATE := $(shell GIT_OPTIONAL_LOCKS=0 git log -1 --format=%cI 2>/dev/null || echo unknown)
BB_BUILD_FLAGS := $(CC) $(BB_CFLAGS) $(CFLAGS)
$(BUILD)/buildinfo.stamp: FORCE
	@mkdir -p $(dir $@); echo '$(BB_GIT_COMMIT) $(BB_GIT_DATE) $(BB_BUILD_FLAGS)' | cmp -s - $@ 2>/dev/null || \
	  echo '$(BB_GIT_COMMIT) $(BB_GIT_DATE) $(BB_BUILD_FLAGS)' > $@
$(BUILD)/harness/bb_env.o: $(BUILD)/buildinfo.stamp
$(BUILD)/harness/bb_env.o: BB_CFLAGS += -DBB_GIT_COMMIT='"$(BB_GIT_COMMIT)"' -DBB_GIT_DATE='"$(BB_GIT_DATE)"' \
                                             -DBB_BUILD_FLAGS='"$(BB_BUILD_FLAGS)"'
.PHONY: FORCE
FORCE:

$(LIB): $(call obj,$(CORE_SRC) $(VAR_SRC) $(HAR_SRC))
	@rm -f $@
	$(call say,AR,$@)ar rcs $@ $^

$(BIN): $(call obj,harness/main.c) $(LIB)
	$(call say,LD,$@)$(CC) $(BB_CFLAGS) -o $@ $^ $(LDLIBS)

$(TESTBIN): $(call obj,$(TEST_SRC) $(DT_SRC)) $(LIB)
	$(call say,LD,$@)$(CC) $(BB_CFLAGS) -o $@ $^ $(CRIT_LIBS) $(LDLIBS)

# Debian packages, installed only when absent (a fresh machine's lists may be empty).
APT_GET ?= apt-get
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v $(APT_GET) >/dev/null 2>&1; then \
	    echo "make deps: no $(APT_GET) on this machine: install these (Debian package names; find your" \
	         "system's equivalents, found through pkg-config):$$missing" >&2; exit 1; fi; \
	  echo "make deps: installing$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  $$SUDO $(APT_GET) update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO $(APT_GET) install -y -qq --no-install-recommends $$missing; \
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

clean:
	rm -rf $(BUILD)

include mk/bench.mk mk/gate.mk mk/fuzz.mk mk/sanitizers.mk mk/difftest.mk mk/mutate.mk mk/anchors.mk mk/install.mk

-include $(DEPS)
