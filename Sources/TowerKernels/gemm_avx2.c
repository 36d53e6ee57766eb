// AVX2/FMA single-precision GEMM: BLIS loop order (jc → pc → pack B → ic → pack A → jr → ir),
// 6×16 register tile (12 ymm accumulators), C-tile prefetch, edge tiles through a scratch tile.
// Compiled with a target attribute, not a build flag, so the package needs no unsafeFlags;
// callers check tower_cpu_has_avx2_fma() first.
#include "include/tower_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#define TOWER_PACK_AVX2 1
#include "gemm_pack_impl.h"

#define MR TOWER_GEMM_MR
#define NR TOWER_GEMM_NR

#include "gemm_driver_impl.h"

// C[0..6, 0..16] (row stride ldc) = alpha·A·B + beta·C, A a packed 6×kc micro-panel,
// B a packed kc×16 micro-panel (32-byte aligned). beta == 0 never reads C.
static inline __attribute__((always_inline)) void kernel_6x16(
    long kc, const float *restrict A, const float *restrict B, float *restrict C, long ldc,
    float alpha, float beta) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();

    for (int i = 0; i < MR; i++) {
        _mm_prefetch((const char *)(C + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(C + i * ldc + NR - 1), _MM_HINT_T0);
    }

#define STEP(off)                                                            \
    do {                                                                     \
        __m256 b0 = _mm256_load_ps(B + (off) * NR);                          \
        __m256 b1 = _mm256_load_ps(B + (off) * NR + 8);                      \
        __m256 a;                                                            \
        a = _mm256_broadcast_ss(A + (off) * MR + 0);                         \
        c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01); \
        a = _mm256_broadcast_ss(A + (off) * MR + 1);                         \
        c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11); \
        a = _mm256_broadcast_ss(A + (off) * MR + 2);                         \
        c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21); \
        a = _mm256_broadcast_ss(A + (off) * MR + 3);                         \
        c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31); \
        a = _mm256_broadcast_ss(A + (off) * MR + 4);                         \
        c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41); \
        a = _mm256_broadcast_ss(A + (off) * MR + 5);                         \
        c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51); \
    } while (0)

    long p = 0;
    for (; p + 4 <= kc; p += 4) {
        _mm_prefetch((const char *)(B + 8 * NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(B + 10 * NR), _MM_HINT_T0);
        STEP(0); STEP(1); STEP(2); STEP(3);
        A += 4 * MR;
        B += 4 * NR;
    }
    for (; p < kc; p++) {
        STEP(0);
        A += MR;
        B += NR;
    }
#undef STEP

    __m256 va = _mm256_set1_ps(alpha);
#define STORE_ROW(i, x0, x1)                                                          \
    do {                                                                              \
        float *row = C + (i) * ldc;                                                   \
        if (beta == 0.0f) {                                                           \
            _mm256_storeu_ps(row, _mm256_mul_ps(va, x0));                             \
            _mm256_storeu_ps(row + 8, _mm256_mul_ps(va, x1));                         \
        } else {                                                                      \
            __m256 vb = _mm256_set1_ps(beta);                                         \
            _mm256_storeu_ps(row, _mm256_fmadd_ps(va, x0,                             \
                                  _mm256_mul_ps(vb, _mm256_loadu_ps(row))));          \
            _mm256_storeu_ps(row + 8, _mm256_fmadd_ps(va, x1,                         \
                                  _mm256_mul_ps(vb, _mm256_loadu_ps(row + 8))));      \
        }                                                                             \
    } while (0)
    STORE_ROW(0, c00, c01);
    STORE_ROW(1, c10, c11);
    STORE_ROW(2, c20, c21);
    STORE_ROW(3, c30, c31);
    STORE_ROW(4, c40, c41);
    STORE_ROW(5, c50, c51);
#undef STORE_ROW
}

// The first `rows` (< MR) rows of a 6×16 product, for the bottom edge of a small m: the same FMA
// chain per element as kernel_6x16 (so results do not depend on which kernel ran), A a 6-row
// packed panel of which only `rows` rows are read. `rows` is a constant at each call.
static inline __attribute__((always_inline)) void kernel_rows_x16(
    long rows, long kc, const float *restrict A, const float *restrict B, float *restrict C, long ldc,
    float alpha, float beta) {
    __m256 acc[MR][2];
    for (int i = 0; i < rows; i++) {
        acc[i][0] = _mm256_setzero_ps();
        acc[i][1] = _mm256_setzero_ps();
    }
    for (long p = 0; p < kc; p++) {
        __m256 b0 = _mm256_load_ps(B);
        __m256 b1 = _mm256_load_ps(B + 8);
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) {
            __m256 a = _mm256_broadcast_ss(A + i);
            acc[i][0] = _mm256_fmadd_ps(a, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(a, b1, acc[i][1]);
        }
        A += MR;
        B += NR;
    }
    __m256 va = _mm256_set1_ps(alpha);
    for (int i = 0; i < rows; i++) {
        float *row = C + i * ldc;
        if (beta == 0.0f) {
            _mm256_storeu_ps(row, _mm256_mul_ps(va, acc[i][0]));
            _mm256_storeu_ps(row + 8, _mm256_mul_ps(va, acc[i][1]));
        } else {
            __m256 vb = _mm256_set1_ps(beta);
            _mm256_storeu_ps(row, _mm256_fmadd_ps(va, acc[i][0], _mm256_mul_ps(vb, _mm256_loadu_ps(row))));
            _mm256_storeu_ps(row + 8, _mm256_fmadd_ps(va, acc[i][1], _mm256_mul_ps(vb, _mm256_loadu_ps(row + 8))));
        }
    }
}

static void kernel_6x16_call(long kc, const float *A, const float *B, float *C, long ldc, float alpha, float beta) {
    kernel_6x16(kc, A, B, C, ldc, alpha, beta);
}
static void kernel_4x16(long kc, const float *A, const float *B, float *C, long ldc, float alpha, float beta) {
    kernel_rows_x16(4, kc, A, B, C, ldc, alpha, beta);
}
static void kernel_2x16(long kc, const float *A, const float *B, float *C, long ldc, float alpha, float beta) {
    kernel_rows_x16(2, kc, A, B, C, ldc, alpha, beta);
}
static void kernel_1x16(long kc, const float *A, const float *B, float *C, long ldc, float alpha, float beta) {
    kernel_rows_x16(1, kc, A, B, C, ldc, alpha, beta);
}

/// The full 6-row kernel and the narrow ones for a bottom edge of 1, 2 or 3–4 rows.
static const tower_kernel_set kernels256 = {
    .full = kernel_6x16_call,
    .narrow = {[1] = kernel_1x16, [2] = kernel_2x16, [4] = kernel_4x16},
};

void tower_sgemm_avx2(int trans_a, int trans_b, long m, long n, long k, float alpha,
                      const float *a, long lda, const float *b, long ldb, float beta,
                      float *c, long ldc, float *pack_a, float *pack_b) {
    gemm_blis_driver(&kernels256, MR, NR, TOWER_GEMM_MC, TOWER_GEMM_KC, TOWER_GEMM_NC, trans_a, trans_b, m, n, k,
                     alpha, a, lda, b, ldb, beta, c, ldc, pack_a, pack_b);
}

void tower_sgemm_avx2_packed_b(int trans_a, long m, long n, long k, float alpha, const float *a, long lda,
                               const float *packed_b, float beta, float *c, long ldc, float *pack_a) {
    gemm_blis_driver_packed_b(&kernels256, MR, NR, TOWER_GEMM_MC, TOWER_GEMM_KC, TOWER_GEMM_NC, trans_a, m, n, k,
                              alpha, a, lda, packed_b, beta, c, ldc, pack_a);
}

#pragma clang attribute pop

#else  // not x86-64: the AVX2 kernel does not exist; callers never reach this.

void tower_sgemm_avx2(int trans_a, int trans_b, long m, long n, long k, float alpha,
                      const float *a, long lda, const float *b, long ldb, float beta,
                      float *c, long ldc, float *pack_a, float *pack_b) {
    (void)trans_a; (void)trans_b; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc; (void)pack_a; (void)pack_b;
    __builtin_trap();
}

void tower_sgemm_avx2_packed_b(int trans_a, long m, long n, long k, float alpha, const float *a, long lda,
                               const float *packed_b, float beta, float *c, long ldc, float *pack_a) {
    (void)trans_a; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda; (void)packed_b; (void)beta;
    (void)c; (void)ldc; (void)pack_a;
    __builtin_trap();
}

#endif
