"""Fixtures shared by several test files."""

import shutil
from pathlib import Path

import pytest

from helpers import data


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of the bundled data folder that a test may damage; loaders read from it."""
    folder = tmp_path / "data"
    shutil.copytree(Path(str(data.DATA_DIR)), folder)
    monkeypatch.setattr(data, "DATA_DIR", folder)
    return folder
