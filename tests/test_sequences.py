"""helpers.sequences: words as notebook 05 splits them, a vocabulary from the training texts,
ids that round-trip, and batches cut or padded to one length."""

import pytest
import torch
from sklearn.feature_extraction.text import CountVectorizer

from helpers import sequences
from helpers.sequences import PAD, UNKNOWN, Vocabulary, encode_batch, tokenize

TEXTS = [
    "A wonderful film, with a DULL ending!",
    "Not good. Not good at all: 2 stars out of 10.",
    "good film; caf\u00e9 scenes and the_end_credits were good",
]


def test_tokenize_splits_like_notebook_05s_count_vectorizer():
    analyzer = CountVectorizer().build_analyzer()
    for text in [*TEXTS, "x y z", "", "it's 1990s' B-movie <i>fun</i>"]:
        assert tokenize(text) == analyzer(text)


def test_the_vocabulary_holds_the_most_frequent_training_words():
    texts = ["good good good film film bad", "film good plot plot", "good bad plot"]
    # counts: good 5, film 3, plot 3, bad 2 -> film and plot tie, broken alphabetically
    vocabulary = Vocabulary.fit(texts)
    assert vocabulary.words == ["<pad>", "<unk>", "good", "film", "plot", "bad"]
    top = Vocabulary.fit(texts, max_size=1)
    reference = CountVectorizer(max_features=1).fit(texts)
    assert top.words[2:] == list(reference.get_feature_names_out())
    assert Vocabulary.fit(texts, min_count=3).words[2:] == ["good", "film", "plot"]


def test_the_vocabulary_does_not_depend_on_the_order_of_the_texts():
    assert Vocabulary.fit(TEXTS).words == Vocabulary.fit(TEXTS[::-1]).words


def test_ids_round_trip_and_unknown_words_get_the_unknown_id():
    vocabulary = Vocabulary.fit(TEXTS)
    for text in TEXTS:
        assert vocabulary.decode(vocabulary.encode(text)) == tokenize(text)
    ids = vocabulary.encode("a good zebra")
    assert ids[0] == vocabulary.index["good"] and ids[1] == UNKNOWN
    assert vocabulary.decode(torch.tensor(ids)) == ["good", "<unk>"]
    assert vocabulary.decode([]) == [] and vocabulary.encode("a !") == []


def test_batches_are_cut_or_padded_after_the_real_tokens():
    vocabulary = Vocabulary.fit(TEXTS)
    ids, lengths = encode_batch(TEXTS, vocabulary, max_length=6)
    assert ids.shape == (3, 6) and ids.dtype == lengths.dtype == torch.int64
    for row, text in enumerate(TEXTS):
        expected = vocabulary.encode(text)[:6]
        assert lengths[row] == len(expected)
        assert ids[row, : len(expected)].tolist() == expected
        assert (ids[row, len(expected) :] == PAD).all()
    short, short_lengths = encode_batch(["good film"], vocabulary, max_length=4)
    assert short_lengths.tolist() == [2] and short[0, 2:].tolist() == [PAD, PAD]


def test_bad_input_is_refused_with_a_clear_message():
    vocabulary = Vocabulary.fit(TEXTS)
    with pytest.raises(TypeError, match="text must be a string"):
        tokenize(3)
    with pytest.raises(TypeError, match="single string"):
        Vocabulary.fit("one review")
    with pytest.raises(ValueError, match="max_length must be at least 1"):
        encode_batch(TEXTS, vocabulary, max_length=0)
    with pytest.raises(ValueError, match="text 1 has no words"):
        encode_batch(["good", "!!"], vocabulary, max_length=4)
    with pytest.raises(TypeError, match="vocabulary must be a Vocabulary"):
        encode_batch(TEXTS, {"good": 2}, max_length=4)
    with pytest.raises(ValueError, match="ids must lie in"):
        vocabulary.decode([0, len(vocabulary)])
    with pytest.raises(TypeError, match="whole numbers"):
        vocabulary.decode([0.5])
    with pytest.raises(ValueError, match="must start with"):
        Vocabulary(["good", "bad"])


def test_the_token_pattern_is_scikit_learns_default():
    assert sequences.TOKEN_PATTERN == CountVectorizer().token_pattern
