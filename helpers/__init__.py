"""Attention by Hand: the tested form of everything the notebooks derive by hand.

Modules, one topic each: `data` (bundled data sets), `sgd` (notebook 01), `attention` (02, 03),
`concepts` (04), `text` (05), `plotting`, `exercises` (self-checks for every notebook), and
`claims` (`claim`, the check behind every sentence about a computed result).
"""

from helpers import exercises
from helpers.claims import ClaimError, claim
from helpers.setup import setup_notebook

__all__ = ["ClaimError", "claim", "exercises", "setup_notebook"]
__version__ = "0.1.0"
