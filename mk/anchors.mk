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
ANCHORS_SCORE  ?= tests/bench/qlike.ph
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
	$(call say,CC,$@)$(CC) $(ANCHORS_CFLAGS) -o $@ $(filter %.c,$^) $(ANCHORS_LIBS)
$(ANCHORS_DIR)/anchor_check: harness/anchors/anchor_check.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) $(ANCHORS_CFLAGS) -o $@ $< $(ANCHORS_LIBS)
# Faust's C backend, scalar and -vec (its default vector size); the driver is built against each
$(ANCHORS_DIR)/gen-scalar/faust_voice.h: harness/anchors/voice.dsp
	@mkdir -p $(dir $@)
	$(call say,FAUST,$@)faust -lang c -cn voice -o $@ $<
$(ANCHORS_DIR)/gen-vec/faust_voice.h: harness/anchors/voice.dsp
	@mkdir -p $(dir $@)
	$(call say,FAUST,$@)faust -lang c -cn voice -vec -o $@ $<
$(ANCHORS_DIR)/faust_%: harness/anchors/faust_driver.c $(ANCHORS_DIR)/gen-%/faust_voice.h $(ANCHORS_COMMON)
	$(call say,CC,$@)$(CC) $(ANCHORS_CFLAGS) -I$(ANCHORS_DIR)/gen-$* -DFAUST_ANCHOR_NAME='"faust_$*"' -o $@ \
	  $(filter %.c,$^) $(ANCHORS_LIBS)
