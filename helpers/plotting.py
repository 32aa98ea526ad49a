"""Plots the notebooks use. Each function draws on a new figure (or on `ax`) and returns the Axes;
notebook cells end with `plt.show()`.
"""

import matplotlib.pyplot as plt
import numpy as np

from helpers._validate import as_array


def _axes(ax):
    return ax if ax is not None else plt.figure().add_subplot()


def _arrow(ax, x, y, color, linestyle="-"):
    """An arrow from the origin to (x, y)."""
    style = {"arrowstyle": "-|>", "color": color, "linestyle": linestyle, "linewidth": 1.5}
    ax.annotate("", xy=(x, y), xytext=(0, 0), arrowprops={**style, "shrinkA": 0, "shrinkB": 0})


def plot_loss_curve(losses, ax=None, label=None, xlabel="step", log=True):
    """Line plot of a loss history, shape (steps,), on a log scale by default."""
    ax = _axes(ax)
    ax.plot(np.arange(len(losses)), losses, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("mean squared error")
    if log:
        ax.set_yscale("log")
    if label is not None:
        ax.legend()
    return ax


def plot_weight_trajectories(runs, target=None, ax=None, xlabel="step"):
    """One line per run of w over the steps; `runs` maps a label to weights of shape (steps,).

    `target`, if given, draws the best weight as a dashed horizontal line.
    """
    ax = _axes(ax)
    for label, weights in runs.items():
        ax.plot(np.arange(len(weights)), weights, label=label)
    if target is not None:
        label = f"best w = {target:.4f}"
        ax.axhline(target, color="black", linestyle="--", linewidth=1, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("w")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def _numpy(values) -> np.ndarray:
    """A tensor, array or nested list as a float numpy array (tensors are detached first)."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=float)


def _labels(labels, name: str, count: int | None = None) -> list[str]:
    """`labels` (a list, tuple or array of names) as a list of strings, `count` of them."""
    if (
        labels is None
        or isinstance(labels, (str, bytes, dict, set))
        or not hasattr(labels, "__len__")
    ):
        raise TypeError(
            f"{name} must be a list of labels (one per row or column), got {type(labels).__name__}"
        )
    labels = [str(label) for label in labels]
    if count is not None and len(labels) != count:
        raise ValueError(f"{name} must hold {count} labels, got {len(labels)}")
    return labels


def _styles(styles, name: str, count: int, default: list[str]) -> list[str]:
    """None (the default styles) or a list of `count` matplotlib colors or line styles."""
    if styles is None:
        return default
    return _labels(styles, name, count)


def _plot_options(ax, title) -> None:
    if ax is not None and not isinstance(ax, plt.Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}")


def _heatmap_values(weights) -> np.ndarray:
    """weights (m, n) as a float array: numbers or booleans; -inf (a masked score) allowed."""
    if hasattr(weights, "detach"):
        weights = weights.detach().cpu().numpy()
    try:
        values = np.asarray(weights)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"weights must be a rectangular (m, n) matrix: {err}") from None
    if weights is None or values.dtype.kind not in "biuf":
        raise TypeError(
            f"weights must be an (m, n) matrix of numbers, got {type(weights).__name__} of "
            f"dtype {values.dtype}"
        )
    values = values.astype(float)
    if values.ndim != 2 or values.size == 0:
        raise ValueError(
            f"weights must be a non-empty (m, n) matrix, got shape {tuple(values.shape)}"
        )
    if np.isnan(values).any() or np.isposinf(values).any():
        raise ValueError("weights contains NaN or +inf; only -inf (a masked score) may be drawn")
    return values


def plot_attention_heatmap(
    weights,
    row_labels,
    col_labels,
    ax=None,
    title=None,
    decimals=2,
    xlabel="key (attended to)",
    ylabel="query (attending)",
):
    """Heat map of an (m, n) matrix, each cell annotated with its value to `decimals` places.

    Rows are queries (`row_labels`, m of them), columns are keys (`col_labels`, n of them).
    Cells of -inf (masked scores) are drawn grey and labelled "masked"; NaN or +inf is refused.
    Works for attention weights, raw scores and boolean masks alike.
    """
    values = _heatmap_values(weights)
    row_labels = _labels(row_labels, "row_labels")
    col_labels = _labels(col_labels, "col_labels")
    if values.shape != (len(row_labels), len(col_labels)):
        raise ValueError(
            f"weights must have shape (len(row_labels), len(col_labels)) = "
            f"({len(row_labels)}, {len(col_labels)}), got {values.shape}"
        )
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(f"decimals must be a whole number, got {type(decimals).__name__}")
    if not 0 <= decimals <= 10:
        raise ValueError(f"decimals must be between 0 and 10, got {decimals}")
    _plot_options(ax, title)
    ax = _axes(ax)
    finite = np.isfinite(values)
    cmap = plt.get_cmap("Blues").with_extremes(bad="lightgrey")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    middle = (values[finite].min() + values[finite].max()) / 2 if finite.any() else 0.0
    for i, j in np.ndindex(values.shape):
        text = f"{values[i, j]:.{decimals}f}" if finite[i, j] else "masked"
        dark = finite[i, j] and values[i, j] > middle
        ax.text(
            j, i, text, ha="center", va="center", fontsize=8, color="white" if dark else "black"
        )
    ax.set_xticks(range(len(col_labels)), col_labels, rotation=45, ha="right")
    ax.set_yticks(range(len(row_labels)), row_labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(False)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_vectors_2d(vectors, labels, ax=None, title=None, colors=None, linestyles=None):
    """Arrows from the origin to each of k 2-d vectors, shape (k, 2), labelled at their tips.

    `colors` and `linestyles` (k entries each) style the arrows; the axes keep equal scale, so
    angles between arrows look as they are.
    """
    points = as_array(vectors, "vectors", 2, "(k, 2)", allow_int=True)
    labels = _labels(labels, "labels")
    if points.shape != (len(labels), 2):
        raise ValueError(
            f"vectors must have shape (len(labels), 2) = ({len(labels)}, 2), got {points.shape}"
        )
    colors = _styles(colors, "colors", len(points), [f"C{i}" for i in range(len(points))])
    linestyles = _styles(linestyles, "linestyles", len(points), ["-"] * len(points))
    _plot_options(ax, title)
    ax = _axes(ax)
    for (x, y), label, color, style in zip(points, labels, colors, linestyles, strict=True):
        _arrow(ax, x, y, color, style)
        ax.annotate(label, xy=(x, y), xytext=(4, 4), textcoords="offset points", color=color)
    reach = max(1e-9, float(np.abs(points).max())) * 1.25
    ax.set_xlim(min(0.0, points[:, 0].min() * 1.25) - 0.05 * reach, reach)
    ax.set_ylim(min(0.0, points[:, 1].min() * 1.25) - 0.05 * reach, reach)
    ax.set_aspect("equal")
    ax.set_xlabel("dimension 1")
    ax.set_ylabel("dimension 2")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_singular_values(s, ax=None, target=None):
    """Bars of the singular values s, shape (r,), with the cumulative energy kept on a second axis.

    Energy kept by the first k concepts: sum(s[:k] ** 2) / sum(s ** 2), drawn in percent.
    `target` (e.g. 0.95) draws that fraction as a dashed line. Returns the bars' Axes.
    """
    values = _numpy(s)
    if values.ndim != 1 or len(values) == 0 or not np.isfinite(values).all() or values.sum() <= 0:
        raise ValueError(
            f"s must be finite singular values of shape (r,), not all 0, got {values.shape}"
        )
    ax = _axes(ax)
    ks = np.arange(1, len(values) + 1)
    bars = ax.bar(ks, values, color="C0", alpha=0.7, label="singular value")
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=8)
    ax.set_xticks(ks)
    ax.set_xlabel("concept k")
    ax.set_ylabel("singular value", color="C0")
    energy = ax.twinx()
    energy.plot(
        ks,
        100 * np.cumsum(values**2) / np.sum(values**2),
        color="C3",
        marker="o",
        label="energy kept by the first k",
    )
    if target is not None:
        energy.axhline(
            100 * target,
            color="C3",
            linestyle="--",
            linewidth=1,
            label=f"{100 * target:.0f} % of the energy",
        )
    energy.set_ylim(0, 105)
    energy.set_ylabel("cumulative energy (%)", color="C3")
    energy.grid(False)
    energy.spines["right"].set_visible(True)
    handles = [h for a in (ax, energy) for h in a.get_legend_handles_labels()[0]]
    energy.legend(handles=handles, loc="center right")
    return ax


def plot_concept_space(
    points,
    labels,
    ax=None,
    arrows=(),
    title=None,
    xlabel="concept 1",
    ylabel="concept 2",
    color="C0",
):
    """Scatter of p points in a 2-d concept space, shape (p, 2), each labelled.

    Points whose label is in `arrows` are drawn as arrows from the origin (in orange, labelled
    below left), so the angle between them, which is what cosine similarity measures, is
    visible; both axes share one scale, so angles look as they are. Points at the same place
    (to 4 decimals) share one label, e.g. "Star Wars = Iron Man".
    """
    points = _numpy(points)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) != len(labels):
        raise ValueError(
            f"points must have shape (len(labels), 2) = ({len(labels)}, 2), got {points.shape}"
        )
    ax = _axes(ax)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.axvline(0, color="grey", linewidth=0.8)
    places = {}
    for point, label in zip(points, labels, strict=True):
        places.setdefault(tuple(np.round(point, 4)), []).append(label)
    for (x, y), names in places.items():
        highlighted = any(name in arrows for name in names)
        if highlighted:
            _arrow(ax, x, y, "C1")
        ax.plot(x, y, "o", color="C1" if highlighted else color)
        ax.annotate(
            " = ".join(names),
            xy=(x, y),
            xytext=(-4, -12) if highlighted else (4, 4),
            textcoords="offset points",
            ha="right" if highlighted else "left",
            fontsize=9,
            color="C1" if highlighted else "black",
        )
    ax.margins(0.15)  # room for the labels of points at the edge
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_top_words(table, ax=None, title=None):
    """Horizontal bars of word weights: `table` has columns word and weight (as from
    helpers.text.top_words), drawn top to bottom in its row order; positive in blue, negative in
    orange. The word labels are drawn without antialiasing: at retina resolution they stay sharp,
    and the stored PNG is a quarter of the size."""
    try:
        words, weights = [str(word) for word in table["word"]], table["weight"]
    except (TypeError, KeyError, IndexError):
        raise TypeError(
            "table must be a DataFrame with columns word and weight (as from "
            f"helpers.text.top_words), got {type(table).__name__}"
        ) from None
    weights = as_array(weights, "table['weight']", 1, "(k,) with one weight per word", True)
    if len(words) != len(weights):
        raise ValueError(
            f"table must have one weight per word: {len(words)} words, {len(weights)} weights"
        )
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}")
    if ax is None:
        ax = plt.figure(figsize=(5.0, 0.2 * len(words) + 1.0)).add_subplot()
    elif not isinstance(ax, plt.Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    positions = np.arange(len(weights))[::-1]
    ax.barh(positions, weights, color=np.where(weights >= 0, "tab:blue", "tab:orange"))
    ax.set_yticks(positions, words)
    for label in ax.get_yticklabels():
        label.set_antialiased(False)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("weight (positive pushes towards a positive review)")
    if title is not None:
        ax.set_title(title)
    return ax
