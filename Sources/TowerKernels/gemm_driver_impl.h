// The BLIS loop nest shared by the AVX2 and AVX-512 GEMMs (included by each after its micro-kernel,
// so it is compiled for that file's target and the kernel call is direct after inlining):
// jc (block_n) → pc (block_k) → pack B → ic (block_m) → pack A → jr (tile_n) → ir (tile_m) → micro-kernel; edge tiles go
// through a scratch tile. `beta` applies on the first block_k block only.
#ifndef TOWER_GEMM_DRIVER_IMPL_H
#define TOWER_GEMM_DRIVER_IMPL_H

#include "gemm_pack_impl.h"

/// C[tile_m×tile_n] = alpha·A·B + beta·C over packed A (tile_m-wide) and B (tile_n-wide) panels.
typedef void (*tower_micro_kernel)(long kc, const float *A, const float *B, float *C, long ldc,
                                   float alpha, float beta);

enum { TOWER_GEMM_MAX_TILE = 12 * 32 };

static inline __attribute__((always_inline)) void gemm_blis_driver(
    tower_micro_kernel kernel, long tile_m, long tile_n, long block_m, long block_k, long block_n,
    int trans_a, int trans_b, long m, long n, long k, float alpha,
    const float *a, long lda, const float *b, long ldb, float beta,
    float *c, long ldc, float *pack_a, float *pack_b) {
    float tile[TOWER_GEMM_MAX_TILE] __attribute__((aligned(64)));
    for (long jc = 0; jc < n; jc += block_n) {
        long nc = pk_min(block_n, n - jc);
        for (long pc = 0; pc < k; pc += block_k) {
            long kc = pk_min(block_k, k - pc);
            float beta_block = pc == 0 ? beta : 1.0f;
            pack_b_tile(tile_n, trans_b, kc, nc, b, ldb, pc, jc, pack_b);
            for (long ic = 0; ic < m; ic += block_m) {
                long mc = pk_min(block_m, m - ic);
                pack_a_tile(tile_m, trans_a, mc, kc, a, lda, ic, pc, pack_a);
                for (long jr = 0; jr < nc; jr += tile_n) {
                    long nr = pk_min(tile_n, nc - jr);
                    const float *bp = pack_b + jr * kc;
                    for (long ir = 0; ir < mc; ir += tile_m) {
                        long mr = pk_min(tile_m, mc - ir);
                        const float *ap = pack_a + ir * kc;
                        float *cp = c + (ic + ir) * ldc + jc + jr;
                        if (mr == tile_m && nr == tile_n) {
                            kernel(kc, ap, bp, cp, ldc, alpha, beta_block);
                            continue;
                        }
                        // Edge tile: the full tile into scratch, then merge the valid mr×nr part.
                        kernel(kc, ap, bp, tile, tile_n, alpha, 0.0f);
                        for (long i = 0; i < mr; i++) {
                            float *row = cp + i * ldc;
                            const float *t = tile + i * tile_n;
                            if (beta_block == 0.0f) {
                                for (long j = 0; j < nr; j++) row[j] = t[j];
                            } else {
                                for (long j = 0; j < nr; j++) row[j] = t[j] + beta_block * row[j];
                            }
                        }
                    }
                }
            }
        }
    }
}

#endif
