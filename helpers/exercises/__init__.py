"""Self-checks for every notebook's exercises.

Each `check_…(your_function)` runs your function on several inputs (including hard ones), compares
with the reference, and returns a verdict that displays as a short message: ✅ correct, ❌ wrong
with a hint aimed at the usual mistake, or ⏳ not attempted yet.
"""

from helpers.exercises._core import Verdict
from helpers.exercises.sgd import check_gradient, check_least_squares_slope, check_sgd_step

__all__ = ["Verdict", "check_gradient", "check_least_squares_slope", "check_sgd_step"]
