// Vector exp declarations (AVX2/FMA, selected at run time).
