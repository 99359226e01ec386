"""Say which of numpy's SIMD dispatch targets are active; with --expect-no-avx512, fail if any AVX-512 one is.

NPY_DISABLE_CPU_FEATURES takes different names in numpy 1.x (AVX512F, AVX512_SKX, ...) and 2.x
(X86_V4, AVX512_ICL, ...); this check proves the switch took effect with the numpy installed.
"""
import sys

import numpy as np

try:
    from numpy._core import _multiarray_umath as umath
except ImportError:  # numpy 1.x
    from numpy.core import _multiarray_umath as umath

active = [name for name in umath.__cpu_dispatch__ if umath.__cpu_features__.get(name)]
print(f"numpy {np.__version__}: active SIMD dispatch targets: {' '.join(active) or 'none beyond the baseline'}")
if "--expect-no-avx512" in sys.argv:
    avx512 = [name for name in active if name.startswith("AVX512") or name == "X86_V4"]
    if avx512:
        sys.exit(f"AVX-512 dispatch is still on ({' '.join(avx512)}): NPY_DISABLE_CPU_FEATURES did not take effect")
