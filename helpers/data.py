"""Bundled data sets, each checked against its SHA-256 before use.

The files live in helpers/data/ inside the installed package, so `pip install` alone (as on
Colab) is enough and nothing is fetched from the network.
"""

import hashlib
import io
import json
from importlib.resources import files
from typing import NamedTuple

import pandas as pd
import torch

DATA_DIR = files("helpers") / "data"

# SHA-256 of every bundled file. A changed file must come with a changed checksum here.
CHECKSUMS = {
    "swedish_auto_insurance.csv": (
        "ecc2312c87bdb6d06ad9ae70b9f2a2fd152220ad815a4c5d45d099c0fd83d8eb"
    ),
    "toy_embeddings.json": "2581303c589c7c6677c898478e2a7eae35a62ba5581f326f3d6389b4079678f1",
    "ratings.csv": "0e17e35ea5599e1c2c6e2ad04f1a1c0241f46918f4f610cdca2aef3f9ef5f710",
}


REINSTALL = (
    "reinstall the helpers (pip install -e . in the repository, or re-run the Colab setup cell)"
)


class DataFileError(RuntimeError):
    """A bundled data file is missing or its content is not what the course shipped."""


def read_bundled(name: str) -> bytes:
    """Return the bytes of bundled file `name` after checking its SHA-256.

    Raises DataFileError naming the file if it is unknown, missing or altered.
    """
    if not isinstance(name, str):
        raise TypeError(
            f"name must be the file name of one bundled file (a string, one of "
            f"{sorted(CHECKSUMS)}), got {type(name).__name__}"
        )
    if name not in CHECKSUMS:
        raise DataFileError(f"{name!r} is not a bundled data file; known: {sorted(CHECKSUMS)}")
    path = DATA_DIR / name
    try:
        content = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise DataFileError(
            f"bundled data file {name!r} is missing from {DATA_DIR}: {REINSTALL}"
        ) from None
    except OSError as err:  # a directory in its place, no permission, ...
        raise DataFileError(
            f"bundled data file {name!r} cannot be read ({type(err).__name__}): {REINSTALL}"
        ) from None
    digest = hashlib.sha256(content).hexdigest()
    if digest != CHECKSUMS[name]:
        raise DataFileError(
            f"bundled data file {name!r} has been altered: its SHA-256 is {digest}, expected "
            f"{CHECKSUMS[name]}. Restore it with `git checkout helpers/data/{name}`."
        )
    return content


def load_swedish_auto_insurance() -> pd.DataFrame:
    """Swedish Auto Insurance data: 63 rows (zones of Sweden), columns X and Y.

    X: number of claims (int); Y: total payment for all claims, in thousands of Swedish kronor.
    Source: Swedish Committee on Analysis of Risk Premium in Motor Insurance.
    """
    return pd.read_csv(io.BytesIO(read_bundled("swedish_auto_insurance.csv")))


class EmbeddedSentence(NamedTuple):
    """A sentence split into n tokens, with one embedding per token: a float32 tensor (n, d)."""

    sentence: str
    tokens: list[str]
    embeddings: torch.Tensor


def load_journey_embeddings() -> EmbeddedSentence:
    """ "Your journey starts with one step": 6 tokens with 3-d embeddings, shape (6, 3)."""
    journey = json.loads(read_bundled("toy_embeddings.json"))["journey"]
    embeddings = torch.tensor(journey["embeddings"], dtype=torch.float32)
    return EmbeddedSentence(journey["sentence"], list(journey["tokens"]), embeddings)


def load_fine_sentences() -> tuple[EmbeddedSentence, EmbeddedSentence]:
    """The word "fine" in two sentences, each token with a 2-d embedding, shapes (7, 2), (4, 2).

    "The police man gave me a fine" and "I am feeling fine"; tokens are lower-case words, and a
    word has the same (static) embedding wherever it appears.
    """
    fine = json.loads(read_bundled("toy_embeddings.json"))["fine"]
    sentences = []
    for sentence in fine["sentences"]:
        tokens = sentence.lower().split()
        rows = torch.tensor([fine["vocabulary"][token] for token in tokens], dtype=torch.float32)
        sentences.append(EmbeddedSentence(sentence, tokens, rows))
    return tuple(sentences)


def load_ratings() -> pd.DataFrame:
    """Ratings (0 to 5, 0 = not rated) of 7 people for 5 movies: integers, shape (7, 5).

    Index "person": P1 … P7. Columns: Star Wars, The Matrix, Iron Man, You've Got Mail, Titanic.
    P1–P4 rate only the science-fiction films, P5–P7 mainly the romances (seed notebook 002).
    """
    return pd.read_csv(io.BytesIO(read_bundled("ratings.csv")), index_col="person")
