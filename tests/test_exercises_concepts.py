"""Notebook 04's self-checks: right answers pass, typical wrong ones get their own hint."""

import numpy as np
import pytest

from helpers import exercises


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    "check",
    [exercises.check_to_concepts, exercises.check_k_for_energy, exercises.check_truncation_error],
)
def test_not_attempted(check):
    verdict = check(not_attempted)
    assert verdict.status == "not attempted" and "NotImplementedError" in verdict.message


def test_to_concepts_check():
    assert exercises.check_to_concepts(lambda x, Vt_k: x @ Vt_k.T).passed
    assert exercises.check_to_concepts(lambda x, Vt_k: np.einsum("n,kn->k", x, Vt_k)).passed


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda x, Vt_k: x @ Vt_k.T @ Vt_k, "back into movie space"),
        (lambda x, Vt_k: x / np.linalg.norm(x) @ Vt_k.T, "do not normalize"),
        (lambda x, Vt_k: np.abs(x @ Vt_k.T), "keep the signs"),
        (lambda x, Vt_k: x @ Vt_k, "raised ValueError"),
        (lambda x, Vt_k: -(x @ Vt_k.T), "dot product of the ratings with one row"),
    ],
)
def test_to_concepts_hints(wrong, hint):
    verdict = exercises.check_to_concepts(wrong)
    assert verdict.status == "failed" and hint in verdict.message


def right_k_for_energy(s, fraction):
    energy = np.asarray(s, dtype=float) ** 2
    kept = 0.0
    for k, e in enumerate(energy, start=1):
        kept += e
        if kept >= fraction * energy.sum() - 1e-12:
            return k
    return len(energy)


def test_k_for_energy_check():
    assert exercises.check_k_for_energy(right_k_for_energy).passed


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda s, f: int(np.searchsorted(np.cumsum(s) / np.sum(s), f)) + 1, "square s"),
        (lambda s, f: right_k_for_energy(s, f) - 1, "off by one"),
        (lambda s, f: int(np.argmax(np.cumsum(s**2) / np.sum(s**2) > f)) + 1, "means >="),
        (lambda s, f: np.cumsum(s**2) / np.sum(s**2), "first k"),
    ],
)
def test_k_for_energy_hints(wrong, hint):
    verdict = exercises.check_k_for_energy(wrong)
    assert verdict.status == "failed" and hint in verdict.message


def test_truncation_error_check():
    assert exercises.check_truncation_error(lambda s, k: np.linalg.norm(s[k:])).passed


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda s, k: s[k] if k < len(s) else 0.0, "only nonzero one dropped"),
        (lambda s, k: np.sum(s[k:] ** 2), "take the square root"),
        (lambda s, k: np.sum(s[k:]), "right triangle"),
        (lambda s, k: np.linalg.norm(s[k + 1 :]), "off by one"),
        (lambda s, k: np.linalg.norm(s[k - 1 :]), "s[k-1:] also drops the k-th"),
        (lambda s, k: np.linalg.norm(s[:k]), "comes from the singular values you drop"),
    ],
)
def test_truncation_error_hints(wrong, hint):
    verdict = exercises.check_truncation_error(wrong)
    assert verdict.status == "failed" and hint in verdict.message
