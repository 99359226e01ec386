"""What turns a gradient check's numbers into what the student reads.

`gradcheck` (w2v_lib/gradcheck.py) measures; this package words the result:
labels (coordinates as "u_3 ('cup'), dim 2"), finding (the check's error measure and wording
helpers), diagnosis and offsets (the catalogue of known mistakes, tried in order), plot (bars for
a vector, a heat map for a table).
"""
from .diagnosis import PATTERN_KEYS, diagnose, diagnose_shape
from .labels import row_labels, stacked_labels, vector_labels

__all__ = ["PATTERN_KEYS", "diagnose", "diagnose_shape", "row_labels", "stacked_labels", "vector_labels"]
