// Packing of A/B panels, shared by gemm_pack.c (generic build, used by the portable Swift kernel)
// and gemm_avx2.c (compiled again there with AVX2 enabled). Private to TowerKernels.
#ifndef TOWER_GEMM_PACK_IMPL_H
#define TOWER_GEMM_PACK_IMPL_H

#include "include/tower_gemm.h"

#define PK_MR TOWER_GEMM_MR
#define PK_NR TOWER_GEMM_NR

static inline long pk_min(long a, long b) { return a < b ? a : b; }

// op(A)[i][p] is a[i*lda + p] (trans_a == 0) or a[p*lda + i] (trans_a == 1).
// Micro-panels of `tile` rows (a compile-time constant after inlining).
static inline __attribute__((always_inline)) void pack_a_tile(
    long tile, int trans_a, long mc, long kc, const float *restrict a, long lda,
    long row0, long col0, float *restrict dst) {
    for (long ir = 0; ir < mc; ir += tile) {
        long mr = pk_min(tile, mc - ir);
        float *restrict d = dst + ir * kc;
        if (!trans_a) {
            const float *src = a + (row0 + ir) * lda + col0;
            for (long p = 0; p < kc; p++) {
                long ii = 0;
                for (; ii < mr; ii++) d[ii] = src[ii * lda + p];
                for (; ii < tile; ii++) d[ii] = 0.0f;
                d += tile;
            }
        } else {
            const float *src = a + col0 * lda + row0 + ir;
            for (long p = 0; p < kc; p++) {
                const float *s = src + p * lda;
                long ii = 0;
                for (; ii < mr; ii++) d[ii] = s[ii];
                for (; ii < tile; ii++) d[ii] = 0.0f;
                d += tile;
            }
        }
    }
}

// op(B)[p][j] is b[p*ldb + j] (trans_b == 0) or b[j*ldb + p] (trans_b == 1).
// Micro-panels of `tile` columns (a compile-time constant after inlining).
static inline __attribute__((always_inline)) void pack_b_tile(
    long tile, int trans_b, long kc, long nc, const float *restrict b, long ldb,
    long row0, long col0, float *restrict dst) {
    for (long jr = 0; jr < nc; jr += tile) {
        long nr = pk_min(tile, nc - jr);
        float *restrict d = dst + jr * kc;
        if (!trans_b) {
            const float *src = b + row0 * ldb + col0 + jr;
            for (long p = 0; p < kc; p++) {
                const float *s = src + p * ldb;
                long jj = 0;
                if (nr == tile) {
                    for (; jj < tile; jj++) d[jj] = s[jj];
                } else {
                    for (; jj < nr; jj++) d[jj] = s[jj];
                    for (; jj < tile; jj++) d[jj] = 0.0f;
                }
                d += tile;
            }
        } else {
            const float *src = b + (col0 + jr) * ldb + row0;
            long jj = 0;
            for (; jj < nr; jj++) {
                const float *s = src + jj * ldb;
                for (long p = 0; p < kc; p++) d[p * tile + jj] = s[p];
            }
            for (; jj < tile; jj++) {
                for (long p = 0; p < kc; p++) d[p * tile + jj] = 0.0f;
            }
        }
    }
}

// The 6×16 packing used by the AVX2 and portable kernels.
static inline void pack_a_impl(int trans_a, long mc, long kc, const float *restrict a, long lda,
                               long row0, long col0, float *restrict dst) {
    for (long ir = 0; ir < mc; ir += PK_MR) {
        long mr = pk_min(PK_MR, mc - ir);
        float *restrict d = dst + ir * kc;
        if (!trans_a) {
            const float *src = a + (row0 + ir) * lda + col0;
            if (mr == PK_MR) {
                const float *r0 = src, *r1 = src + lda, *r2 = src + 2 * lda;
                const float *r3 = src + 3 * lda, *r4 = src + 4 * lda, *r5 = src + 5 * lda;
                for (long p = 0; p < kc; p++) {
                    d[0] = r0[p]; d[1] = r1[p]; d[2] = r2[p];
                    d[3] = r3[p]; d[4] = r4[p]; d[5] = r5[p];
                    d += PK_MR;
                }
            } else {
                for (long p = 0; p < kc; p++) {
                    long ii = 0;
                    for (; ii < mr; ii++) d[ii] = src[ii * lda + p];
                    for (; ii < PK_MR; ii++) d[ii] = 0.0f;
                    d += PK_MR;
                }
            }
        } else {
            const float *src = a + col0 * lda + row0 + ir;
            if (mr == PK_MR) {
                for (long p = 0; p < kc; p++) {
                    const float *s = src + p * lda;
                    d[0] = s[0]; d[1] = s[1]; d[2] = s[2];
                    d[3] = s[3]; d[4] = s[4]; d[5] = s[5];
                    d += PK_MR;
                }
            } else {
                for (long p = 0; p < kc; p++) {
                    const float *s = src + p * lda;
                    long ii = 0;
                    for (; ii < mr; ii++) d[ii] = s[ii];
                    for (; ii < PK_MR; ii++) d[ii] = 0.0f;
                    d += PK_MR;
                }
            }
        }
    }
}

// op(B)[p][j] is b[p*ldb + j] (trans_b == 0) or b[j*ldb + p] (trans_b == 1).
static inline void pack_b_impl(int trans_b, long kc, long nc, const float *restrict b, long ldb,
                               long row0, long col0, float *restrict dst) {
    for (long jr = 0; jr < nc; jr += PK_NR) {
        long nr = pk_min(PK_NR, nc - jr);
        float *restrict d = dst + jr * kc;
        if (!trans_b) {
            const float *src = b + row0 * ldb + col0 + jr;
            if (nr == PK_NR) {
                for (long p = 0; p < kc; p++) {
                    const float *s = src + p * ldb;
                    for (long jj = 0; jj < PK_NR; jj++) d[jj] = s[jj];
                    d += PK_NR;
                }
            } else {
                for (long p = 0; p < kc; p++) {
                    const float *s = src + p * ldb;
                    long jj = 0;
                    for (; jj < nr; jj++) d[jj] = s[jj];
                    for (; jj < PK_NR; jj++) d[jj] = 0.0f;
                    d += PK_NR;
                }
            }
        } else {
            const float *src = b + (col0 + jr) * ldb + row0;
            long jj = 0;
            for (; jj < nr; jj++) {
                const float *s = src + jj * ldb;
                for (long p = 0; p < kc; p++) d[p * PK_NR + jj] = s[p];
            }
            for (; jj < PK_NR; jj++) {
                for (long p = 0; p < kc; p++) d[p * PK_NR + jj] = 0.0f;
            }
        }
    }
}

static inline long round_up_long(long x, long to) { return (x + to - 1) / to * to; }

#endif
