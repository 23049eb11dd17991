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
# likewise the per-sample loops of mixing and the DSP units: the loop bounds traced at every
# sample took 65% of fuzz_render's time (perf, 400 inputs of its corpus), mix_part's alone 41%
$(patsubst %,$(FUZZ_BUILD)/core/%.o,bb_voice bb_biquad bb_fx bb_osc): BB_CFLAGS += -fno-sanitize-coverage=trace-cmp
$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(call obj,$(CORE_SRC))
	$(call say,LD,$@)$(CC) $(BB_CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
# the render target runs strategies too
$(BUILD)/fuzz_render: tests/fuzz/fuzz_render.c $(call obj,$(CORE_SRC) $(VAR_SRC))
	$(call say,LD,$@)$(CC) $(BB_CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
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
