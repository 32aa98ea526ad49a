"""The toy embeddings of notebook 02: content as in the seeds, checksum enforced."""

import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import data

NAME = "toy_embeddings.json"


def test_checksum_matches_the_file():
    content = (Path(str(data.DATA_DIR)) / NAME).read_bytes()
    assert hashlib.sha256(content).hexdigest() == data.CHECKSUMS[NAME]


def test_journey_embeddings_are_the_seed_values_in_float32():
    journey = data.load_journey_embeddings()
    assert journey.sentence == "Your journey starts with one step"
    assert journey.tokens == journey.sentence.split()
    assert journey.embeddings.dtype == torch.float32
    assert journey.embeddings.shape == (6, 3)
    np.testing.assert_array_equal(
        journey.embeddings[[1, 4]], np.array([[0.55, 0.87, 0.66], [0.77, 0.25, 0.10]], np.float32)
    )


def test_fine_sentences_share_one_static_vector_for_fine():
    police, feeling = data.load_fine_sentences()
    assert police.tokens == ["the", "police", "man", "gave", "me", "a", "fine"]
    assert feeling.tokens == ["i", "am", "feeling", "fine"]
    assert police.embeddings.shape == (7, 2) and feeling.embeddings.shape == (4, 2)
    assert police.embeddings.dtype == feeling.embeddings.dtype == torch.float32
    np.testing.assert_array_equal(police.embeddings[-1], feeling.embeddings[-1])
    np.testing.assert_array_equal(police.embeddings[-1], np.array([0.5, 0.5], np.float32))


def test_fine_context_vectors_reproduce_the_seed_with_torch_only():
    """The seed's numbers, recomputed with torch built-ins (no helper code) from the loaded data.

    The seed used float64 inputs; float32 storage of 0.1 etc. moves the results by about 1e-8.
    """
    contexts = []
    for sentence in data.load_fine_sentences():
        x = sentence.embeddings.double()
        contexts.append(F.scaled_dot_product_attention(x, x, x, scale=1.0)[-1])
    np.testing.assert_allclose(contexts[0], [0.41482016, 0.22562172], atol=1e-7)
    np.testing.assert_allclose(contexts[1], [0.23577608, 0.52729733], atol=1e-7)
    cosine = F.cosine_similarity(contexts[0], contexts[1], dim=0)
    assert cosine.item() == pytest.approx(0.7947668623453286, abs=1e-7)


@pytest.mark.parametrize("loader", [data.load_journey_embeddings, data.load_fine_sentences])
def test_an_altered_file_is_refused(data_copy, loader):
    path = data_copy / NAME
    path.write_text(path.read_text().replace("0.43", "0.44"))
    with pytest.raises(data.DataFileError, match="altered"):
        loader()


@pytest.mark.parametrize("loader", [data.load_journey_embeddings, data.load_fine_sentences])
def test_a_missing_file_is_reported(data_copy, loader):
    (data_copy / NAME).unlink()
    with pytest.raises(data.DataFileError, match="missing"):
        loader()
