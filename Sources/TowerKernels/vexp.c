// Vector exp: a Cephes-style polynomial, portable C and AVX2/FMA (target attribute, no build flags).
//
// exp(x) = 2^n * exp(r), n = round(x * log2 e), r = x - n*ln2 (two-constant reduction, exact in
// float for |n| <= 128), exp(r) = 1 + r + r^2 * P(r) with P of degree 5 (Cephes expf).
// 2^n is applied as 2^(n>>1) * 2^(n - (n>>1)) so that n = 128 (x in (88.38, 88.72]) and the
// gradual-underflow range stay exact without a special case.
#include "TowerKernels.h"

#include <stdint.h>
#include <string.h>

#include "vexp_constants.h"

static inline float vexp_bits_to_float(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

// Branch-free scalar exp; written so that compilers can vectorize loops calling it.
static inline float vexp_scalar(float x) {
    float xc = x > VEXP_HI + 1.0f ? VEXP_HI + 1.0f : x;
    xc = xc < VEXP_LO - 1.0f ? VEXP_LO - 1.0f : xc;
    // Round to nearest with the 1.5 * 2^23 trick (no libm call).
    const float magic = 12582912.0f;
    float fn = (xc * VEXP_LOG2E + magic) - magic;
    float r = xc - fn * VEXP_C1;
    r = r - fn * VEXP_C2;
    float z = r * r;
    float p = VEXP_P0;
    p = p * r + VEXP_P1;
    p = p * r + VEXP_P2;
    p = p * r + VEXP_P3;
    p = p * r + VEXP_P4;
    p = p * r + VEXP_P5;
    float y = p * z + r + 1.0f;
    int32_t n = (int32_t)fn;
    int32_t n1 = n >> 1;
    int32_t n2 = n - n1;
    y *= vexp_bits_to_float((uint32_t)(n1 + 127) << 23);
    y *= vexp_bits_to_float((uint32_t)(n2 + 127) << 23);
    y = x > VEXP_HI ? __builtin_inff() : y;
    y = x < VEXP_LO ? 0.0f : y;
    y = x != x ? x : y;
    return y;
}

void tower_vexp_portable(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = vexp_scalar(x[i]);
}

float tower_vexp_shift_sum_portable(const float *x, float shift, float *y, size_t n) {
    // Blocks of 64: a vectorizable exp loop into a stack buffer, then an 8-lane sum.
    float block[64];
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (size_t start = 0; start < n; start += 64) {
        size_t len = n - start < 64 ? n - start : 64;
        for (size_t i = 0; i < len; i++) block[i] = vexp_scalar(x[start + i] - shift);
        for (size_t i = len; i < 64; i++) block[i] = 0;
        for (size_t i = 0; i < 64; i += 8)
            for (size_t j = 0; j < 8; j++) acc[j] += block[i + j];
        if (y) memcpy(y + start, block, len * sizeof(float));
    }
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define VEXP_AVX2 __attribute__((target("avx2,fma")))

VEXP_AVX2 static inline __m256 vexp_avx2_8(__m256 x) {
    const __m256 hi = _mm256_set1_ps(VEXP_HI), lo = _mm256_set1_ps(VEXP_LO);
    // Clamp so the integer conversion stays in range; out-of-range lanes are blended at the end.
    // (min/max return their second operand for NaN, so NaN lanes become finite here.)
    __m256 xc = _mm256_min_ps(x, _mm256_set1_ps(VEXP_HI + 1.0f));
    xc = _mm256_max_ps(xc, _mm256_set1_ps(VEXP_LO - 1.0f));
    __m256 fn = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(VEXP_LOG2E)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(VEXP_C1), xc);
    r = _mm256_fnmadd_ps(fn, _mm256_set1_ps(VEXP_C2), r);
    __m256 z = _mm256_mul_ps(r, r);
    __m256 p = _mm256_set1_ps(VEXP_P0);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(VEXP_P1));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(VEXP_P2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(VEXP_P3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(VEXP_P4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(VEXP_P5));
    __m256 y = _mm256_fmadd_ps(p, z, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i n = _mm256_cvtps_epi32(fn);
    __m256i n1 = _mm256_srai_epi32(n, 1);
    __m256i n2 = _mm256_sub_epi32(n, n1);
    const __m256i bias = _mm256_set1_epi32(127);
    y = _mm256_mul_ps(y, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23)));
    y = _mm256_mul_ps(y, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23)));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(__builtin_inff()), _mm256_cmp_ps(x, hi, _CMP_GT_OQ));
    y = _mm256_blendv_ps(y, _mm256_setzero_ps(), _mm256_cmp_ps(x, lo, _CMP_LT_OQ));
    y = _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
    return y;
}

// Tail of fewer than 8 elements: masked load and store so results match the vector lanes exactly.
VEXP_AVX2 static inline __m256i vexp_tail_mask(size_t rem) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)rem), lanes);
}

VEXP_AVX2 void tower_vexp_avx2(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 a = vexp_avx2_8(_mm256_loadu_ps(x + i));
        __m256 b = vexp_avx2_8(_mm256_loadu_ps(x + i + 8));
        _mm256_storeu_ps(y + i, a);
        _mm256_storeu_ps(y + i + 8, b);
    }
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, vexp_avx2_8(_mm256_loadu_ps(x + i)));
    if (i < n) {
        __m256i mask = vexp_tail_mask(n - i);
        __m256 v = vexp_avx2_8(_mm256_maskload_ps(x + i, mask));
        _mm256_maskstore_ps(y + i, mask, v);
    }
}

VEXP_AVX2 float tower_vexp_shift_sum_avx2(const float *x, float shift, float *y, size_t n) {
    const __m256 s = _mm256_set1_ps(shift);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 a = vexp_avx2_8(_mm256_sub_ps(_mm256_loadu_ps(x + i), s));
        __m256 b = vexp_avx2_8(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), s));
        if (y) { _mm256_storeu_ps(y + i, a); _mm256_storeu_ps(y + i + 8, b); }
        acc0 = _mm256_add_ps(acc0, a);
        acc1 = _mm256_add_ps(acc1, b);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 a = vexp_avx2_8(_mm256_sub_ps(_mm256_loadu_ps(x + i), s));
        if (y) _mm256_storeu_ps(y + i, a);
        acc0 = _mm256_add_ps(acc0, a);
    }
    if (i < n) {
        __m256i mask = vexp_tail_mask(n - i);
        __m256 a = vexp_avx2_8(_mm256_sub_ps(_mm256_maskload_ps(x + i, mask), s));
        a = _mm256_and_ps(a, _mm256_castsi256_ps(mask));  // masked-off lanes would add exp(-shift)
        if (y) _mm256_maskstore_ps(y + i, mask, a);
        acc1 = _mm256_add_ps(acc1, a);
    }
    __m256 acc = _mm256_add_ps(acc0, acc1);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

#else

// Not x86: the AVX2 entry points exist for linking but are never selected
// (tower_cpu_has_avx2_fma() returns 0); they forward to the portable code.
void tower_vexp_avx2(const float *x, float *y, size_t n) { tower_vexp_portable(x, y, n); }

float tower_vexp_shift_sum_avx2(const float *x, float shift, float *y, size_t n) {
    return tower_vexp_shift_sum_portable(x, shift, y, n);
}

#endif
