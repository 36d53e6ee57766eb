#ifndef TOWER_KERNELS_H
#define TOWER_KERNELS_H

#include <stddef.h>

/// Returns 1 when the CPU supports AVX2 and FMA (x86-64), 0 otherwise.
int tower_cpu_has_avx2_fma(void);

/// Returns 1 when the CPU (and OS) support AVX-512F and FMA, 0 otherwise.
int tower_cpu_has_avx512f(void);

#include "tower_gemm.h"
#include "tower_vexp.h"
#include "tower_bf16.h"

#endif
