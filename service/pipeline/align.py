"""Align: group sentences from different articles that state the same thing.

Candidates come from TF-IDF cosine similarity (names and rare words weigh most); groups are built
greedily, strongest pair first, with average linkage and at most one sentence per article. Two sentences that
give the same figure for the same thing (a counted word in common, or the same event verb) are closer by
``SAME_FIGURE``. The size of a group (distinct articles) is its corroboration count. Near-duplicate sentences
are kept in the group as citations but marked so the model reads them once.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz

from service.pipeline.numbers import EVENT_VERBS, event_verb, key_figure
from service.pipeline.select import rank, representative
from service.pipeline.types import FactGroup, NumberMention, Sentence
from service.text import content_words, cosine_matrix, match_tokens, word_count
from service.text.dictionary import dictionary_word

LINK_THRESHOLD = 0.25  # average cosine needed to join two groups
NEAR_DUPLICATE = 88.0  # rapidfuzz ratio above which two sentences say the same words
MIN_WORDS = 5  # shorter sentences (datelines, bylines) are not facts
# Added to the cosine of two sentences of different articles that give one figure (10 or more, not a year) for
# one thing. Words alone missed the seed's Israeli toll, told by two outlets in other words (cosine 0.21: "killing
# about 1,200 people and taking about 240 others hostage", "Israel says 1,200 people were left dead") and its 240
# prisoners (0.12), so each stood as one outlet's report and neither reached the summary.
SAME_FIGURE = 0.15

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


def same_figure(a: list[NumberMention], b: list[NumberMention]) -> bool:
    """Whether two sentences' figures share one of 10 or more, not a year, that counts the same thing: a
    counted word in common ("people killed", "people dead") or the same event verb ("others hostage taken",
    "hostages taken")."""

    def things(m: NumberMention) -> set[str]:
        return content_words(" ".join(w for w in m.counted.split() if w not in EVENT_VERBS and w != "percent"))

    return any(
        x.value == y.value
        and (bool(things(x) & things(y)) or (event_verb(x) is not None and event_verb(x) == event_verb(y)))
        for x in a
        if key_figure(x.value)
        for y in b
    )


def in_name(m: NumberMention, sentence: Sentence) -> bool:
    """Whether a figure begins a title ("CBS' 60 Minutes"): an ordinary word follows it with a capital
    (``dictionary_word``; not "240 Palestinians", "13 US troops"). Two outlets that name "60 Minutes" tell no one
    fact (allsides-5648: Haugen's interview and her words were joined)."""
    after = sentence.text[m.end - sentence.start :].split(maxsplit=1)
    word = after[0].strip(".,;:’'\"”") if after else ""
    return word.istitle() and word.isalpha() and dictionary_word(word)


def align(
    sentences: list[Sentence], threshold: float = LINK_THRESHOLD, mentions: list[NumberMention] | None = None
) -> list[FactGroup]:
    """Fact groups over all articles' sentences, ranked by :func:`select.rank` (strongest first by
    corroboration then position); with the sentences' figures (``mentions``), one figure for one thing
    brings two sentences closer (``SAME_FIGURE``)."""
    usable = [s for s in drop_repeats(sentences) if is_statement(s.text)]
    if not usable:
        return []
    sim = similarity_matrix(usable)
    by_id = {s.id: s for s in usable}
    figures: dict[str, list[NumberMention]] = {}
    for m in mentions or []:
        if m.sentence_id in by_id and not in_name(m, by_id[m.sentence_id]):
            figures.setdefault(m.sentence_id, []).append(m)
    counted = [i for i, s in enumerate(usable) if s.id in figures]
    for n, i in enumerate(counted):
        for j in counted[n + 1 :]:
            one, other = usable[i], usable[j]
            if one.article_id != other.article_id and same_figure(figures[one.id], figures[other.id]):
                sim[i, j] = sim[j, i] = sim[i, j] + SAME_FIGURE
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
