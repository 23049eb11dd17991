# ---- mutation testing -------------------------------------------------------------------------
# make mutate    a standing mutation score (not part of make test): harness/scripts/mutate.py writes
#                MUTANTS plausible bugs (sampled with SEED) into a private copy of the tree, builds each
#                and runs a fast subset of the tests (a hang past the limit counts as caught); prints
#                killed / timeouts / survived and the survivors with file:line, JSON in $(MUTATE_JSON).
#                MUTANTS_FILE=harness/scripts/mutate-issue16.json runs a list of hand-written mutants.
#                MUTATE_SET=newer samples only the code added after mutate.py was written (lanes, run
#                bitmaps, the pipelined render, the reverb bank, the fixed-point phase, shard, merge,
#                history, capacity, JUnit). A hung mutant is killed at the limit with every process it
#                started (mutate.py's reaper).
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
