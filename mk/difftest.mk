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
	$(call say,LD,$@)$(CC) $(BB_CFLAGS) -o $@ $^ $(LDLIBS)
difftest: $(BUILD)/difftest
	$(BUILD)/difftest --seed $(SEED) --n $(N) --seconds $(SECONDS) --corpus $(DT_CORPUS)
