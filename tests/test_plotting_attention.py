"""The attention heat map and the 2-d vector plot draw what they claim to."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers.plotting import plot_attention_heatmap, plot_vectors_2d  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_heatmap_annotates_every_cell_and_labels_the_axes():
    weights = torch.softmax(torch.tensor([[1.0, 2.0, 0.5], [0.0, 0.0, 3.0]]), dim=1)
    ax = plot_attention_heatmap(weights, ["q1", "q2"], ["a", "b", "c"], title="t")
    texts = [t.get_text() for t in ax.texts]
    assert texts == [f"{w:.2f}" for w in weights.flatten().tolist()]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["q1", "q2"]
    assert ax.get_title() == "t"


def test_heatmap_marks_masked_cells():
    scores = np.array([[0.5, -np.inf], [0.4, 1.0]])
    ax = plot_attention_heatmap(scores, ["x", "y"], ["x", "y"], decimals=1)
    assert [t.get_text() for t in ax.texts] == ["0.5", "masked", "0.4", "1.0"]


def test_heatmap_refuses_labels_that_do_not_fit():
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        plot_attention_heatmap(np.ones((2, 2)), ["a", "b"], ["a", "b", "c"])


def test_vectors_are_arrows_from_the_origin_with_labels():
    vectors = torch.tensor([[0.5, 0.5], [0.9, 0.1]])
    ax = plot_vectors_2d(vectors, ["fine", "police"], colors=["black", "C0"])
    arrows = [t for t in ax.texts if t.arrow_patch is not None]
    np.testing.assert_allclose([a.xy for a in arrows], [[0.5, 0.5], [0.9, 0.1]], rtol=1e-6)
    assert all(tuple(a.xyann) == (0, 0) for a in arrows)
    assert {t.get_text() for t in ax.texts} >= {"fine", "police"}
    assert ax.get_xlim()[1] >= 0.9 and ax.get_ylim()[1] >= 0.5


def test_vectors_must_be_two_dimensional():
    with pytest.raises(ValueError, match=r"\(1, 2\)"):
        plot_vectors_2d([[1.0, 2.0, 3.0]], ["x"])
