"""Attention by Hand: the tested form of everything the notebooks derive by hand.

Modules, one topic each: `data` (bundled data sets), `sgd` (notebook 01), `attention` (02, 03),
`concepts` (04), `text` (05), `plotting`, and `exercises` (self-checks for every notebook).
"""

from helpers import exercises
from helpers.setup import setup_notebook

__all__ = ["exercises", "setup_notebook"]
__version__ = "0.1.0"
