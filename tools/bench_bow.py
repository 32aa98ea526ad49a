"""Benchmark 4: notebook 05's bag-of-words pipeline, sparse against dense, and its speed.

On notebook 05's split (`helpers.text.review_split`: its default sample size, then all the
deduplicated reviews): the training matrix's memory as sparse CSR against what a dense one would
take (computed, never allocated), the vectorizer's time, the notebook's logistic regression
(newton-cg run to convergence) and one epoch of the torch model.
"""

import re

import nbformat

from tools.bench_common import (
    MB,
    NOTEBOOKS,
    Unavailable,
    fmt,
    markdown_table,
    median_time,
    plural,
    ratio,
)

TITLE = "4. Bag of words: sparse versus dense"
KEYS = ("bow",)
BOW_MAX_FEATURES = 10_000
BOW_FALLBACK_SAMPLE = 5_000


def sample_size_in(source: str):
    """The default sample size a notebook sets, e.g. `SAMPLE_SIZE = 5_000`, or None."""
    match = re.search(
        r"^[A-Z_]*(?:SAMPLE|REVIEWS)[A-Z_]*\s*=\s*([\d_]+)\s*(?:#.*)?$", source, re.MULTILINE
    )
    return int(match[1]) if match else None


def default_sample_size() -> tuple[int, str]:
    """The sample size notebook 05 uses by default, and where that number came from."""
    for path in sorted(NOTEBOOKS.glob("05_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and (size := sample_size_in(cell.source)):
                return size, path.name
    return BOW_FALLBACK_SAMPLE, "no notebook 05 yet: the bench's fallback"


def text_helpers():
    """helpers.text with the functions the bench needs, imported only when needed."""
    try:
        from helpers import text
    except ImportError as err:
        raise Unavailable(f"helpers.text cannot be imported ({err})") from None
    needed = (
        "load_movie_reviews",
        "review_split",
        "sparse_nbytes",
        "dense_nbytes",
        "sparse_batches",
    )
    if missing := [name for name in needed if not hasattr(text, name)]:
        raise Unavailable(f"helpers.text has no {', '.join(missing)} yet")
    return text


def sgd_epoch(X, y, seed: int = 0) -> None:
    """One epoch of notebook 05's torch model: nn.Linear(V, 1), SGD lr 0.1, sparse batches of 32.

    X: sparse (n, V) log counts; y: (n,) labels 0 or 1.
    """
    import torch

    torch.manual_seed(seed)
    model = torch.nn.Linear(X.shape[1], 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    order = torch.Generator().manual_seed(seed)
    for xb, yb in text_helpers().sparse_batches(X, y, 32, generator=order):
        loss = loss_fn(model(xb).squeeze(1), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def bow_at(reviews, size: int | None, runs: int) -> dict:
    """Notebook 05's pipeline on `text.review_split(size)` (None: every review): 60 % train."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    text = text_helpers()
    train, validation, test = text.review_split(size, seed=0, reviews=reviews)
    y_train, y_validation = train["label"].to_numpy(), validation["label"].to_numpy()
    vectorizer = CountVectorizer(max_features=BOW_MAX_FEATURES)
    vectorizer_s = median_time(lambda: vectorizer.fit_transform(train["text"]), runs)
    X_train = vectorizer.fit_transform(train["text"])
    X_validation = vectorizer.transform(validation["text"])
    model = LogisticRegression(solver="newton-cg", tol=1e-8, max_iter=100)
    logistic_s = median_time(lambda: model.fit(X_train, y_train), runs)
    logs = X_train.astype(np.float64)
    logs.data = np.log1p(logs.data)
    return {
        "reviews": len(train) + len(validation) + len(test),
        "train_shape": list(X_train.shape),
        "stored": int(X_train.nnz),
        "sparse_mb": text.sparse_nbytes(X_train) / MB,
        "dense_mb": text.dense_nbytes(X_train.shape, X_train.dtype) / MB,
        "dtype": str(X_train.dtype),
        "vectorizer_s": vectorizer_s,
        "logistic_s": logistic_s,
        "accuracy": float(model.score(X_validation, y_validation)),
        "sgd_epoch_s": median_time(lambda: sgd_epoch(logs, y_train), runs),
    }


def bench_bow(runs: int, quick: bool, sample: int | None) -> dict:
    """Sparse vs dense memory, vectorizer and training times: the default sample, then all."""
    text = text_helpers()
    try:
        reviews = text.load_movie_reviews()
    except RuntimeError as err:
        raise Unavailable(f"the movie reviews cannot be loaded ({err})") from None
    source = "--bow-sample"
    if sample is None:
        sample, source = default_sample_size()
    rows = []
    for size in [sample] if quick else [sample, None]:
        rows.append(row := bow_at(reviews, size, runs))
        print(
            f"  {row['reviews']} reviews: sparse {row['sparse_mb']:.1f} MB vs dense "
            f"{row['dense_mb']:.1f} MB, vectorizer {row['vectorizer_s']:.2f} s, logistic "
            f"regression {row['logistic_s']:.2f} s (accuracy {row['accuracy']:.4f}), torch SGD "
            f"{row['sgd_epoch_s']:.2f} s per epoch",
            flush=True,
        )
    return {"runs": runs, "sample_source": source, "rows": rows}


def render(part: dict) -> str:
    rows = []
    for row in part["rows"]:
        n, v = row["train_shape"]
        rows.append(
            [
                str(row["reviews"]),
                f"{n} × {v}",
                str(row["stored"]),
                fmt(row["sparse_mb"], 1),
                f"{fmt(row['dense_mb'], 1)} ({row['dtype']})",
                fmt(ratio(row["dense_mb"], row["sparse_mb"]), 0),
                fmt(row["vectorizer_s"]),
                f"{fmt(row['logistic_s'])} ({fmt(row['accuracy'], 4)})",
                fmt(row["sgd_epoch_s"]),
            ]
        )
    table = markdown_table(
        [
            "reviews",
            "training matrix",
            "stored counts",
            "sparse CSR (MB)",
            "dense would be (MB)",
            "dense / sparse",
            "vectorizer (s)",
            "logistic regression (s) (validation accuracy)",
            "torch SGD, one epoch (s)",
        ],
        rows,
    )
    return (
        "Notebook 05's pipeline on its split (`text.review_split`, duplicates removed; 60 % for "
        f"training), `CountVectorizer(max_features={BOW_MAX_FEATURES})` fitted on the training "
        'reviews (the training matrix), scikit-learn\'s `LogisticRegression(solver="newton-cg", '
        "tol=1e-8)` on the counts, run to convergence, and one epoch of the "
        "torch linear layer on log counts (SGD, learning rate 0.1, sparse batches of 32; the "
        "notebook trains 2 + 8 epochs). The dense size is computed, never allocated. Median of "
        f"{plural(part['runs'], 'run')}; default sample size from {part['sample_source']}."
        f"\n\n{table}"
    )


def measure(args) -> dict:
    return {"bow": bench_bow(args.runs, args.quick, args.bow_sample)}


def targets(results: dict) -> list[list[str]]:
    return []  # notebook 05's peak memory is a target of the notebooks section
