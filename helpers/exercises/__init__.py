"""Self-checks for every notebook's exercises.

Each `check_…(your_function)` runs your function on several inputs (including hard ones), compares
with the reference, and returns a verdict that displays as a short message: ✅ correct, ❌ wrong
with a hint aimed at the usual mistake, or ⏳ not attempted yet.
"""

from helpers.exercises._core import Verdict
from helpers.exercises.attention import (
    check_context_vector,
    check_self_attention,
    check_softmax,
)
from helpers.exercises.concepts import (
    check_k_for_energy,
    check_to_concepts,
    check_truncation_error,
)
from helpers.exercises.qkv import (
    check_causal_attention_weights,
    check_multi_head_parameter_count,
    check_scaled_dot_product_attention,
)
from helpers.exercises.sgd import check_gradient, check_least_squares_slope, check_sgd_step
from helpers.exercises.text import (
    check_csr_memory,
    check_dense_memory,
    check_document_term_matrix,
)

__all__ = ["Verdict", "check_gradient", "check_least_squares_slope", "check_sgd_step"]
__all__ += ["check_k_for_energy", "check_to_concepts", "check_truncation_error"]
__all__ += ["check_context_vector", "check_self_attention", "check_softmax"]
__all__ += [
    "check_causal_attention_weights",
    "check_multi_head_parameter_count",
    "check_scaled_dot_product_attention",
]
__all__ += ["check_csr_memory", "check_dense_memory", "check_document_term_matrix"]
