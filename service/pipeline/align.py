"""Align: group sentences from different articles that state the same thing.

Candidates come from TF-IDF cosine similarity (names and rare words weigh most); groups are built
greedily, strongest pair first, with average linkage and at most one sentence per article. The size of
a group (distinct articles) is its corroboration count. Near-duplicate sentences are kept in the group
as citations but marked so the model reads them once.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz

from service.pipeline.select import rank, representative
from service.pipeline.types import FactGroup, Sentence
from service.text import cosine_matrix, match_tokens, word_count

LINK_THRESHOLD = 0.25  # average cosine needed to join two groups
NEAR_DUPLICATE = 88.0  # rapidfuzz ratio above which two sentences say the same words
MIN_WORDS = 5  # shorter sentences (datelines, bylines) are not facts

_ENDINGS = (".", "!", "?", '"', "”", "’", "'", ")", ":")
def is_near_duplicate(a: str, b: str) -> bool:
    """Whether two sentences are (almost) the same text, e.g. wire copy run by two outlets."""
    return fuzz.ratio(a.lower(), b.lower()) >= NEAR_DUPLICATE


def similarity_matrix(sentences: list[Sentence]) -> np.ndarray:
    """Cosine similarity of the sentences' TF-IDF vectors (unigrams and bigrams of folded words)."""
    return cosine_matrix(match_tokens, [s.text for s in sentences], ngrams=2)


def drop_repeats(sentences: list[Sentence]) -> list[Sentence]:
    """Sentences minus those an article repeats (translation artefacts print some lines twice)."""
    kept: list[Sentence] = []
    for s in sentences:
        if any(k.article_id == s.article_id and is_near_duplicate(k.text, s.text) for k in kept):
            continue
        kept.append(s)
    return kept


def is_statement(text: str) -> bool:
    """Whether a line reads as a sentence of the story, not a headline, byline or dateline."""
    return word_count(text) >= MIN_WORDS and text.rstrip().endswith(_ENDINGS)


def align(sentences: list[Sentence], threshold: float = LINK_THRESHOLD) -> list[FactGroup]:
    """Fact groups over all articles' sentences, ranked by :func:`select.rank` (strongest first by
    corroboration then position)."""
    usable = [s for s in drop_repeats(sentences) if is_statement(s.text)]
    if not usable:
        return []
    sim = similarity_matrix(usable)
    cluster_of = list(range(len(usable)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(usable))}
    pairs = [
        (sim[i, j], i, j)
        for i in range(len(usable))
        for j in range(i + 1, len(usable))
        if usable[i].article_id != usable[j].article_id and sim[i, j] >= threshold
    ]
    for _, i, j in sorted(pairs, reverse=True):
        a, b = cluster_of[i], cluster_of[j]
        if a == b:
            continue
        arts_a = {usable[k].article_id for k in members[a]}
        if any(usable[k].article_id in arts_a for k in members[b]):
            continue
        link = float(np.mean([sim[x, y] for x in members[a] for y in members[b]]))
        if link < threshold:
            continue
        for k in members[b]:
            cluster_of[k] = a
        members[a].extend(members.pop(b))
    groups = [
        FactGroup(id="", sentences=sorted((usable[k] for k in idx), key=lambda s: (s.article_id, s.index)))
        for idx in members.values()
    ]
    return rank(groups)


def distinct_texts(group: FactGroup, limit: int = 3) -> list[Sentence]:
    """Up to ``limit`` sentences of the group with near-duplicates removed (what the model reads)."""
    out: list[Sentence] = [representative(group)]
    for s in group.sentences:
        if len(out) >= limit:
            break
        if all(not is_near_duplicate(s.text, o.text) for o in out):
            out.append(s)
    return out
