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
# are gated at 1 thread only. GATE_STRATEGIES empty: every strategy of the registry but the
# canaries (`busbench strategies`), so that a new strategy is gated without another edit.
GATE_WORKLOADS   ?= phonon,static,chords,dense,reload
GATE_STRATEGIES  ?=
GATE_THREADS     ?= 1,2
GATE_BASELINE    ?= reports/baseline.json
GATE_BENCH_FLAGS ?=
GATE_SUBSET      := --workloads $(GATE_WORKLOADS) --strategies $$strategies --threads $(GATE_THREADS) --pins compact
CAL_FLAGS        ?= --trials 10 --reps 10
.PHONY: gate baseline bench-gate
# the recipes below set $$strategies first (GATE_STRATEGIES, or the registry's list)
GATE_LIST        = strategies=$(or $(GATE_STRATEGIES),$$($(BIN) strategies --sep ,))
gate: $(BIN)
	@$(GATE_LIST); echo "gate: counters and instruction counts of $(GATE_WORKLOADS) x $$strategies at threads $(GATE_THREADS) vs $(GATE_BASELINE)"; \
	  $(BIN) bench --metric instructions $(GATE_SUBSET) --quiet --out $(BUILD)/gate.json $(GATE_BENCH_FLAGS) && \
	  $(BIN) compare $(GATE_BASELINE) $(BUILD)/gate.json --metric instructions --quiet || \
	  { st=$$?; echo "gate: failed (exit $$st). If the extra cost is intended, re-make the baseline with" \
	    "'make baseline' and commit $(GATE_BASELINE) with the change." >&2; exit $$st; }

baseline: $(BIN)
	@$(GATE_LIST); mkdir -p $(dir $(GATE_BASELINE)); tmp=$(dir $(GATE_BASELINE)).baseline.json.new; rm -f $$tmp; \
	  $(BIN) bench --metric both $(GATE_SUBSET) --reps 10 --quiet --out $$tmp && \
	  $(BIN) calibrate $(GATE_SUBSET) $(CAL_FLAGS) --record $$tmp && \
	  mv -f $$tmp $(GATE_BASELINE) && echo "baseline: $(GATE_BASELINE) rewritten" || \
	  { st=$$?; rm -f $$tmp; echo "baseline: failed, $(GATE_BASELINE) left as it was" >&2; exit $$st; }

bench-gate: $(BIN)
	$(BIN) calibrate --workloads q --strategies serial --threads 1 --trials 20 --reps 10 --detect 5,10,20 \
	  --out $(BUILD)/calibration.json
