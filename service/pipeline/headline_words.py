"""One outlet's judging adjectives out of the headline. A headline speaks in the brief's own voice; a subjective
adjective that only one of the outlets prints ("massive $6 trillion budget", New York Post, allsides-5999), or
one that names a political side ("the NAACP and 27 other liberal groups", Washington Times, 5696), is that
outlet's way of putting it, and the headline states the news without it. Only a plain adjective before the word
it qualifies goes (part of speech and subjectivity from the lexicons of ``service.text.tags``), so the headline
stays a sentence; names, figures, verbs, nouns and an objective adjective ("fiscal 2022") stay."""

from __future__ import annotations

import re
from collections.abc import Iterable

from service.pipeline.types import Article
from service.text.lexicons import words
from service.text.tags import adjective, subjectivity

SUBJECTIVE = 0.5  # an adjective the sentiment lexicon rates above this (0 … 1) judges what it qualifies
SIDE_LABELS = words("side_labels")  # "liberal", "far-right": naming a side
_WORD = re.compile(r"[A-Za-z][a-z]+(?:-[a-z]+)*")
# what may follow an adjective it qualifies: a word, a figure or a currency sign ("massive $6 trillion budget")
_QUALIFIES = re.compile(r"\s+[A-Za-z$€£\d]")


def word_users(articles: Iterable[Article]) -> dict[str, frozenset[str]]:
    """Each lower-case word of the articles' titles and texts → the ids of the articles that print it."""
    users: dict[str, set[str]] = {}
    for a in articles:
        for w in set(_WORD.findall(f"{a.title or ''}\n{a.text}".lower())):
            users.setdefault(w, set()).add(a.id)
    return {w: frozenset(ids) for w, ids in users.items()}


def judging(word: str) -> bool:
    """Whether a lower-case word is an adjective that judges (subjectivity above ``SUBJECTIVE``) or names a
    political side (``lexicons/side_labels.txt``)."""
    return word in SIDE_LABELS or (adjective(word) and (subjectivity(word) or 0.0) > SUBJECTIVE)


def outlet_adjectives(headline: str, users: dict[str, frozenset[str]]) -> tuple[str, list[str]]:
    """(the headline without the judging adjectives that only one article prints, those adjectives). Needs two
    articles or more that print words at all; a headline of one source has nobody else's words to go by."""
    if len({a for ids in users.values() for a in ids}) < 2:
        return headline, []
    dropped: list[str] = []
    out, last = [], 0
    for m in _WORD.finditer(headline):
        word = m.group(0)
        lower = word.lower()
        follows = _QUALIFIES.match(headline, m.end())
        if follows and (word.islower() or m.start() == 0) and len(users.get(lower, ())) == 1 and judging(lower):
            out.append(headline[last : m.start()])
            last = follows.end() - 1  # the word it qualifies
            dropped.append(lower)
    if not dropped:
        return headline, []
    text = "".join(out) + headline[last:]
    return text[:1].upper() + text[1:], dropped
