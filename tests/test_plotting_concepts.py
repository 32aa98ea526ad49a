"""The singular-value plot and the concept-space scatter draw what they claim to."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.plotting import plot_concept_space, plot_singular_values  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_singular_values_bars_and_cumulative_energy():
    s = np.array([4.0, 2.0, 1.0, 1.0])  # energy 16, 4, 1, 1 of 22
    ax = plot_singular_values(s, target=0.95)
    assert [bar.get_height() for bar in ax.patches] == s.tolist()
    assert [t.get_text() for t in ax.texts] == ["4.00", "2.00", "1.00", "1.00"]
    energy = next(other for other in ax.figure.axes if other is not ax)
    line, target = energy.get_lines()
    np.testing.assert_allclose(line.get_ydata(), 100 * np.array([16, 20, 21, 22]) / 22)
    assert target.get_ydata()[0] == pytest.approx(95)


@pytest.mark.parametrize("s", [np.ones((2, 2)), np.zeros(3), [3.0, -1.0], []])
def test_singular_values_plot_refuses_bad_input(s):
    with pytest.raises(ValueError, match=r"s must .*shape \(r,\)"):
        plot_singular_values(s)


def test_singular_values_target_line_is_labelled_on_the_energy_axis():
    ax = plot_singular_values([4.0, 2.0], target=0.95)
    energy = next(other for other in ax.figure.axes if other is not ax)
    assert [t.get_text() for t in energy.texts] == ["95 % energy target (right axis)"]
    assert energy.texts[0].xy[1] == pytest.approx(95)


def test_concept_space_labels_points_and_merges_coincident_ones():
    points = np.array([[1.0, 0.0], [0.5, 0.5], [1.0, 0.0], [0.0, 2.0]])
    ax = plot_concept_space(points, ["A", "B", "C", "D"], arrows=("D",), xlabel="x")
    assert sorted(t.get_text() for t in ax.texts if t.get_text()) == ["A = C", "B", "D"]
    arrows = [t for t in ax.texts if t.get_text() == "" and t.arrow_patch is not None]
    assert len(arrows) == 1 and arrows[0].xy == (0.0, 2.0)
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "concept 2"


def test_concept_space_refuses_labels_that_do_not_fit():
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        plot_concept_space(np.ones((2, 2)), ["a", "b", "c"])
