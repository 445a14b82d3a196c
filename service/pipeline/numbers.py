"""Figures found by code: numbers in text (digits, percentages, number words) and what each figure counts.

All offsets are character offsets in ``Article.text`` (sentence offset + offset within the sentence).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from service.pipeline.types import NumberMention, Sentence
from service.text import MONTH_WORDS
from service.text.lexicons import folding, words

# ---------------------------------------------------------------- parsing figures

_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_WORDS = {**_UNITS, **_TENS, **_SCALES, "dozen": 12}
# the number words that count things ("eight co-workers"), as a regex alternation; not "zero" or "one" ("one of")
COUNT_WORDS = "|".join(w for w in [*_UNITS, *_TENS, "dozen"] if w not in ("zero", "one"))
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_SCALE_AFTER = re.compile(r"\s+(hundred|thousand|million|billion|trillion)\b", re.I)
_HALF_AFTER = re.compile(r"\s*½|\s+1/2(?!\d)|[\s-]+and[\s-]+a[\s-]+half\b", re.I)  # "22 1/2", "22 and a half"
_PERCENT_AFTER = re.compile(r"\s?%|\s+(?:percent|per cent)\b", re.I)
_URLISH = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+|\S+\.(?:com|org|net|html?)\S*", re.I)
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_ONE_NOT_COUNT_BEFORE = words("not_count_before")
_ONE_NOT_COUNT_AFTER = words("not_count_after")

Figure = tuple[str, float, int, int]


def parse_numbers(text: str) -> list[Figure]:
    """Every figure in ``text`` as (raw, value, start, end), in order.

    Digits ("19,667" → 19667, "1.5" → 1.5) optionally with a scale word ("1.5 million" → 1500000),
    percentages ("40%", "90 percent" → 40, 90), and number words ("Eighty" → 80, "twenty-five" → 25,
    "two hundred" → 200, "a dozen" → 12). Skipped: ordinals ("21st", "first"), vague plurals
    ("dozens", "hundreds"), digits inside ids, urls, dates like 2024-01-30 and times like 10:30.
    """
    digits = _digit_figures(text)
    words = [w for w in _word_figures(text) if not any(d[2] < w[3] and w[2] < d[3] for d in digits)]
    return sorted(digits + words, key=lambda f: f[2])


def number_values(text: str) -> set[float]:
    """The values of every figure in ``text`` (for checking a statement's figures against sources)."""
    return {value for _, value, _, _ in parse_numbers(text)}


def _digit_figures(text: str) -> list[Figure]:
    """Figures written with digits, with their optional scale word or percent sign."""
    banned = [m.span() for m in _URLISH.finditer(text)]
    out: list[Figure] = []
    for m in _DIGITS.finditer(text):
        start, end = m.span()
        if any(a <= start < b for a, b in banned) or not _standalone(text, start, end):
            continue
        value = float(m.group().replace(",", ""))
        half = _HALF_AFTER.match(text, end)
        if half and "." not in m.group():
            value, end = value + 0.5, half.end()
        scale = _SCALE_AFTER.match(text, end)
        if scale:
            value *= {"trillion": 1e12, **_SCALES}[scale.group(1).lower()]
            end = scale.end()
        else:
            pct = _PERCENT_AFTER.match(text, end)
            end = pct.end() if pct else end
        out.append((text[start:end], value, start, end))
    return out


def _standalone(text: str, start: int, end: int) -> bool:
    """False when the digits are part of a bigger token: "A320", "COVID-19", "21st", "10:30", "2024-01-30"."""
    before = text[start - 1] if start else " "
    before2 = text[start - 2] if start > 1 else " "
    after = text[end] if end < len(text) else " "
    after2 = text[end + 1] if end + 1 < len(text) else " "
    if before.isalnum() or before in "_/\\#@" or (before in ".,:-" and before2.isalnum()):
        return False
    if after.isalnum() or after in "_@":
        return False
    return not (after in "-:/." and after2.isalnum())


def _word_figures(text: str) -> list[Figure]:
    """Figures written in words; a run of number words ("one hundred and twenty-five") is one figure."""
    words = list(_WORD.finditer(text))
    out: list[Figure] = []
    i = 0
    while i < len(words):
        run = _word_run(text, words, i)
        if run:
            first, last, value = run
            start, end = words[first].start(), words[last].end()
            out.append((text[start:end], value, start, end))
            i = last + 1
        else:
            i += 1
    return out


def _word_run(text: str, words: list[re.Match[str]], i: int) -> tuple[int, int, float] | None:
    """(first, last, value) of the number-word run starting at ``words[i]``, or None."""
    first = words[i].group().lower()
    parts = _number_parts(first)
    if first in {"a", "an"}:
        tokens: list[str] = []
    elif parts and parts[0] not in _SCALES and parts[0] != "dozen" and _is_count_start(text, words, i):
        tokens = parts
    else:
        return None
    last, j = i, i + 1
    while j < len(words) and not text[words[j - 1].end() : words[j].start()].strip():
        word = words[j].group().lower()
        if word == "and" and tokens and tokens[-1] in _SCALES and _next_is(text, words, j, _number_parts):
            j += 1
            continue
        nxt = _number_parts(word)
        if not nxt or not _can_follow(tokens[-1] if tokens else None, nxt[0]):
            break
        tokens += nxt
        last, j = j, j + 1
    if not tokens:
        return None
    return i, last, _words_value(tokens)


def _can_follow(prev: str | None, word: str) -> bool:
    """Whether number word ``word`` continues a run ending in ``prev`` (None: after "a"/"an")."""
    if word in _SCALES or word == "dozen":
        return prev != "dozen"
    if prev is None:
        return False
    if word in _UNITS:
        return prev in _TENS or prev in _SCALES
    return prev in _SCALES  # a tens word after "hundred", "thousand", ...


def _number_parts(word: str) -> list[str]:
    """The number words of ``word`` ("twenty-five" → ["twenty", "five"]), [] if it is not all numbers."""
    parts = word.lower().split("-")
    if len(parts) > 2 or not all(p in _NUMBER_WORDS for p in parts):
        return []
    if len(parts) == 2 and not (parts[0] in _TENS and parts[1] in _UNITS):
        return []
    return parts


def _is_count_start(text: str, words: list[re.Match[str]], i: int) -> bool:
    """False for number words in names or idioms: "Air Force One", "no one", "one of", "the second one."."""
    if words[i].group()[0].isupper() and i and _next_is(text, words, i - 1, lambda w: True):
        if words[i - 1].group()[0].isupper():
            return False  # part of a proper name
    if words[i].group().lower() != "one":
        return True
    prev = words[i - 1].group().lower() if i and _next_is(text, words, i - 1, lambda w: True) else ""
    if prev in _ONE_NOT_COUNT_BEFORE or not _next_is(text, words, i, lambda w: w not in _ONE_NOT_COUNT_AFTER):
        return False
    return True


def _next_is(text: str, words: list[re.Match[str]], i: int, test: Callable[[str], object]) -> bool:
    """True when the word after ``words[i]`` follows it across whitespace only and passes ``test``."""
    if i + 1 >= len(words) or text[words[i].end() : words[i + 1].start()].strip():
        return False
    return bool(test(words[i + 1].group().lower()))


def _words_value(tokens: list[str]) -> float:
    """Value of number words in order: ["two", "hundred", "forty"] → 240."""
    total, current = 0, 0
    for t in tokens:
        if t in _UNITS or t in _TENS:
            current += _NUMBER_WORDS[t]
        elif t == "dozen":
            current = (current or 1) * 12
        elif t == "hundred":
            current = (current or 1) * 100
        else:
            total += (current or 1) * _SCALES[t]
            current = 0
    return float(total + current)


# ---------------------------------------------------------------- figures in sentences

_QUALIFIER = re.compile(
    r"(?<![\w-])(at least|more than|fewer than|less than|up to|as many as|at most|an estimated|almost|nearly|"
    r"over|about|around|some|approximately|roughly)\s+$",
    re.I,
)
_EVENT_OF = folding("event_verbs")  # form → canonical event verb
_EVENT = re.compile(r"\b(" + "|".join(_EVENT_OF) + r")\b", re.I)
EVENT_VERBS = frozenset(_EVENT_OF.values())  # canonical event verbs that can end ``NumberMention.counted``
EVENT_ORDER = tuple(dict.fromkeys(_EVENT_OF.values()))  # ... in the file's order: the gravest first


def event_verb(m: NumberMention) -> str | None:
    """The event verb at the end of ``m.counted`` ("killed", "released", ...), if any."""
    last = m.counted.rsplit(" ", 1)[-1]
    return last if last in EVENT_VERBS else None


def key_figure(value: float) -> bool:
    """Whether a figure is one the news turns on: 10 and over, not a year ("149 flights", not "2020")."""
    return value >= 10 and not (1900 <= value <= 2100 and value == int(value))


_TOKEN = re.compile(r"[A-Za-z][\w’'-]*|\d[\d,.]*|[^\w\s]")
_STOP = words("function_words")
_PLURALISH = re.compile(r"(?:s|people|children|men|women|police|staff|personnel|troops)$")
_ENUMERATION = re.compile(r"([A-Za-z][\w’'-]*(?:\s+[A-Za-z][\w’'-]*){0,2})\s*\(([^()]+)\)")
_ITEM_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+")


def extract_numbers(sentences: list[Sentence]) -> list[NumberMention]:
    """Every counted figure in the sentences (dates and years left out), in sentence order.

    ``raw`` includes an adjacent qualifier ("At least 19,667"); ``counted`` is the 1-3 content words after
    the figure plus the nearest event verb of the sentence ("people killed"). A parenthesised list of
    counts after an uncounted noun ("foreign nationals (23 Thai nationals, one Filipino, and one ...)") also
    gives one mention for its sum, spanning the list; the items stay mentions of their own.
    """
    out: list[NumberMention] = []
    for s in sentences:
        figures = [f for f in parse_numbers(s.text) if not _is_date(s.text, f)]
        for raw, value, start, end in figures:
            qual = _QUALIFIER.search(s.text, 0, start)
            q_start = qual.start(1) if qual else start
            out.append(
                NumberMention(
                    sentence_id=s.id,
                    article_id=s.article_id,
                    raw=s.text[q_start:end],
                    value=value,
                    qualifier=qual.group(1).lower() if qual else None,
                    counted=_counted(s.text, raw, start, end),
                    start=s.start + q_start,
                    end=s.start + end,
                )
            )
        out.extend(_enumeration_sums(s, figures))
    return out


def _is_date(text: str, figure: Figure) -> bool:
    """True for a day of the month next to a month name ("October 7", "7 October") or a bare year."""
    raw, value, start, end = figure
    if not raw.isdigit():
        return False
    before = re.findall(r"[A-Za-z]+", text[max(0, start - 12) : start])
    after = re.findall(r"[A-Za-z]+", text[end : end + 12])
    if 1 <= value <= 31 and (
        (before and before[-1].lower() in MONTH_WORDS) or (after and after[0].lower() in MONTH_WORDS)
    ):
        return True
    if len(raw) == 4 and 1900 <= value <= 2100:
        nxt = re.match(r"\s+([A-Za-z]+)", text[end:])
        return not (nxt and _PLURALISH.search(nxt.group(1).lower()) and nxt.group(1).lower() not in _STOP)
    return False


def _counted(text: str, raw: str, start: int, end: int) -> str:
    """What the figure at ``text[start:end]`` counts: content words after it + the nearest event verb."""
    words = ["percent"] if raw.endswith("%") or raw.lower().endswith("cent") else []
    words += _noun_words(text[end:])
    verb = _nearest_event(text, start, end)
    if verb and verb not in words:
        words.append(verb)
    return " ".join(words)


def _noun_words(rest: str, limit: int = 3) -> list[str]:
    """Up to ``limit`` lower-case content words at the start of ``rest`` (leading "of"/"the" skipped;
    stops at punctuation, a figure or a function word; "and" only joins plural nouns)."""
    words: list[str] = []
    tokens = _TOKEN.findall(rest[:120])
    for k, tok in enumerate(tokens):
        low = tok.lower().replace("’", "'")
        if not words and low in {"of", "the"}:
            continue
        if low == "and" and words and k + 1 < len(tokens) and _PLURALISH.search(tokens[k + 1].lower()):
            continue
        if not tok[0].isalpha() or low in _STOP or _number_parts(low) or len(words) >= limit:
            break
        words.append(low)
    return words


def _nearest_event(text: str, start: int, end: int) -> str | None:
    """Canonical event verb ("killed", "released", ...) nearest to ``text[start:end]``, or None."""
    best: tuple[int, str] | None = None
    for m in _EVENT.finditer(text):
        dist = start - m.end() if m.end() <= start else m.start() - end
        if dist >= 0 and (best is None or dist < best[0]):
            best = (dist, _EVENT_OF[m.group(1).lower()])
    return best[1] if best else None


def _enumeration_sums(s: Sentence, figures: list[Figure]) -> list[NumberMention]:
    """Sum mentions for "<noun> (<count> X, <count> Y and <count> Z)" lists with no figure before them."""
    starts = {f[2]: f for f in figures}
    out: list[NumberMention] = []
    for m in _ENUMERATION.finditer(s.text):
        items, offset = [], m.start(2)
        for part in _ITEM_SPLIT.split(m.group(2)):
            pos = s.text.find(part, offset)
            items.append(starts.get(pos + len(part) - len(part.lstrip())))
            offset = pos + len(part)
        noun = [w.lower() for w in m.group(1).split() if w.lower() not in _STOP]
        if len(items) < 2 or None in items or not noun or any(f[3] <= m.start(1) < f[3] + 2 for f in figures):
            continue
        verb = _nearest_event(s.text, m.start(2), m.end(2))
        out.append(
            NumberMention(
                sentence_id=s.id,
                article_id=s.article_id,
                raw=m.group(2),
                value=sum(f[1] for f in items if f),
                qualifier=None,
                counted=" ".join(noun + ([verb] if verb and verb not in noun else [])),
                start=s.start + m.start(2),
                end=s.start + m.end(2),
            )
        )
    return out
