"""Bundled data: present, intact, loaded as documented, and loudly refused when altered."""

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from helpers import data


@pytest.mark.parametrize("name", sorted(data.CHECKSUMS))
def test_every_bundled_file_matches_its_checksum(name):
    content = (Path(str(data.DATA_DIR)) / name).read_bytes()
    assert hashlib.sha256(content).hexdigest() == data.CHECKSUMS[name]


def test_every_file_in_the_data_folder_is_registered():
    shipped = {p.name for p in Path(str(data.DATA_DIR)).iterdir() if p.is_file()}
    assert shipped == set(data.CHECKSUMS)


def test_swedish_auto_insurance_table():
    table = data.load_swedish_auto_insurance()
    assert list(table.columns) == ["X", "Y"]
    assert len(table) == 63
    assert pd.api.types.is_integer_dtype(table.X) and pd.api.types.is_float_dtype(table.Y)
    assert table.iloc[0].tolist() == [108, 392.5] and table.iloc[-1].tolist() == [26, 187.5]
    assert table.iloc[30].tolist() == [0, 0.0]  # the one zone without claims


def test_altered_file_is_refused_naming_it(data_copy):
    path = data_copy / "swedish_auto_insurance.csv"
    path.write_text(path.read_text().replace("392.5", "392.6"))
    with pytest.raises(data.DataFileError, match="swedish_auto_insurance.csv.*altered"):
        data.load_swedish_auto_insurance()


def test_missing_file_is_reported_naming_it(data_copy):
    (data_copy / "swedish_auto_insurance.csv").unlink()
    with pytest.raises(data.DataFileError, match="swedish_auto_insurance.csv.*missing"):
        data.load_swedish_auto_insurance()


def test_unknown_file_is_refused():
    with pytest.raises(data.DataFileError, match="not a bundled data file"):
        data.read_bundled("passwords.txt")
