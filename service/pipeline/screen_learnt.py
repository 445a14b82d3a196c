"""The injection screen's learnt layer: a linear classifier over word and character n-grams and the sentence's
vector by meaning (:mod:`service.text.sentence_vectors`) that says how much a sentence reads like a line telling
whoever condenses the text what to write, rather than news.

The patterns (:mod:`service.pipeline.injection`) and code's reading of structure (:mod:`screen_check`) know the
forms they were written for; a new writer finds new carriers. What the carriers share is vocabulary and shape
(talk of copies, versions, readers, tools, "should be given as", a figure "to use") that a classifier learns
from examples better than a person writes it down; the sentence vector adds what the wording alone misses
(a line that says the same in words no training line used). The weights are data
(``service/text/lexicons/instruction_screen.json.gz``), trained by ``crossbrief eval train-screen`` on the
development halves of ``evals/datasets/injection`` (planted lines against near misses and real AllSides
sentences of stories no bench or eval uses); no held-out half and no eval story is in its training data. The
threshold was chosen by leave-one-half-out cross-validation on those development halves (its figures are in the
file), never on a held-out half; one for English and one for the other languages.

Scoring needs no pickle: each n-gram vocabulary's TF-IDF (sublinear counts, L2 norm per vocabulary, as
scikit-learn's ``TfidfVectorizer`` computes it) is dotted with the weights, the sentence vector with its own,
plus the intercept, through a sigmoid. ``tests/test_screen_learnt.py`` checks the result against
scikit-learn's probabilities stored at training time.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from service.text.sentence_vectors import vector

FILE = "instruction_screen.json.gz"


@dataclass(frozen=True)
class _Part:
    analyzer: Callable[[str], list[str]]
    index: dict[str, int]  # n-gram → column in ``idf`` and ``weights``
    idf: list[float]
    weights: list[float]

    def score(self, text: str) -> float:
        counts = Counter(g for g in self.analyzer(text) if g in self.index)
        if not counts:
            return 0.0
        values = {self.index[g]: (1.0 + math.log(n)) * self.idf[self.index[g]] for g, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        return sum(v * self.weights[i] for i, v in values.items()) / norm


@dataclass(frozen=True)
class LearntScreen:
    parts: tuple[_Part, ...]
    vector_weights: np.ndarray  # dotted with the sentence vector
    intercept: float
    meta: dict[str, Any]
    thresholds: dict[str, float]  # group of languages ("en", "other") → its threshold

    @property
    def threshold(self) -> float:
        """English's threshold (the news the screen was trained on is English)."""
        return self.thresholds["en"]

    def threshold_for(self, language: str | None) -> float:
        """The threshold for a text in ``language`` (None: not told apart, read as English). The other languages
        have their own, chosen on their near misses alone: no non-English news is in the training data."""
        return self.thresholds.get("other", self.threshold) if language not in (None, "en") else self.threshold

    def probability(self, text: str) -> float:
        """How likely ``text`` (one sentence) is a line planted to steer a summary, 0–1."""
        z = self.intercept + sum(p.score(text) for p in self.parts) + float(vector(text) @ self.vector_weights)
        return 1.0 / (1.0 + math.exp(-z))


def from_dict(data: dict[str, Any]) -> LearntScreen:
    parts = []
    for part in data["parts"]:
        analyzer = TfidfVectorizer(**part["params"]).build_analyzer()
        index = {g: i for i, g in enumerate(part["vocabulary"])}
        parts.append(_Part(analyzer, index, part["idf"], part["weights"]))
    weights = np.asarray(data["vector"]["weights"], dtype=np.float32)
    thresholds = data.get("thresholds") or {"en": data["threshold"]}
    return LearntScreen(tuple(parts), weights, data["intercept"], data["meta"], thresholds)


@cache
def learnt_screen() -> LearntScreen:
    """The shipped classifier (loaded once per process)."""
    raw = files("service.text.lexicons").joinpath(FILE).read_bytes()
    return from_dict(json.loads(gzip.decompress(raw)))
