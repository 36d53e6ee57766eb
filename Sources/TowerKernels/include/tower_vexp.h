// Vector exp declarations (AVX2/FMA, selected at run time).
//
// All functions compute y[i] = exp(x[i] - shift) elementwise (shift = 0 for the plain ones),
// with a Cephes-style degree-6 polynomial after reduction by n = round(x * log2(e)).
// Accuracy: relative error below 2e-7 wherever the result is a normal float.
// Special values: results below FLT_MIN (x - shift < -87.3365) are flushed to +0, results above
// FLT_MAX (x - shift > 88.7228) are +inf, NaN gives NaN, -inf gives 0, +inf gives +inf.
// In place (y == x) is allowed; other overlap is not.
#ifndef TOWER_VEXP_H
#define TOWER_VEXP_H

#include <stddef.h>

/// y[i] = exp(x[i]) with the portable C code (any CPU).
void tower_vexp_portable(const float *x, float *y, size_t n);

/// Returns sum_i exp(x[i] - shift) and stores each term in y[i] when y is not NULL (portable C).
float tower_vexp_shift_sum_portable(const float *x, float shift, float *y, size_t n);

/// y[i] = exp(x[i]) with AVX2/FMA. Call only when tower_cpu_has_avx2_fma() returns 1.
void tower_vexp_avx2(const float *x, float *y, size_t n);

/// Returns sum_i exp(x[i] - shift), storing the terms in y when not NULL (AVX2/FMA).
/// Call only when tower_cpu_has_avx2_fma() returns 1.
float tower_vexp_shift_sum_avx2(const float *x, float shift, float *y, size_t n);

/// y[i] = exp(x[i]) with AVX-512F. Call only when tower_cpu_has_avx512f() returns 1.
void tower_vexp_avx512(const float *x, float *y, size_t n);

/// Returns sum_i exp(x[i] - shift), storing the terms in y when not NULL (AVX-512F).
/// Call only when tower_cpu_has_avx512f() returns 1.
float tower_vexp_shift_sum_avx512(const float *x, float shift, float *y, size_t n);

#endif
