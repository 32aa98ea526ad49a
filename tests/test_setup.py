"""setup_notebook(): fixed print precision, plot style and seeds."""

import random

import matplotlib as mpl
import numpy as np
import pandas as pd
import torch

import helpers


def test_print_precision_is_fixed():
    helpers.setup_notebook()
    assert np.array2string(np.array([0.5, 1 / 3])) == "[0.5000 0.3333]"
    assert str(torch.tensor([0.5, 1 / 3])) == "tensor([0.5000, 0.3333])"
    assert pd.get_option("display.precision") == 4


def test_seeds_every_generator():
    helpers.setup_notebook(seed=7)
    drawn = (random.random(), np.random.rand(), torch.rand(1).item())
    random.seed(7)
    np.random.seed(7)
    torch.manual_seed(7)
    assert drawn == (random.random(), np.random.rand(), torch.rand(1).item())


def test_plot_style_is_applied():
    helpers.setup_notebook()
    assert mpl.rcParams["figure.dpi"] == 72
    assert mpl.rcParams["axes.grid"]
