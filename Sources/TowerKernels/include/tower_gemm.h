// GEMM kernels: packing of A/B panels (portable C) and the AVX2/FMA driver.
//
// All matrices are row-major Float32. op(A) is [m, k], op(B) is [k, n], C is [m, n].
// `trans_a`/`trans_b` are 0 when the operand is used as stored and 1 when transposed.
// Leading dimensions are row strides in elements.
#ifndef TOWER_GEMM_H
#define TOWER_GEMM_H

#include <stddef.h>

/// Rows of the register tile (micro-panel height of packed A).
#define TOWER_GEMM_MR 6
/// Columns of the register tile (micro-panel width of packed B).
#define TOWER_GEMM_NR 16
/// Rows of op(A) packed at once (multiple of TOWER_GEMM_MR; the packed block lives in L2).
#define TOWER_GEMM_MC 288
/// Depth packed at once (shared dimension k).
#define TOWER_GEMM_KC 512
/// Columns of op(B) packed at once (multiple of TOWER_GEMM_NR).
#define TOWER_GEMM_NC 4096

/// Register tile and blocking of the AVX-512 kernel (12×32 tile).
#define TOWER_GEMM512_MR 12
#define TOWER_GEMM512_NR 32
#ifndef TOWER_GEMM512_MC
#define TOWER_GEMM512_MC 240
#endif
#ifndef TOWER_GEMM512_KC
#define TOWER_GEMM512_KC 512
#endif

/// Packs the block op(A)[row0 ..< row0+mc, col0 ..< col0+kc] into micro-panels of
/// TOWER_GEMM_MR rows: panel r holds, for each p, MR consecutive values (zero-padded past mc).
/// `dst` needs round_up(mc, MR) * kc floats.
void tower_gemm_pack_a(int trans_a, long mc, long kc, const float *a, long lda,
                       long row0, long col0, float *dst);

/// Packs the block op(B)[row0 ..< row0+kc, col0 ..< col0+nc] into micro-panels of
/// TOWER_GEMM_NR columns: panel j holds, for each p, NR consecutive values (zero-padded past nc).
/// `dst` needs kc * round_up(nc, NR) floats.
void tower_gemm_pack_b(int trans_b, long kc, long nc, const float *b, long ldb,
                       long row0, long col0, float *dst);

/// Floats needed in `pack_a` / `pack_b` by any of the kernels below for an m×n×k problem.
long tower_gemm_pack_a_floats(long m, long k);
long tower_gemm_pack_b_floats(long n, long k);

/// C = alpha·op(A)·op(B) + beta·C with the AVX2/FMA micro-kernel, single-threaded.
/// Requires m, n, k > 0 and tower_cpu_has_avx2_fma() == 1. When beta == 0, C is only written.
/// `pack_a`/`pack_b` are caller-owned workspaces, 64-byte aligned, of at least
/// tower_gemm_pack_a_floats(m, k) / tower_gemm_pack_b_floats(n, k) floats.
void tower_sgemm_avx2(int trans_a, int trans_b, long m, long n, long k, float alpha,
                      const float *a, long lda, const float *b, long ldb, float beta,
                      float *c, long ldc, float *pack_a, float *pack_b);


/// As tower_sgemm_avx2, with the AVX-512F 12×32 micro-kernel; requires tower_cpu_has_avx512f().
void tower_sgemm_avx512(int trans_a, int trans_b, long m, long n, long k, float alpha,
                        const float *a, long lda, const float *b, long ldb, float beta,
                        float *c, long ldc, float *pack_a, float *pack_b);

/// Pre-packed B (the packed-GEMM scheme of MKL's cblas_sgemm_pack/cblas_sgemm_compute): op(B)
/// ([k, n]) packed once into full-depth micro-panels of `tile` columns — panel j holds, for each
/// p in 0..<k, the `tile` values op(B)[p][j·tile ..< j·tile+tile] (zero-padded past n) — so a
/// product with a fixed B (an item matrix scored against many query batches) skips packing B.
/// `tile` is TOWER_GEMM_NR (AVX2 and portable kernels) or TOWER_GEMM512_NR (AVX-512);
/// `dst` needs tower_gemm_packed_b_floats(tile, n, k) floats, 64-byte aligned.
long tower_gemm_packed_b_floats(long tile, long n, long k);
void tower_gemm_pack_b_panels(long tile, int trans_b, long k, long n, const float *b, long ldb, float *dst);

/// C = alpha·op(A)·op(B) + beta·C with op(B) pre-packed for this kernel (panels of TOWER_GEMM_NR
/// columns for AVX2, TOWER_GEMM512_NR for AVX-512): `packed_b` points at the panel of op(B)'s
/// first column to use, so products over a column range start on a panel boundary. `k` is the full
/// depth the panels were packed with. Same results, bit for bit, as the unpacked call.
/// `pack_a` holds tower_gemm_pack_a_floats(m, k) floats, 64-byte aligned.
void tower_sgemm_avx2_packed_b(int trans_a, long m, long n, long k, float alpha, const float *a, long lda,
                               const float *packed_b, float beta, float *c, long ldc, float *pack_a);
void tower_sgemm_avx512_packed_b(int trans_a, long m, long n, long k, float alpha, const float *a, long lda,
                                 const float *packed_b, float beta, float *c, long ldc, float *pack_a);

/// Prefetches the cache line at `p` for writing (used by the portable Swift kernel).
static inline void tower_prefetch_write(const void *p) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 1, 3);
#else
    (void)p;
#endif
}

#endif
