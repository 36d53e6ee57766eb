// Generic (baseline ISA) packing routines and workspace sizes; see tower_gemm.h.
#include "include/tower_gemm.h"
#include "gemm_pack_impl.h"

void tower_gemm_pack_a(int trans_a, long mc, long kc, const float *a, long lda,
                       long row0, long col0, float *dst) {
    pack_a_impl(trans_a, mc, kc, a, lda, row0, col0, dst);
}

void tower_gemm_pack_b(int trans_b, long kc, long nc, const float *b, long ldb,
                       long row0, long col0, float *dst) {
    pack_b_impl(trans_b, kc, nc, b, ldb, row0, col0, dst);
}

long tower_gemm_packed_b_floats(long tile, long n, long k) {
    return round_up_long(n, tile) * k;
}

void tower_gemm_pack_b_panels(long tile, int trans_b, long k, long n, const float *b, long ldb, float *dst) {
    // pack_b_tile with the whole depth as one block: panel j lands at dst + j·tile·k.
    pack_b_tile(tile, trans_b, k, n, b, ldb, 0, 0, dst);
}

static long pk_max(long a, long b) { return a > b ? a : b; }

long tower_gemm_pack_a_floats(long m, long k) {
    long avx2 = round_up_long(pk_min(m, TOWER_GEMM_MC), TOWER_GEMM_MR) * pk_min(k, TOWER_GEMM_KC);
    long avx512 = round_up_long(pk_min(m, TOWER_GEMM512_MC), TOWER_GEMM512_MR)
                  * pk_min(k, TOWER_GEMM512_KC);
    return pk_max(avx2, avx512);
}

long tower_gemm_pack_b_floats(long n, long k) {
    long avx2 = pk_min(k, TOWER_GEMM_KC) * round_up_long(pk_min(n, TOWER_GEMM_NC), TOWER_GEMM_NR);
    long avx512 = pk_min(k, TOWER_GEMM512_KC)
                  * round_up_long(pk_min(n, TOWER_GEMM_NC), TOWER_GEMM512_NR);
    return pk_max(avx2, avx512);
}
