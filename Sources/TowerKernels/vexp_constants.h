// Constants of the exp polynomial shared by the portable, AVX2 and AVX-512 kernels (see vexp.c).
#ifndef TOWER_VEXP_CONSTANTS_H
#define TOWER_VEXP_CONSTANTS_H

#define VEXP_HI 88.72283935546875f      // largest x with exp(x) <= FLT_MAX (ln(FLT_MAX) rounded)
#define VEXP_LO (-87.33654022216797f)   // ln(FLT_MIN): below it the result is flushed to 0
#define VEXP_LOG2E 1.44269504088896341f
#define VEXP_C1 0.693359375f
#define VEXP_C2 (-2.12194440e-4f)
#define VEXP_P0 1.9875691500e-4f
#define VEXP_P1 1.3981999507e-3f
#define VEXP_P2 8.3334519073e-3f
#define VEXP_P3 4.1665795894e-2f
#define VEXP_P4 1.6666665459e-1f
#define VEXP_P5 5.0000001201e-1f

#endif
