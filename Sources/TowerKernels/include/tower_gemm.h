// GEMM micro-kernel declarations (AVX2/FMA, selected at run time).
