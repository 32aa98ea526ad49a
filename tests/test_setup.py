"""setup_notebook(): fixed print precision, plot style and seeds."""

import os
import random
import subprocess
import sys

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
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
    assert mpl.rcParams["figure.dpi"] == 80
    assert mpl.rcParams["axes.grid"]


@pytest.mark.parametrize(
    ("arguments", "error", "named"),
    [
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 2**32}, ValueError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"seed": True}, TypeError, "seed"),
        ({"precision": -1}, ValueError, "precision"),
        ({"precision": 17}, ValueError, "precision"),
        ({"precision": "4"}, TypeError, "precision"),
        ({"precision": None}, TypeError, "precision"),
    ],
)
def test_bad_arguments_raise_and_change_nothing(arguments, error, named):
    helpers.setup_notebook()
    before = (np.get_printoptions()["precision"], pd.get_option("display.precision"))
    with pytest.raises(error, match=named):
        helpers.setup_notebook(**arguments)
    assert (np.get_printoptions()["precision"], pd.get_option("display.precision")) == before
    assert str(torch.tensor([1 / 3])) == "tensor([0.3333])"


def test_numpy_integers_are_accepted():
    helpers.setup_notebook(seed=np.int64(3), precision=np.int32(4))
    assert np.array2string(np.array([1 / 3])) == "[0.3333]"


def test_figures_are_stored_as_retina_palette_pngs():
    import io

    import matplotlib.pyplot as plt
    from PIL import Image

    from helpers.setup import retina_png

    helpers.setup_notebook()
    figure, ax = plt.subplots()
    ax.plot([0, 1, 2], [0, 1, 4])
    png, size = retina_png(figure)
    plt.close(figure)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P", "a palette PNG, a third of the bytes of a full-colour one"
    width, height = image.size
    assert (size["width"], size["height"]) == (width // 2, height // 2), "shown at half its pixels"
    assert size["width"] > 300


def test_an_empty_figure_shows_nothing():
    import matplotlib.pyplot as plt

    from helpers.setup import retina_png

    figure = plt.figure()
    assert retina_png(figure) is None
    plt.close(figure)


POOLS = """
import helpers, threadpoolctl, torch
helpers.setup_notebook()
import scipy.linalg, sklearn.linear_model  # pools that load after the setup cell
pools = threadpoolctl.threadpool_info()
print(sorted({(pool["internal_api"], pool["num_threads"]) for pool in pools}), end=" ")
print(torch.get_num_threads())
"""


def pool_threads(**variables) -> str:
    """The kinds and thread counts of the native pools threadpoolctl finds, and torch's thread
    count, after setup_notebook() in a fresh interpreter whose only thread variables are
    `variables`. numpy's OpenBLAS must be among them (threadpoolctl < 3.5 cannot see it)."""
    env = {k: v for k, v in os.environ.items() if k not in helpers.setup.THREAD_VARIABLES}
    env.update(variables)
    run = subprocess.run([sys.executable, "-c", POOLS], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_one_thread_everywhere_when_the_environment_names_no_count():
    # As on Colab: without this, OpenBLAS and OpenMP threads oversubscribe two cores.
    assert pool_threads() == "[('openblas', 1), ('openmp', 1)] 1"


def test_a_thread_count_set_in_the_environment_is_kept():
    assert pool_threads(OMP_NUM_THREADS="2") == "[('openblas', 2), ('openmp', 2)] 2"
