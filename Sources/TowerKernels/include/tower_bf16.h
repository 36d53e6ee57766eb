#ifndef TOWER_BF16_H
#define TOWER_BF16_H

#include <stdint.h>

/// bfloat16 scoring: `C = A · B` with A (queries) and B (items) rounded to bfloat16 and products
/// accumulated in float32 — the arithmetic of AVX512_BF16's VDPBF16PS (Intel SDM; Zen 4, Sapphire
/// Rapids). Half the bytes of a float32 item matrix and twice the multiply-adds per instruction.
/// The depth k is taken in pairs (k odd is zero-padded): element C[r][j] is, for p = 0, 1, ...,
///   acc = acc + A[r][2p+1]·B[2p+1][j];  acc = acc + A[r][2p]·B[2p][j]
/// each step rounded to float32 (the products of two bfloat16 values are exact in float32).

/// Columns per packed B panel.
#define TOWER_BF16_NR 32
/// Rows of the full register tile.
#define TOWER_BF16_MR 12

/// Returns 1 when the CPU supports AVX512_BF16 (and AVX-512F), 0 otherwise.
int tower_cpu_has_avx512_bf16(void);

/// float32 → bfloat16, round to nearest even; NaN stays a (quiet) NaN.
uint16_t tower_bf16_from_float(float x);
/// bfloat16 → float32 (exact).
float tower_bf16_to_float(uint16_t x);

/// uint16 elements of the packed B of an `n`-column, depth-`k` matrix: round_up(n, 32) · round_up(k, 2).
long tower_bf16_packed_b_elements(long n, long k);

/// Packs Bᵀ for B = itemsᵀ, `items` stored [n, k] (row stride ldb ≥ k): panel j holds, for each
/// pair p, the 32 columns j·32 ..< j·32+32 as (B[2p][c], B[2p+1][c]) pairs; zero past n and k.
void tower_bf16_pack_items(long n, long k, const float *items, long ldb, uint16_t *dst);

/// Packs A [m, k] (row stride lda ≥ k) as one uint32 per (row, pair): low half bf16(A[r][2p]),
/// high half bf16(A[r][2p+1]). `dst` holds m · ceil(k/2) values.
void tower_bf16_pack_queries(long m, long k, const float *a, long lda, uint32_t *dst);

/// C[m, n] (row stride ldc ≥ n) = A · B over `kpairs` pairs, A from tower_bf16_pack_queries and
/// `panels` pointing at the first packed panel of the column range (n columns from there).
/// The AVX512_BF16 kernel requires tower_cpu_has_avx512_bf16(); the portable one gives the same
/// float32 values for inputs and results without subnormals (the instruction flushes those).
void tower_sgemm_bf16_avx512(long m, long n, long kpairs, const uint32_t *a, const uint16_t *panels,
                             float *c, long ldc);
void tower_sgemm_bf16_portable(long m, long n, long kpairs, const uint32_t *a, const uint16_t *panels,
                               float *c, long ldc);

#endif
