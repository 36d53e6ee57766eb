// bfloat16 scoring kernels (tower_bf16.h): packing, a portable reference and the AVX512_BF16
// 12×32 register tile (24 zmm accumulators, two B vectors, one broadcast pair of A per step).
#include "include/tower_bf16.h"
#include <string.h>

uint16_t tower_bf16_from_float(float x) {
    uint32_t bits;
    memcpy(&bits, &x, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x0040u);  // quiet NaN
    bits += 0x7fffu + ((bits >> 16) & 1u);  // round to nearest even (overflow rounds to infinity)
    return (uint16_t)(bits >> 16);
}

float tower_bf16_to_float(uint16_t x) {
    uint32_t bits = (uint32_t)x << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

long tower_bf16_packed_b_elements(long n, long k) {
    return (n + TOWER_BF16_NR - 1) / TOWER_BF16_NR * TOWER_BF16_NR * ((k + 1) / 2 * 2);
}

void tower_bf16_pack_items(long n, long k, const float *items, long ldb, uint16_t *dst) {
    long kpairs = (k + 1) / 2, panels = (n + TOWER_BF16_NR - 1) / TOWER_BF16_NR;
    for (long j = 0; j < panels; j++) {
        uint16_t *panel = dst + j * kpairs * 2 * TOWER_BF16_NR;
        for (long p = 0; p < kpairs; p++) {
            for (long c = 0; c < TOWER_BF16_NR; c++) {
                long col = j * TOWER_BF16_NR + c;
                uint16_t even = 0, odd = 0;
                if (col < n) {
                    even = tower_bf16_from_float(items[col * ldb + 2 * p]);
                    if (2 * p + 1 < k) odd = tower_bf16_from_float(items[col * ldb + 2 * p + 1]);
                }
                panel[(p * TOWER_BF16_NR + c) * 2] = even;
                panel[(p * TOWER_BF16_NR + c) * 2 + 1] = odd;
            }
        }
    }
}

void tower_bf16_pack_queries(long m, long k, const float *a, long lda, uint32_t *dst) {
    long kpairs = (k + 1) / 2;
    for (long r = 0; r < m; r++) {
        for (long p = 0; p < kpairs; p++) {
            uint32_t even = tower_bf16_from_float(a[r * lda + 2 * p]);
            uint32_t odd = 2 * p + 1 < k ? tower_bf16_from_float(a[r * lda + 2 * p + 1]) : 0;
            dst[r * kpairs + p] = even | (odd << 16);
        }
    }
}

#pragma clang fp contract(off)  // every step rounded, as the instruction does: no fused multiply-add

void tower_sgemm_bf16_portable(long m, long n, long kpairs, const uint32_t *a, const uint16_t *panels,
                               float *c, long ldc) {
    for (long col = 0; col < n; col++) {
        const uint16_t *panel = panels + (col / TOWER_BF16_NR) * kpairs * 2 * TOWER_BF16_NR;
        long lane = col % TOWER_BF16_NR;
        for (long r = 0; r < m; r++) {
            float acc = 0;
            for (long p = 0; p < kpairs; p++) {
                uint32_t pair = a[r * kpairs + p];
                const uint16_t *b = panel + (p * TOWER_BF16_NR + lane) * 2;
                // Each step rounded to float32, odd element first (VDPBF16PS's order).
                acc = acc + tower_bf16_to_float((uint16_t)(pair >> 16)) * tower_bf16_to_float(b[1]);
                acc = acc + tower_bf16_to_float((uint16_t)pair) * tower_bf16_to_float(b[0]);
            }
            c[r * ldc + col] = acc;
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

int tower_cpu_has_avx512_bf16(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16");
}

#pragma clang attribute push(__attribute__((target("avx512f,avx512bf16,avx512bw,avx512vl"))), apply_to = function)

// C[0..rows, 0..cols] = A[rows] · panel, cols ≤ 32 (stores masked past cols). `rows` is a
// compile-time constant at each call, so the accumulators stay in registers.
static inline __attribute__((always_inline)) void bf16_tile(
    long rows, long cols, long kpairs, const uint32_t *restrict a, const uint16_t *restrict panel,
    float *restrict c, long ldc) {
    __m512 acc[TOWER_BF16_MR][2];
    for (int i = 0; i < rows; i++) { acc[i][0] = _mm512_setzero_ps(); acc[i][1] = _mm512_setzero_ps(); }
    for (long p = 0; p < kpairs; p++) {
        __m512bh b0 = (__m512bh)_mm512_load_si512((const void *)(panel + p * 64));
        __m512bh b1 = (__m512bh)_mm512_load_si512((const void *)(panel + p * 64 + 32));
        for (int i = 0; i < rows; i++) {
            __m512bh ai = (__m512bh)_mm512_set1_epi32((int)a[i * kpairs + p]);
            acc[i][0] = _mm512_dpbf16_ps(acc[i][0], ai, b0);
            acc[i][1] = _mm512_dpbf16_ps(acc[i][1], ai, b1);
        }
    }
    if (cols == TOWER_BF16_NR) {
        for (int i = 0; i < rows; i++) {
            _mm512_storeu_ps(c + i * ldc, acc[i][0]);
            _mm512_storeu_ps(c + i * ldc + 16, acc[i][1]);
        }
    } else {
        __mmask16 m0 = cols >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << cols) - 1);
        __mmask16 m1 = cols <= 16 ? (__mmask16)0 : (__mmask16)((1u << (cols - 16)) - 1);
        for (int i = 0; i < rows; i++) {
            _mm512_mask_storeu_ps(c + i * ldc, m0, acc[i][0]);
            _mm512_mask_storeu_ps(c + i * ldc + 16, m1, acc[i][1]);
        }
    }
}

#define BF16_TILE(R) \
    static void bf16_tile_##R(long cols, long kpairs, const uint32_t *a, const uint16_t *panel, float *c, long ldc) { \
        bf16_tile(R, cols, kpairs, a, panel, c, ldc); \
    }
BF16_TILE(12)
BF16_TILE(8)
BF16_TILE(4)
BF16_TILE(2)
BF16_TILE(1)

void tower_sgemm_bf16_avx512(long m, long n, long kpairs, const uint32_t *a, const uint16_t *panels,
                             float *c, long ldc) {
    long panelCount = (n + TOWER_BF16_NR - 1) / TOWER_BF16_NR;
    for (long j = 0; j < panelCount; j++) {
        const uint16_t *panel = panels + j * kpairs * 2 * TOWER_BF16_NR;
        long cols = n - j * TOWER_BF16_NR < TOWER_BF16_NR ? n - j * TOWER_BF16_NR : TOWER_BF16_NR;
        float *cj = c + j * TOWER_BF16_NR;
        long r = 0;
        for (; r + 12 <= m; r += 12) bf16_tile_12(cols, kpairs, a + r * kpairs, panel, cj + r * ldc, ldc);
        if (m - r >= 8) { bf16_tile_8(cols, kpairs, a + r * kpairs, panel, cj + r * ldc, ldc); r += 8; }
        if (m - r >= 4) { bf16_tile_4(cols, kpairs, a + r * kpairs, panel, cj + r * ldc, ldc); r += 4; }
        if (m - r >= 2) { bf16_tile_2(cols, kpairs, a + r * kpairs, panel, cj + r * ldc, ldc); r += 2; }
        if (m - r >= 1) { bf16_tile_1(cols, kpairs, a + r * kpairs, panel, cj + r * ldc, ldc); r += 1; }
    }
}

#pragma clang attribute pop

#else  // not x86-64: no AVX512_BF16 kernel; callers check tower_cpu_has_avx512_bf16() first.

int tower_cpu_has_avx512_bf16(void) { return 0; }

void tower_sgemm_bf16_avx512(long m, long n, long kpairs, const uint32_t *a, const uint16_t *panels,
                             float *c, long ldc) {
    (void)m; (void)n; (void)kpairs; (void)a; (void)panels; (void)c; (void)ldc;
    __builtin_trap();
}

#endif
