"""One call that makes a notebook's printed numbers and plots the same on every run."""

import random

import matplotlib as mpl
import numpy as np
import pandas as pd
import torch

PRECISION = 4
SEED = 0

PLOT_STYLE = {
    "figure.figsize": (6.0, 3.6),
    "figure.dpi": 72,
    "savefig.dpi": 72,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "legend.frameon": False,
    "image.cmap": "viridis",
    "svg.hashsalt": "attention-by-hand",
}


def setup_notebook(seed: int = SEED, precision: int = PRECISION) -> None:
    """Fix print precision (numpy, torch, pandas), the plot style and every random seed.

    Floats print with `precision` decimals in fixed notation, so stored outputs do not depend on
    the last bits of a BLAS build. Seeds `random`, `numpy.random` and `torch` with `seed`.
    """
    np.set_printoptions(precision=precision, suppress=True, floatmode="fixed")
    torch.set_printoptions(precision=precision, sci_mode=False)
    pd.set_option("display.precision", precision)
    mpl.rcParams.update(PLOT_STYLE)
    _use_png_figures()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _use_png_figures() -> None:
    """Inside IPython, show figures as PNG (compact and byte-for-byte reproducible)."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("png", pil_kwargs={"optimize": True})
