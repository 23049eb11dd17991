# ---- benchmarks (included by the Makefile) -----------------------------------------------------
# Benchmarks (not tests): tables of timings and counters, every render checked
# against serial. bench-core: serial only; bench-strategies: every strategy of the registry
# (busbench strategies) at 1 and 2 threads.
BENCH_CYCLES ?= 64
BENCH_REPS ?= 5
bench-core: $(BIN)
	harness/scripts/bench-matrix.sh $(BIN) $(BENCH_CYCLES) $(BENCH_REPS) "serial" "1" tests/bench/qlike.ph golden/q.ph

bench-strategies: $(BIN)
	harness/scripts/bench-matrix.sh $(BIN) $(BENCH_CYCLES) $(BENCH_REPS) \
	  "$$($(BIN) strategies --sep ' ')" "1 2" golden/q.ph tests/bench/qlike.ph

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
