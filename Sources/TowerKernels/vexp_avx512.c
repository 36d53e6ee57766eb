// AVX-512 exp: the same reduction and polynomial as vexp.c's AVX2 kernel on 16 lanes, with mask
// registers for tails and special values. Compiled through a target attribute, no build flag;
// callers check tower_cpu_has_avx512f() first.
#include "TowerKernels.h"
#include "vexp_constants.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)

static inline __m512 vexp_avx512_16(__m512 x) {
    // Clamp so the integer conversion stays in range; out-of-range lanes are fixed at the end.
    __m512 xc = _mm512_min_ps(x, _mm512_set1_ps(VEXP_HI + 1.0f));
    xc = _mm512_max_ps(xc, _mm512_set1_ps(VEXP_LO - 1.0f));
    __m512 fn = _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(VEXP_LOG2E)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(fn, _mm512_set1_ps(VEXP_C1), xc);
    r = _mm512_fnmadd_ps(fn, _mm512_set1_ps(VEXP_C2), r);
    __m512 z = _mm512_mul_ps(r, r);
    __m512 p = _mm512_set1_ps(VEXP_P0);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(VEXP_P1));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(VEXP_P2));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(VEXP_P3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(VEXP_P4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(VEXP_P5));
    __m512 y = _mm512_fmadd_ps(p, z, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    __m512i n = _mm512_cvtps_epi32(fn);
    __m512i n1 = _mm512_srai_epi32(n, 1);
    __m512i n2 = _mm512_sub_epi32(n, n1);
    const __m512i bias = _mm512_set1_epi32(127);
    y = _mm512_mul_ps(y, _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n1, bias), 23)));
    y = _mm512_mul_ps(y, _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n2, bias), 23)));
    y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, _mm512_set1_ps(VEXP_HI), _CMP_GT_OQ), _mm512_set1_ps(__builtin_inff()));
    y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, _mm512_set1_ps(VEXP_LO), _CMP_LT_OQ), _mm512_setzero_ps());
    y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
    return y;
}

void tower_vexp_avx512(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, vexp_avx512_16(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 mask = (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(y + i, mask, vexp_avx512_16(_mm512_maskz_loadu_ps(mask, x + i)));
    }
}

float tower_vexp_shift_sum_avx512(const float *x, float shift, float *y, size_t n) {
    const __m512 s = _mm512_set1_ps(shift);
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 a = vexp_avx512_16(_mm512_sub_ps(_mm512_loadu_ps(x + i), s));
        __m512 b = vexp_avx512_16(_mm512_sub_ps(_mm512_loadu_ps(x + i + 16), s));
        if (y) { _mm512_storeu_ps(y + i, a); _mm512_storeu_ps(y + i + 16, b); }
        acc0 = _mm512_add_ps(acc0, a);
        acc1 = _mm512_add_ps(acc1, b);
    }
    for (; i + 16 <= n; i += 16) {
        __m512 a = vexp_avx512_16(_mm512_sub_ps(_mm512_loadu_ps(x + i), s));
        if (y) _mm512_storeu_ps(y + i, a);
        acc0 = _mm512_add_ps(acc0, a);
    }
    if (i < n) {
        __mmask16 mask = (__mmask16)((1u << (n - i)) - 1u);
        // Masked-off lanes become exactly 0 (they would otherwise add exp(-shift)).
        __m512 a = _mm512_maskz_mov_ps(mask, vexp_avx512_16(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, x + i), s)));
        if (y) _mm512_mask_storeu_ps(y + i, mask, a);
        acc1 = _mm512_add_ps(acc1, a);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

#pragma clang attribute pop

#else

// Not x86: never selected (tower_cpu_has_avx512f() returns 0); forwards to the portable code.
void tower_vexp_avx512(const float *x, float *y, size_t n) { tower_vexp_portable(x, y, n); }

float tower_vexp_shift_sum_avx512(const float *x, float shift, float *y, size_t n) {
    return tower_vexp_shift_sum_portable(x, shift, y, n);
}

#endif
