/* bb_bench_matrix.h - the matrix of `busbench bench` (bb_bench_matrix.c says how it is laid out
 * and cut into shards): the workloads, their references and kits, the configurations of this
 * shard. The types are bb_bench.h's. */
#ifndef BB_BENCH_MATRIX_H
#define BB_BENCH_MATRIX_H

#include "bb_bench.h"

#include <jansson.h>

/* The workloads (their references loaded, kits built), the configurations and the shard of o into
 * m. A program's reference is rendered before the matrix is cut into shards (its length is a
 * group's expected cost). BB_BENCH_GO_ON, or an exit code after a message (m is freed then). */
int bb_bench_matrix_build(bb_bench_opts *o, bb_bench_matrix *m);
/* Release what bb_bench_matrix_build gave m (the configurations' measures, the kits, the workload
 * set); m is zeroed. */
void bb_bench_matrix_free(bb_bench_matrix *m);

/* The context's "shard" object: this shard (o->shard), its groups and configurations and their
 * expected costs, and how the costs were estimated. A new reference. */
json_t *bb_bench_matrix_shard_context(const bb_bench_opts *o, const bb_bench_matrix *m);

#endif
