// Packing of A/B panels, shared by gemm_pack.c (generic build, used by the portable Swift kernel)
// and gemm_avx2.c (compiled again there with AVX2 enabled). Private to TowerKernels.
#ifndef TOWER_GEMM_PACK_IMPL_H
#define TOWER_GEMM_PACK_IMPL_H

#include "include/tower_gemm.h"

#define PK_MR TOWER_GEMM_MR
#define PK_NR TOWER_GEMM_NR

static inline long pk_min(long a, long b) { return a < b ? a : b; }

#if defined(TOWER_PACK_AVX2)
#include <immintrin.h>
// Reads `rows` (1…8) rows of 8 floats (row stride lda) and writes their transpose: for each of
// the 8 columns p, the `rows` values of that column go to dst[p*dst_stride ...].
static inline __attribute__((always_inline)) void transpose_rows_8(
    const float *src, long lda, long rows, float *dst, long dst_stride) {
    __m256 r[8];
    for (long i = 0; i < 8; i++) r[i] = i < rows ? _mm256_loadu_ps(src + i * lda) : _mm256_setzero_ps();
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    __m256 col[8];
    col[0] = _mm256_permute2f128_ps(u0, u4, 0x20); col[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    col[2] = _mm256_permute2f128_ps(u2, u6, 0x20); col[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    col[4] = _mm256_permute2f128_ps(u0, u4, 0x31); col[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    col[6] = _mm256_permute2f128_ps(u2, u6, 0x31); col[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
    for (long p = 0; p < 8; p++) {
        float *d = dst + p * dst_stride;
        if (rows == 8) {
            _mm256_storeu_ps(d, col[p]);
        } else {
            __m128 lo = _mm256_castps256_ps128(col[p]);
            if (rows >= 4) {
                _mm_storeu_ps(d, lo);
                __m128 hi = _mm256_extractf128_ps(col[p], 1);
                if (rows == 6) _mm_storel_pi((__m64 *)(d + 4), hi);
                else for (long i = 4; i < rows; i++) d[i] = ((const float *)&col[p])[i];
            } else {
                for (long i = 0; i < rows; i++) d[i] = ((const float *)&col[p])[i];
            }
        }
    }
}
#endif

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
            long p = 0;
#if defined(TOWER_PACK_AVX2)
            if (mr == tile) {
                // 8 columns at a time: 8×8 register transposes of row groups of ≤ 8 rows.
                for (; p + 8 <= kc; p += 8) {
                    for (long r0 = 0; r0 < tile; r0 += 8) {
                        transpose_rows_8(src + r0 * lda + p, lda, pk_min(8, tile - r0), d + r0, tile);
                    }
                    d += 8 * tile;
                }
            }
#endif
            for (; p < kc; p++) {
                long ii = 0;
                for (; ii < mr; ii++) d[ii] = src[ii * lda + p];
                for (; ii < tile; ii++) d[ii] = 0.0f;
                d += tile;
            }
        } else {
            const float *src = a + col0 * lda + row0 + ir;
            if (mr == tile) {
                for (long p = 0; p < kc; p++) {
                    const float *s = src + p * lda;
                    for (long ii = 0; ii < tile; ii++) d[ii] = s[ii];
                    d += tile;
                }
                continue;
            }
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
#if defined(TOWER_PACK_AVX2)
            if (nr == tile) {
                long p = 0;
                for (; p + 8 <= kc; p += 8) {
                    for (long j0 = 0; j0 < tile; j0 += 8) {
                        transpose_rows_8(src + j0 * ldb + p, ldb, 8, d + p * tile + j0, tile);
                    }
                }
                for (; p < kc; p++) {
                    for (long jj = 0; jj < tile; jj++) d[p * tile + jj] = src[jj * ldb + p];
                }
                continue;
            }
#endif
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
    pack_a_tile(PK_MR, trans_a, mc, kc, a, lda, row0, col0, dst);
}

static inline void pack_b_impl(int trans_b, long kc, long nc, const float *restrict b, long ldb,
                               long row0, long col0, float *restrict dst) {
    pack_b_tile(PK_NR, trans_b, kc, nc, b, ldb, row0, col0, dst);
}

static inline long round_up_long(long x, long to) { return (x + to - 1) / to * to; }

#endif
