/* bb_lane.h - lane types for the synthesis kernel (core/bb_kernel.h).
 *
 * The kernel is written once over a lane type and instantiated at two widths:
 * 1 (the serial reference: a lane is a plain float) and BB_LANES (eight
 * requests side by side in a GCC/Clang vector). For each width W this header
 * gives the types bb_kf_wW (float lanes), bb_ki_wW (int32), bb_ku_wW (uint32),
 * bb_ku64_wW (uint64), and the few primitives whose spelling differs between a
 * scalar and a vector: BB_CVT_wW(x, T) (element-wise conversion, exact for
 * the integers the kernel converts), BB_LANE_wW(v, l) (lane l of v) and
 * BB_IABS_wW(x) (absolute value of an int32 that is not INT32_MIN). Every
 * arithmetic operation is an ordinary C operator on these types, so a lane
 * performs exactly the IEEE operations of the scalar code, in the same order:
 * the build has -ffp-contract=off, and vector operations are element-wise. */
#ifndef BB_LANE_H
#define BB_LANE_H

#include <stdint.h>

enum { BB_LANES = 8 };

typedef float bb_kf_w1;
typedef int32_t bb_ki_w1;
typedef uint32_t bb_ku_w1;
typedef uint64_t bb_ku64_w1;
#define BB_CVT_w1(x, T) ((T)(x))
#define BB_LANE_w1(v, l) (v)
#define BB_IABS_w1(x) ((x) < 0 ? -(x) : (x))

typedef float bb_kf_w8 __attribute__((vector_size(4 * BB_LANES)));
typedef int32_t bb_ki_w8 __attribute__((vector_size(4 * BB_LANES)));
typedef uint32_t bb_ku_w8 __attribute__((vector_size(4 * BB_LANES)));
typedef uint64_t bb_ku64_w8 __attribute__((vector_size(8 * BB_LANES)));
#define BB_CVT_w8(x, T) __builtin_convertvector((x), T)
#define BB_LANE_w8(v, l) ((v)[l])
#define BB_IABS_w8(x) (((x) ^ ((x) >> 31)) - ((x) >> 31))

/* GCC notes that 32- and 64-byte vectors passed by value change the ABI
 * without AVX; the kernel's functions are static and always inlined, so no
 * such value ever crosses a call. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

/* r[0..4) transposed as two 4x4 blocks, one per 128-bit half: element e of
 * half h of r[i] goes to element i of half h of r[e]. */
static inline __attribute__((always_inline)) void bb_lane_transpose4x2(bb_kf_w8 *r)
{
#define SH(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
    const bb_kf_w8 t0 = SH(r[0], r[1], 0, 8, 1, 9, 4, 12, 5, 13);
    const bb_kf_w8 t1 = SH(r[0], r[1], 2, 10, 3, 11, 6, 14, 7, 15);
    const bb_kf_w8 t2 = SH(r[2], r[3], 0, 8, 1, 9, 4, 12, 5, 13);
    const bb_kf_w8 t3 = SH(r[2], r[3], 2, 10, 3, 11, 6, 14, 7, 15);
    r[0] = SH(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
    r[1] = SH(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    r[2] = SH(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
    r[3] = SH(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
#undef SH
}

/* r[0..8) (element e of row i: r[i][e]) transposed in place (r[e][i]): eight
 * samples of eight lanes become eight lanes of eight samples, or back. The
 * 4x4 blocks within halves first, then the halves exchanged. */
static inline __attribute__((always_inline)) void bb_lane_transpose8(bb_kf_w8 *r)
{
    bb_lane_transpose4x2(r);
    bb_lane_transpose4x2(r + 4);
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        const bb_kf_w8 u = r[i], w = r[i + 4];
        r[i] = __builtin_shufflevector(u, w, 0, 1, 2, 3, 8, 9, 10, 11);
        r[i + 4] = __builtin_shufflevector(u, w, 4, 5, 6, 7, 12, 13, 14, 15);
    }
}

/* *v to p[0..8), p aligned to a float only (through a vector type that may
 * alias the floats it stores; v a pointer: clang refuses 256-bit vector
 * arguments in a caller built without AVX, the default clone). */
typedef float bb_kf_w8u __attribute__((vector_size(4 * BB_LANES), aligned(4), may_alias));
static inline __attribute__((always_inline)) void bb_lane_store(float *p, const bb_kf_w8 *v) { *(bb_kf_w8u *)p = *v; }

/* Function multiversioning for the width-8 kernel: the default build runs on
 * any x86-64 (SSE2) or arm64; on x86-64 with ifunc support, an AVX2 clone is
 * chosen at load time when the CPU has it (same operations, same bits). */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__) && !defined(BB_NO_CLONES) && \
    !defined(__SANITIZE_THREAD__)
#define BB_LANE_CLONES __attribute__((target_clones("avx2", "default")))
#define BB_LANE_CLONES_ON 1
#else
#define BB_LANE_CLONES
#endif

#endif
