"""One call that makes a notebook's printed numbers and plots the same on every run."""

import io
import os
import random

import matplotlib as mpl
import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure
from PIL import Image
from threadpoolctl import threadpool_limits

PRECISION = 4
SEED = 0
# One thread per native pool, as under `make`: on two cores, OpenBLAS's threads and the OpenMP
# threads of torch and scikit-learn fight over them and a small fit takes seconds, not a tenth.
THREADS = 1
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# Figures are drawn at 80 dpi and stored as "retina" PNGs (twice the pixels, shown at the
# logical size): sharp on a HiDPI screen and on a projector, 480 × 288 px on the page and
# 960 × 576 px in the file. savefig.dpi matches, for figures saved to a file.
PLOT_STYLE = {
    "figure.figsize": (6.0, 3.6),
    "figure.dpi": 80,
    "savefig.dpi": 160,
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
    """Fix print precision (numpy, torch, pandas), the plot style, every random seed and,
    unless the environment sets a thread count, the number of threads.

    Floats print with `precision` decimals (a whole number from 0 to 16) in fixed notation, so
    stored outputs do not depend on the last bits of a BLAS build. Seeds `random`,
    `numpy.random` and `torch` with `seed` (a whole number from 0 to 2**32 - 1). Both are
    checked before anything changes: a bad argument raises and leaves the kernel as it was.
    When none of THREAD_VARIABLES is set (as on Colab), BLAS, OpenMP and torch use one thread.
    """
    seed = _whole_number(seed, "seed", 0, 2**32 - 1)
    precision = _whole_number(precision, "precision", 0, 16)
    np.set_printoptions(precision=precision, suppress=True, floatmode="fixed")
    torch.set_printoptions(precision=precision, sci_mode=False)
    pd.set_option("display.precision", precision)
    mpl.rcParams.update(PLOT_STYLE)
    _use_png_figures()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    _limit_threads()


def _whole_number(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name} must be a whole number from {low} to {high}, got {type(value).__name__}"
        )
    if not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value}")
    return int(value)


def _use_png_figures() -> None:
    """Inside IPython, show every figure as `retina_png` draws it; elsewhere, change nothing."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    # Jupyter's inline backend loads at the first plot and then installs its own PNG formatter,
    # replacing any other: load it now, so that ours, registered after it, is the one used.
    if "inline" in mpl.get_backend():
        import matplotlib_inline.backend_inline  # noqa: F401

    shell.display_formatter.formatters["image/png"].for_type(Figure, retina_png)


def retina_png(figure: Figure) -> tuple[bytes, dict] | None:
    """`figure` as a PNG at twice its dpi, in a palette of 256 colours, with its display size.

    Twice the pixels make lines and text sharp on HiDPI screens and projectors; the metadata
    (width, height: half the pixels) keeps the figure its usual size on the page. A plot needs
    far fewer than 256 colours, so the palette keeps it sharp at a third of the bytes of a
    full-colour PNG. Returns (png_bytes, {"width": w, "height": h}), or None for a figure with
    nothing drawn on it (as Jupyter's own formatter does).
    """
    if not figure.axes and not figure.lines:
        return None
    drawn = io.BytesIO()
    figure.savefig(drawn, format="png", dpi=2 * figure.dpi, bbox_inches="tight")
    image = Image.open(drawn).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    stored = io.BytesIO()
    palette.save(stored, format="png", optimize=True)
    width, height = image.size
    return stored.getvalue(), {"width": width // 2, "height": height // 2}


def _limit_threads() -> None:
    """Use THREADS threads in every native pool unless a THREAD_VARIABLES entry asks otherwise.

    threadpoolctl limits the pools already loaded (numpy's OpenBLAS, torch's OpenMP); the
    variables, set here, reach those loaded later (scipy's OpenBLAS, scikit-learn's OpenMP),
    which read them when they load. torch also keeps a count of its own.
    """
    if any(os.environ.get(name) for name in THREAD_VARIABLES):
        return
    os.environ.update(dict.fromkeys(THREAD_VARIABLES, str(THREADS)))
    threadpool_limits(limits=THREADS)
    torch.set_num_threads(THREADS)
