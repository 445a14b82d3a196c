"""TF-IDF: how alike two sentences are, names and rare words weighing most."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity


def vectorizer(words: Callable[[str], list[str]], ngrams: int = 1) -> TfidfVectorizer:
    """A sublinear TF-IDF vectoriser over the ``words`` of a text, and their runs up to ``ngrams`` long."""
    return TfidfVectorizer(
        tokenizer=words, token_pattern=None, lowercase=False, ngram_range=(1, ngrams), sublinear_tf=True
    )


def cosine_matrix(
    words: Callable[[str], list[str]], corpus: list[str], rows: list[str] | None = None, ngrams: int = 1
) -> np.ndarray:
    """Cosine similarity between the TF-IDF vectors of ``rows`` (default: the corpus), with IDF weights
    from ``corpus``; raises ValueError when the corpus has no word at all."""
    vec = vectorizer(words, ngrams)
    matrix = vec.fit_transform(corpus) if rows is None else vec.fit(corpus).transform(rows)
    return np.asarray(cosine_similarity(matrix))
