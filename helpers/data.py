"""Bundled data sets, each checked against its SHA-256 before use.

The files live in helpers/data/ inside the installed package, so `pip install` alone (as on
Colab) is enough and nothing is fetched from the network.
"""

import hashlib
import io
from importlib.resources import files

import pandas as pd

DATA_DIR = files("helpers") / "data"

# SHA-256 of every bundled file. A changed file must come with a changed checksum here.
CHECKSUMS = {
    "swedish_auto_insurance.csv": "ecc2312c87bdb6d06ad9ae70b9f2a2fd152220ad815a4c5d45d099c0fd83d8eb",
}


class DataFileError(RuntimeError):
    """A bundled data file is missing or its content is not what the course shipped."""


def read_bundled(name: str) -> bytes:
    """Return the bytes of bundled file `name` after checking its SHA-256.

    Raises DataFileError naming the file if it is unknown, missing or altered.
    """
    if name not in CHECKSUMS:
        raise DataFileError(f"{name!r} is not a bundled data file; known: {sorted(CHECKSUMS)}")
    path = DATA_DIR / name
    try:
        content = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise DataFileError(
            f"bundled data file {name!r} is missing from {DATA_DIR}: reinstall the helpers "
            "(pip install -e . in the repository, or re-run the Colab setup cell)"
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
