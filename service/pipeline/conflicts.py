"""Conflict candidates found by code: figures in different articles that look like one quantity but differ."""

from __future__ import annotations

import re
from collections.abc import Callable

from service.pipeline.numbers import EVENT_ORDER, EVENT_VERBS, event_verb, parse_numbers
from service.pipeline.types import ConflictCandidate, NumberMention, Sentence
from service.schemas import Conflict, ConflictPosition
from service.text import cosine_matrix, topic_stems
from service.text.lexicons import alternation, words

_PERSONS = words("person_nouns")
_GENERIC_HEADS = words("generic_units")
MIN_COSINE = 0.2  # TF-IDF cosine of the two sentences that counts as "about the same thing"
MAX_RATIO = 2.0  # larger / smaller value above this: not the same quantity
CLOSE = 0.85  # smaller / larger value at or above this: "nearly the same figure"

# "at least nine people dead, including the gunman": a toll counted with its perpetrator, one more than without
_WITH_PERPETRATOR = re.compile(
    rf"\b(?:including|among\s+them|counting)\s+(?:the\s+|a\s+|one\s+)?(?:{alternation('perpetrator_nouns')})\b", re.I
)

Pair = tuple[float, int, int]  # (evidence score, index of one mention, index of the other)


def find_conflict_candidates(
    mentions: list[NumberMention], sentences: list[Sentence], max_candidates: int = 6
) -> list[ConflictCandidate]:
    """Figures in different articles that look like the same quantity but differ, strongest first.

    A pair qualifies when the values differ by at most a factor 2, neither article also states the other
    value for the same thing, and the evidence says it is one quantity: the same counted head noun, or the
    same event verb about people with values within 15 %, or sentences with TF-IDF cosine >= 0.2 plus a
    shared head or verb or both counting people. Pairs sharing a figure are merged (union-find);
    candidates are ranked by their best pair's score and numbered "c1", "c2", ... Items of an enumeration
    sum are left out in favour of the sum, and so is a toll one higher than another whose sentence counts the
    perpetrator in ("nine dead, including the gunman" against "killed eight").
    """
    usable = [m for m in mentions if m.value > 0 and not _nested(m, mentions)]
    with_perpetrator = {s.id for s in sentences if _WITH_PERPETRATOR.search(s.text)}
    stated = {(m.article_id, m.value, _head(m)) for m in mentions}
    similarity = _similarity(sentences, {m.sentence_id for m in usable})
    order = sorted(range(len(usable)), key=lambda k: usable[k].value)
    pairs: list[Pair] = []
    for x, i in enumerate(order):
        for j in order[x + 1 :]:
            if usable[j].value > MAX_RATIO * usable[i].value:
                break
            if usable[j].value - usable[i].value == 1 and usable[j].sentence_id in with_perpetrator:
                continue  # nine dead including the gunman, eight killed by him: one toll
            score = _pair_score(usable[i], usable[j], stated, similarity)
            if score > 0:
                pairs.append((score, i, j))
    position = {s.id: k for k, s in enumerate(sentences)}
    ranked = sorted(_merge(pairs), key=lambda g: (-g[0], g[1]))[:max_candidates]
    return [
        ConflictCandidate(
            id=f"c{n}",
            mentions=sorted((usable[k] for k in members), key=lambda m: (position.get(m.sentence_id, 0), m.start)),
        )
        for n, (_, members) in enumerate(ranked, 1)
    ]


def _nested(m: NumberMention, mentions: list[NumberMention]) -> bool:
    """True for a figure inside a longer one of the same article (an item of an enumeration sum)."""
    return any(
        o.article_id == m.article_id and o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
        for o in mentions
    )


def _head(m: NumberMention) -> str:
    """Singular head noun of what ``m`` counts ("people killed" → "people", "nationals" → "national")."""
    words = [w for w in m.counted.split() if w not in EVENT_VERBS and w != "percent"] or m.counted.split()[:1]
    head = words[-1].removesuffix("'s") if words else ""
    return head[:-1] if head.endswith("s") and not head.endswith("ss") and len(head) > 3 else head


def _pair_score(
    a: NumberMention,
    b: NumberMention,
    stated: set[tuple[str, float, str]],
    similarity: Callable[[str, str], float],
) -> float:
    """Evidence that ``a`` and ``b`` give different values for one quantity (0.0 = not a candidate)."""
    if a.article_id == b.article_id or a.value == b.value:
        return 0.0
    head_a, head_b = _head(a), _head(b)
    if (a.article_id, b.value, head_b) in stated or (b.article_id, a.value, head_a) in stated:
        return 0.0  # one article gives both figures: they are two different things, not a disagreement
    closeness = min(a.value, b.value) / max(a.value, b.value)
    same_head = bool(head_a) and head_a == head_b
    same_verb = event_verb(a) is not None and event_verb(a) == event_verb(b)
    persons = head_a in _PERSONS and head_b in _PERSONS
    cosine = similarity(a.sentence_id, b.sentence_id)
    no_verbs = event_verb(a) is None and event_verb(b) is None
    evidence = (
        (same_head and head_a not in _GENERIC_HEADS and (same_verb or no_verbs or cosine >= MIN_COSINE / 2))
        or (same_verb and persons and closeness >= CLOSE)
        or (cosine >= MIN_COSINE and (same_head or same_verb or persons))
    )
    if not evidence:
        return 0.0
    return 2.0 * same_head + 1.0 * same_verb + 0.5 * persons + 2.0 * cosine + closeness


def _similarity(sentences: list[Sentence], wanted: set[str]) -> Callable[[str, str], float]:
    """TF-IDF cosine between two sentences by id (IDF over all ``sentences``; rows only for ``wanted``)."""
    rows = [s for s in sentences if s.id in wanted]
    if len(sentences) < 2 or not rows:
        return lambda _a, _b: 0.0
    try:
        matrix = cosine_matrix(topic_stems, [s.text for s in sentences], [s.text for s in rows])
    except ValueError:  # not a single content word
        return lambda _a, _b: 0.0
    index = {s.id: k for k, s in enumerate(rows)}

    def lookup(a: str, b: str) -> float:
        return float(matrix[index[a], index[b]]) if a in index and b in index else 0.0

    return lookup


def _merge(pairs: list[Pair]) -> list[tuple[float, list[int]]]:
    """Union-find over mention indices: (best pair score, sorted members) per connected group."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, i, j in pairs:
        parent[find(i)] = find(j)
    best: dict[int, float] = {}
    members: dict[int, set[int]] = {}
    for score, i, j in pairs:
        root = find(i)
        best[root] = max(best.get(root, 0.0), score)
        members.setdefault(root, set()).update((i, j))
    return [(best[r], sorted(members[r])) for r in best]


def build_conflict(cid: str, topic: str, cand: ConflictCandidate, sentences: dict[str, Sentence]) -> Conflict:
    """A conflict with one position per distinct figure. A figure an outlet gives as parts ("23 Thai
    nationals, one Filipino, and one ...") shows their sum first: "25 (23 Thai nationals, ...)"."""
    by_value: dict[float, list] = {}
    for m in cand.mentions:
        by_value.setdefault(m.value, []).append(m)
    positions = []
    for value, mentions in by_value.items():
        first = sentences[mentions[0].sentence_id]
        ids = list(dict.fromkeys(m.article_id for m in mentions))
        raw = mentions[0].raw
        shown = f"{value:,.0f} ({raw})" if len(parse_numbers(raw)) > 1 and value == int(value) else raw
        positions.append(ConflictPosition(article_ids=ids, value=shown, claim=first.text, quote=first.text))
    return Conflict(id=cid, topic=topic, positions=positions)


_PERCENT = re.compile(r"\b(percent|per cent|percentage)\b")


def summary_first(conflicts: list[Conflict]) -> list[Conflict]:
    """The conflicts in the order a summary gives them: by what the figure counts, in the order of
    ``lexicons/event_verbs.txt`` (people killed, then dead, injured, ... released), then the rest; found
    order within each. The seed's summary gave the 24 or 25 foreign nationals released and not the death toll
    in Gaza, allsides-5776's the injured and not the dead."""
    order = {verb: n for n, verb in enumerate(EVENT_ORDER)}
    return sorted(conflicts, key=lambda c: order.get(c.topic.rsplit(" ", 1)[-1].lower(), len(order)))


def conflict_topic(cand: ConflictCandidate) -> str:
    """What a disagreement is about, as a person would write it: "number of people killed", "share of gas
    stations" (a percentage), "amount of ..." (money)."""
    m = cand.mentions[0]
    counted = " ".join(_PERCENT.sub(" ", m.counted).split())
    if "%" in m.raw or _PERCENT.search(m.counted):
        return f"share of {counted}" if counted else "percentage"
    if re.search(r"[$€£]|\b(dollars?|euros?|pounds?)\b", m.raw + " " + m.counted):
        return f"amount of {counted}" if counted else "amount"
    return f"number of {counted}" if counted else "figure"
