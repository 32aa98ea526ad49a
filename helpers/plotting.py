"""Plots the notebooks use. Each function draws on a new figure (or on `ax`) and returns the Axes;
notebook cells end with `plt.show()`.
"""

import matplotlib.pyplot as plt
import numpy as np


def _axes(ax):
    return ax if ax is not None else plt.figure().add_subplot()


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
        ax.plot(np.arange(len(weights)), weights, marker=".", markersize=3, label=label)
    if target is not None:
        ax.axhline(target, color="black", linestyle="--", linewidth=1, label=f"best w = {target:.4f}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("w")
    ax.legend()
    return ax
