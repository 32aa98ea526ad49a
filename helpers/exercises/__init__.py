"""Self-checks for every notebook's exercises.

Each `check_…(your_function)` runs your function on several inputs (including hard ones), compares
with the reference, and returns a verdict that displays as a short message: ✅ correct, ❌ wrong
with a hint aimed at the usual mistake, or ⏳ not attempted yet.

A check's module (and what it needs, such as scikit-learn for notebook 05) is imported the first
time the check is used, so `import helpers` stays quick in every notebook.
"""

from importlib import import_module

from helpers.exercises._core import Verdict

# Every check, and the module of helpers.exercises that defines it (one module per notebook).
_CHECKS = {
    "check_gradient": "sgd",
    "check_sgd_step": "sgd",
    "check_line_fit": "sgd",
    "check_softmax": "attention",
    "check_context_vector": "attention",
    "check_self_attention": "attention",
    "check_scaled_dot_product_attention": "qkv",
    "check_causal_attention_weights": "qkv",
    "check_split_heads": "qkv",
    "check_merge_heads": "qkv",
    "check_to_concepts": "concepts",
    "check_k_for_energy": "concepts",
    "check_truncation_error": "concepts",
    "check_document_term_matrix": "text",
    "check_dense_memory": "text",
    "check_csr_memory": "text",
    "check_masked_mean": "capstone",
    "check_pooling_weights": "capstone",
    "check_cut_or_pad": "capstone",
    "check_merge_softmax_states": "tiled",
    "check_causal_blocks": "tiled",
    "check_tiled_attention": "tiled",
}

__all__ = ["Verdict", *_CHECKS]


def __getattr__(name: str):
    if name not in _CHECKS:
        raise AttributeError(f"module 'helpers.exercises' has no attribute {name!r}")
    return getattr(import_module(f"helpers.exercises.{_CHECKS[name]}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
