"""Reviews as sequences of token ids, cut or padded to one length (notebook 06).

A bag of words (notebook 05) keeps counts; an attention model needs the tokens themselves, in
order. Shapes: a batch of n documents becomes `ids` of shape (n, max_length), int64, padded with
`PAD` = 0 after the real tokens, and `lengths` of shape (n,): how many entries of each row are
real tokens. `helpers.attention.padding_mask(lengths, max_length)` turns the lengths into the
mask attention needs.

A word is what notebook 05's `CountVectorizer` calls a word: the text lowercased, then every run
of two or more word characters (letters, digits or underscores), `TOKEN_PATTERN`.
"""

import re
from collections import Counter
from typing import NamedTuple

import torch

from helpers._validate import positive_int
from helpers.text import check_corpus

TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's default token_pattern
PAD, UNKNOWN = (
    0,
    1,
)  # ids 0 and 1: padding after the real tokens, and any word not in the vocabulary
PAD_TOKEN, UNKNOWN_TOKEN = "<pad>", "<unk>"
_TOKEN = re.compile(TOKEN_PATTERN)


def tokenize(text: str) -> list[str]:
    """The words of `text`, lowercased and in order, as notebook 05's CountVectorizer splits it."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    return _TOKEN.findall(text.lower())


class Vocabulary:
    """Words <-> ids: `PAD` = 0, `UNKNOWN` = 1, then the words by falling count from 2 on.

    Build it with `Vocabulary.fit(training_texts, ...)` on the training texts only, so that
    nothing about validation or test texts leaks into the model. `words[i]` is the word of id i.
    """

    def __init__(self, words):
        words = list(words)
        if len(words) < 2 or words[:2] != [PAD_TOKEN, UNKNOWN_TOKEN]:
            raise ValueError(f"words must start with {PAD_TOKEN!r} and {UNKNOWN_TOKEN!r}")
        if len(set(words)) != len(words):
            raise ValueError("words must not repeat: each word needs exactly one id")
        self.words = words
        self.index = {word: i for i, word in enumerate(words)}

    @classmethod
    def fit(cls, texts, max_size: int | None = None, min_count: int = 1) -> "Vocabulary":
        """The words of `texts` (a list of n strings) that occur at least `min_count` times.

        The most frequent come first; equal counts are ordered alphabetically, so the ids never
        depend on the order of the texts. With `max_size`, only the `max_size` most frequent
        words are kept (plus the two special tokens).
        """
        texts, _ = check_corpus(texts)
        min_count = positive_int(min_count, "min_count")
        counts = Counter(word for text in texts for word in tokenize(text))
        ranked = sorted(
            (w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w)
        )
        if max_size is not None:
            ranked = ranked[: positive_int(max_size, "max_size")]
        return cls([PAD_TOKEN, UNKNOWN_TOKEN, *ranked])

    def __len__(self) -> int:
        return len(self.words)

    def __repr__(self) -> str:
        return (
            f"Vocabulary({len(self)} ids: {PAD_TOKEN}, {UNKNOWN_TOKEN} and {len(self) - 2} words)"
        )

    def encode(self, text: str) -> list[int]:
        """The id of every word of `text`, in order; a word outside the vocabulary gets UNKNOWN."""
        return [self.index.get(word, UNKNOWN) for word in tokenize(text)]

    def decode(self, ids) -> list[str]:
        """The word of every id in `ids` (a list, array or 1-d tensor of ints)."""
        ids = torch.as_tensor(ids)
        if ids.dim() == 1 and ids.numel() == 0:
            return []
        if ids.dim() != 1 or ids.is_floating_point() or ids.dtype == torch.bool:
            raise TypeError(
                f"ids must be a 1-d sequence of whole numbers, got {ids.dtype} {tuple(ids.shape)}"
            )
        if not (0 <= int(ids.min()) and int(ids.max()) < len(self)):
            raise ValueError(
                f"ids must lie in 0..{len(self) - 1}, got {int(ids.min())}..{int(ids.max())}"
            )
        return [self.words[i] for i in ids.tolist()]


class Encoded(NamedTuple):
    """A batch of token ids, (n, max_length) int64 padded with PAD, and its lengths (n,)."""

    ids: torch.Tensor
    lengths: torch.Tensor


def encode_batch(texts, vocabulary: Vocabulary, max_length: int) -> Encoded:
    """Every text of `texts` (n strings) as ids, cut to its first `max_length` tokens or padded.

    Returns `Encoded(ids, lengths)`: ids (n, max_length) int64, the real tokens first and PAD
    after them; lengths (n,) int64, the number of real tokens, between 1 and max_length. A text
    without any word raises ValueError: attention over no token at all is undefined.
    """
    texts, _ = check_corpus(texts)
    if not isinstance(vocabulary, Vocabulary):
        raise TypeError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
    max_length = positive_int(max_length, "max_length")
    ids = torch.full((len(texts), max_length), PAD, dtype=torch.int64)
    lengths = torch.zeros(len(texts), dtype=torch.int64)
    for row, text in enumerate(texts):
        tokens = vocabulary.encode(text)[:max_length]
        if not tokens:
            raise ValueError(
                f"text {row} has no words ({text!r:.40}): there is nothing to attend to"
            )
        ids[row, : len(tokens)] = torch.tensor(tokens)
        lengths[row] = len(tokens)
    return Encoded(ids, lengths)
