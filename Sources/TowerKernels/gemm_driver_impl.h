// The BLIS loop nest shared by the AVX2 and AVX-512 GEMMs (included by each after its micro-kernels,
// so it is compiled for that file's target and the kernel calls are direct after inlining):
// jc (block_n) → pc (block_k) → pack B → ic (block_m) → pack A → jr (tile_n) → ir (tile_m) → micro-kernel;
// edge tiles go through a scratch tile. `beta` applies on the first block_k block only.
// The pre-packed form (`gemm_blis_driver_packed_b`) is the same nest without "pack B": op(B) was packed
// once into full-depth panels (tower_gemm_pack_b_panels), and each block reads its slice of them.
#ifndef TOWER_GEMM_DRIVER_IMPL_H
#define TOWER_GEMM_DRIVER_IMPL_H

#include "gemm_pack_impl.h"

/// C[tile_m×tile_n] = alpha·A·B + beta·C over packed A (tile_m-wide) and B (tile_n-wide) panels.
typedef void (*tower_micro_kernel)(long kc, const float *A, const float *B, float *C, long ldc,
                                   float alpha, float beta);

enum { TOWER_GEMM_MAX_TILE = 12 * 32 };

/// The micro-kernels of one register-tile width: `full` computes tile_m rows; `narrow[r]`, when not
/// NULL, computes only the first r rows of a packed A panel (still tile_m wide) — used for the
/// bottom edge tile of a small m, so a 1-query product does not pay for tile_m rows. Every kernel
/// computes each element of C with the same FMA chain, so the results do not depend on which runs.
typedef struct {
    tower_micro_kernel full;
    tower_micro_kernel narrow[13];
} tower_kernel_set;

/// The jr → ir loops over one packed block: C[mc×nc] (+)= A-block · B-block, where B's panel jr/tile_n
/// starts at `b_panels + (jr/tile_n)·panel_stride`.
static inline __attribute__((always_inline)) void gemm_macro_kernel(
    const tower_kernel_set *kernels, long tile_m, long tile_n, long mc, long nc, long kc,
    const float *pack_a, const float *b_panels, long panel_stride, float alpha, float beta_block,
    float *c, long ldc) {
    float tile[TOWER_GEMM_MAX_TILE] __attribute__((aligned(64)));
    for (long jr = 0; jr < nc; jr += tile_n) {
        long nr = pk_min(tile_n, nc - jr);
        const float *bp = b_panels + (jr / tile_n) * panel_stride;
        for (long ir = 0; ir < mc; ir += tile_m) {
            long mr = pk_min(tile_m, mc - ir);
            const float *ap = pack_a + ir * kc;
            float *cp = c + ir * ldc + jr;
            if (mr == tile_m && nr == tile_n) {
                kernels->full(kc, ap, bp, cp, ldc, alpha, beta_block);
                continue;
            }
            // Edge tile: the narrowest kernel covering mr rows into scratch, then merge mr×nr.
            tower_micro_kernel kernel = kernels->full;
            for (long r = mr; r < tile_m; r++) {
                if (kernels->narrow[r]) { kernel = kernels->narrow[r]; break; }
            }
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

static inline __attribute__((always_inline)) void gemm_blis_driver(
    const tower_kernel_set *kernels, long tile_m, long tile_n, long block_m, long block_k, long block_n,
    int trans_a, int trans_b, long m, long n, long k, float alpha,
    const float *a, long lda, const float *b, long ldb, float beta,
    float *c, long ldc, float *pack_a, float *pack_b) {
    for (long jc = 0; jc < n; jc += block_n) {
        long nc = pk_min(block_n, n - jc);
        for (long pc = 0; pc < k; pc += block_k) {
            long kc = pk_min(block_k, k - pc);
            float beta_block = pc == 0 ? beta : 1.0f;
            pack_b_tile(tile_n, trans_b, kc, nc, b, ldb, pc, jc, pack_b);
            for (long ic = 0; ic < m; ic += block_m) {
                long mc = pk_min(block_m, m - ic);
                pack_a_tile(tile_m, trans_a, mc, kc, a, lda, ic, pc, pack_a);
                gemm_macro_kernel(kernels, tile_m, tile_n, mc, nc, kc, pack_a, pack_b, kc * tile_n,
                                  alpha, beta_block, c + ic * ldc + jc, ldc);
            }
        }
    }
}

/// As gemm_blis_driver with op(B) already packed: `packed_b` points at the first panel of the
/// columns to use (full-depth panels of tile_n columns, k·tile_n floats each).
static inline __attribute__((always_inline)) void gemm_blis_driver_packed_b(
    const tower_kernel_set *kernels, long tile_m, long tile_n, long block_m, long block_k, long block_n,
    int trans_a, long m, long n, long k, float alpha, const float *a, long lda,
    const float *packed_b, float beta, float *c, long ldc, float *pack_a) {
    for (long jc = 0; jc < n; jc += block_n) {
        long nc = pk_min(block_n, n - jc);
        for (long pc = 0; pc < k; pc += block_k) {
            long kc = pk_min(block_k, k - pc);
            float beta_block = pc == 0 ? beta : 1.0f;
            const float *b_panels = packed_b + (jc / tile_n) * k * tile_n + pc * tile_n;
            for (long ic = 0; ic < m; ic += block_m) {
                long mc = pk_min(block_m, m - ic);
                pack_a_tile(tile_m, trans_a, mc, kc, a, lda, ic, pc, pack_a);
                gemm_macro_kernel(kernels, tile_m, tile_n, mc, nc, kc, pack_a, b_panels, k * tile_n,
                                  alpha, beta_block, c + ic * ldc + jc, ldc);
            }
        }
    }
}

#endif
