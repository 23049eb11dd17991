/* bb_env.h - the machine and the build a result was measured on: date, host, executable, PUs and
 * cores, cpu model and MHz, frequency scaling, load, caches and topology (hwloc), compiler and
 * flags, the git commit and its date, the instruction set (arch) and the lane kernel's ISA. bench
 * writes them as its results' "context" (Google Benchmark's keys where it has them);
 * bb_env_fingerprint reads them back to say whether two results can be compared. */
#ifndef BB_ENV_H
#define BB_ENV_H

#include "bb_result.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Now, in ISO 8601 local time with the offset ("2026-12-07T18:00:00+00:00"), into buf. */
void bb_env_date(char *buf, size_t cap);

/* The hwloc topology of this machine (xml NULL) or of an hwloc XML file, as a
 * JSON object: packages, numa_nodes, cores, pus (counts), cpu_model, caches
 * (Google Benchmark's form: type, level, size in bytes, num_sharing PUs) and
 * summary (one line). A new reference, or NULL with err set (BB_ERR_IO) when
 * the topology cannot be loaded. */
json_t *bb_env_topology(const char *xml, bb_error *err);

/* The machine and build facts as a new JSON object (keys: date, host_name, executable, num_cpus,
 * mhz_per_cpu, cpu_scaling_enabled, load_avg, library_build_type, caches, cpu_model, cores,
 * pus_allowed, topology, hwloc, compiler, cflags, arch, lanes_isa, git_commit, git_commit_date,
 * hwloc_version). */
json_t *bb_env_context(void);

/* The processing units this process may run on: the PUs of the calling thread's affinity mask that
 * hwloc allows (`taskset -c 1` gives 1), at least 1 (1 when it cannot be read). More threads than
 * this time-share the PUs: oversubscribed. */
int bb_env_pus_allowed(void);

/* The build's identity, "COMMIT (COMMIT_DATE)" (a short git commit, "-dirty" when the tree
 * differed from it; "unknown" outside git): a static string. */
const char *bb_env_version(void);

/* "busbench ARGV..." (the command as given) into buf; returns buf. */
const char *bb_env_command(int argc, char **argv, char *buf, size_t cap);

/* Check that two results contexts come from environments whose measurements
 * can be compared. For both: the same compiler, code-generation flags (-O, -f,
 * -m, -D, -std options of the recorded cflags), instruction set (arch) and lane
 * kernel ISA (lanes_isa; each checked only when both contexts record it); for
 * times (timing true) also the same CPU model and number of processing units;
 * for instructions (timing false) the same valgrind and C library versions (a
 * different CPU model is only a warning: libc picks routines by CPU feature).
 * Appends one line per difference to refuse (refusals) and warn (warnings),
 * each NUL-terminated and truncated to its cap. Returns the number of refusals. */
int bb_env_fingerprint(const json_t *base, const json_t *cur, bool timing, char *refuse, size_t rcap, char *warn,
                        size_t wcap);

#endif
