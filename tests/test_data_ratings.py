"""The bundled ratings matrix of notebook 04: loaded as documented, refused when altered."""

import numpy as np
import pandas as pd
import pytest

from helpers import data

MOVIES = ["Star Wars", "The Matrix", "Iron Man", "You've Got Mail", "Titanic"]


def test_ratings_table():
    ratings = data.load_ratings()
    assert ratings.index.name == "person"
    assert ratings.index.tolist() == [f"P{i}" for i in range(1, 8)]
    assert ratings.columns.tolist() == MOVIES
    assert all(pd.api.types.is_integer_dtype(t) for t in ratings.dtypes)
    expected = [
        [1, 1, 1, 0, 0],
        [3, 3, 3, 0, 0],
        [4, 4, 4, 0, 0],
        [5, 5, 5, 0, 0],
        [0, 2, 0, 4, 4],
        [0, 0, 0, 5, 5],
        [0, 1, 0, 2, 2],
    ]  # seed 002
    np.testing.assert_array_equal(ratings.to_numpy(), expected)


def test_altered_ratings_are_refused(data_copy):
    path = data_copy / "ratings.csv"
    path.write_text(path.read_text().replace("P6,0,0,0,5,5", "P6,0,0,0,5,4"))
    with pytest.raises(data.DataFileError, match="ratings.csv.*altered"):
        data.load_ratings()


def test_missing_ratings_are_reported(data_copy):
    (data_copy / "ratings.csv").unlink()
    with pytest.raises(data.DataFileError, match="ratings.csv.*missing"):
        data.load_ratings()
