// AVX-512F single-precision GEMM: the same BLIS loop order as gemm_avx2.c with a 12×32 register
// tile (24 zmm accumulators, two B vectors, one broadcast). Compiled with a target attribute, not
// a build flag; callers check tower_cpu_has_avx512f() first.
#include "include/tower_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)

#define TOWER_PACK_AVX2 1
#include "gemm_pack_impl.h"

#define MR TOWER_GEMM512_MR
#define NR TOWER_GEMM512_NR
#define MC TOWER_GEMM512_MC
#define KC TOWER_GEMM512_KC
#define NC TOWER_GEMM_NC

#include "gemm_driver_impl.h"

// C[0..rows, 0..32] (row stride ldc) = alpha·A·B + beta·C from packed micro-panels: A is a
// 12-row panel (row stride MR) of which the first `rows` are used, B 64-byte aligned. `rows` is a
// compile-time constant at each call, so the accumulators stay in registers. beta == 0 never reads C.
static inline __attribute__((always_inline)) void kernel_rows_x32(
    long rows, long kc, const float *restrict A, const float *restrict B, float *restrict C, long ldc,
    float alpha, float beta) {
    __m512 acc[MR][2];
    for (int i = 0; i < rows; i++) {
        acc[i][0] = _mm512_setzero_ps();
        acc[i][1] = _mm512_setzero_ps();
    }
    for (int i = 0; i < rows; i++) {
        _mm_prefetch((const char *)(C + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(C + i * ldc + 16), _MM_HINT_T0);
        _mm_prefetch((const char *)(C + i * ldc + NR - 1), _MM_HINT_T0);
    }
    for (long p = 0; p < kc; p++) {
        __m512 b0 = _mm512_load_ps(B);
        __m512 b1 = _mm512_load_ps(B + 16);
        _mm_prefetch((const char *)(B + 8 * NR), _MM_HINT_T0);
#pragma clang loop unroll(full)
        for (int i = 0; i < rows; i++) {
            __m512 a = _mm512_set1_ps(A[i]);
            acc[i][0] = _mm512_fmadd_ps(a, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(a, b1, acc[i][1]);
        }
        A += MR;
        B += NR;
    }
    __m512 va = _mm512_set1_ps(alpha);
    if (beta == 0.0f) {
        for (int i = 0; i < rows; i++) {
            _mm512_storeu_ps(C + i * ldc, _mm512_mul_ps(va, acc[i][0]));
            _mm512_storeu_ps(C + i * ldc + 16, _mm512_mul_ps(va, acc[i][1]));
        }
    } else {
        __m512 vb = _mm512_set1_ps(beta);
        for (int i = 0; i < rows; i++) {
            float *row = C + i * ldc;
            _mm512_storeu_ps(row, _mm512_fmadd_ps(va, acc[i][0], _mm512_mul_ps(vb, _mm512_loadu_ps(row))));
            _mm512_storeu_ps(row + 16,
                             _mm512_fmadd_ps(va, acc[i][1], _mm512_mul_ps(vb, _mm512_loadu_ps(row + 16))));
        }
    }
}

static void kernel_12x32(long kc, const float *A, const float *B, float *C, long ldc, float alpha, float beta) {
    kernel_rows_x32(12, kc, A, B, C, ldc, alpha, beta);
}
static void kernel_8x32(long kc, const float *A, const float *B, float *C, long ldc, float alpha, float beta) {
    kernel_rows_x32(8, kc, A, B, C, ldc, alpha, beta);
}
static void kernel_4x32(long kc, const float *A, const float *B, float *C, long ldc, float alpha, float beta) {
    kernel_rows_x32(4, kc, A, B, C, ldc, alpha, beta);
}
static void kernel_2x32(long kc, const float *A, const float *B, float *C, long ldc, float alpha, float beta) {
    kernel_rows_x32(2, kc, A, B, C, ldc, alpha, beta);
}
static void kernel_1x32(long kc, const float *A, const float *B, float *C, long ldc, float alpha, float beta) {
    kernel_rows_x32(1, kc, A, B, C, ldc, alpha, beta);
}

/// The full 12-row kernel and the narrow ones for a bottom edge of 1, 2, 3–4 or 5–8 rows.
static const tower_kernel_set kernels512 = {
    .full = kernel_12x32,
    .narrow = {[1] = kernel_1x32, [2] = kernel_2x32, [4] = kernel_4x32, [8] = kernel_8x32},
};

void tower_sgemm_avx512(int trans_a, int trans_b, long m, long n, long k, float alpha,
                        const float *a, long lda, const float *b, long ldb, float beta,
                        float *c, long ldc, float *pack_a, float *pack_b) {
    gemm_blis_driver(&kernels512, MR, NR, MC, KC, NC, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb,
                     beta, c, ldc, pack_a, pack_b);
}

void tower_sgemm_avx512_packed_b(int trans_a, long m, long n, long k, float alpha, const float *a, long lda,
                                 const float *packed_b, float beta, float *c, long ldc, float *pack_a) {
    gemm_blis_driver_packed_b(&kernels512, MR, NR, MC, KC, NC, trans_a, m, n, k, alpha, a, lda, packed_b,
                              beta, c, ldc, pack_a);
}

#pragma clang attribute pop

#else  // not x86-64: no AVX-512 kernel; callers never reach tower_sgemm_avx512.


void tower_sgemm_avx512(int trans_a, int trans_b, long m, long n, long k, float alpha,
                        const float *a, long lda, const float *b, long ldb, float beta,
                        float *c, long ldc, float *pack_a, float *pack_b) {
    (void)trans_a; (void)trans_b; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc; (void)pack_a; (void)pack_b;
    __builtin_trap();
}

void tower_sgemm_avx512_packed_b(int trans_a, long m, long n, long k, float alpha, const float *a, long lda,
                                 const float *packed_b, float beta, float *c, long ldc, float *pack_a) {
    (void)trans_a; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda; (void)packed_b; (void)beta;
    (void)c; (void)ldc; (void)pack_a;
    __builtin_trap();
}

#endif
