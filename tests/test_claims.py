"""claim(): the check behind every sentence about a computed result."""

import numpy as np
import pytest
import torch

from helpers import ClaimError, claim


@pytest.mark.parametrize("truth", [True, np.bool_(True), torch.tensor(True), torch.tensor([True])])
def test_a_true_claim_prints_its_statement(truth, capsys):
    claim(truth, "the loss went down")
    assert capsys.readouterr().out == "✓ the loss went down\n"


@pytest.mark.parametrize("falsehood", [False, np.bool_(False), torch.tensor(False)])
def test_a_false_claim_raises_and_quotes_the_sentence(falsehood, capsys):
    with pytest.raises(ClaimError, match="the loss went down"):
        claim(falsehood, "the loss went down")
    assert capsys.readouterr().out == ""


def test_a_false_claim_is_an_assertion_error():
    assert issubclass(ClaimError, AssertionError)


@pytest.mark.parametrize(
    "ambiguous", [np.array([True, False]), torch.tensor([True, True]), 1, 0.0, "yes", None]
)
def test_anything_but_one_truth_value_is_refused(ambiguous):
    with pytest.raises(TypeError, match="condition must be a single truth value"):
        claim(ambiguous, "something")


@pytest.mark.parametrize("statement", ["", "   ", None, 3])
def test_the_statement_must_be_a_sentence(statement):
    with pytest.raises(TypeError, match="statement"):
        claim(True, statement)
