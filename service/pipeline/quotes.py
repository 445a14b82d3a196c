"""Direct quotations found by code, with the speaker each is attributed to.

All offsets are character offsets in ``Article.text``.
"""

from __future__ import annotations

import re

from service.pipeline.types import Article, QuoteMention, Sentence
from service.text.lexicons import alternation, words

_QUOTE_PAIRS = (re.compile(r"“([^“”\n]+)”"), re.compile(r"«([^«»\n]+)»"), re.compile(r'"([^"\n]+)"'))
_QUOTE_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_VERB = rf"(?:has\s+|had\s+|also\s+|later\s+)?(?:{alternation('reporting_verbs')})"
_TITLE_WORDS = alternation("speaker_titles")
_CAP = r"[A-Z][\w’'.-]*"
_CONNECTOR = rf"(?:{alternation('name_particles')})(?=\s+[A-Z])"  # lower-case name particles: "bin Salman"
_NAME = rf"(?:[Tt]he\s+)?{_CAP}(?:\s+(?:{_CAP}|(?:{_TITLE_WORDS})\b|{_CONNECTOR}))*"
_APPOSITIVE = r"(?:,\s(?:the|a|an|his|her|its|[A-Z][\w’']*[’']s)\s[^,§]{1,70},)?"
_NAMED_BEFORE = re.compile(rf"(?P<name>{_NAME}){_APPOSITIVE}\s+{_VERB}\b")
_NAMED_AFTER = re.compile(rf"§[,\s]*(?:said|says|added|asked|wrote|continued)\s+(?P<name>{_NAME})")
_ACCORDING = re.compile(rf"\baccording to\s+(?P<name>{_NAME})")
_GENERIC = re.compile(
    rf"\b(?P<name>(?:[Aa]n?|[Tt]he)\s+(?:[A-Z][\w-]*\s+)*(?:{alternation('generic_speakers')}))\s+{_VERB}\b"
)
_PRONOUN = re.compile(
    rf"\b(?P<name>[Hh]e|[Ss]he|[Tt]hey|[Tt]he\s+(?:[A-Z]\w+\s+)?(?:group|movement|organi[sz]ation))\s+{_VERB}\b"
)
_LEADING_NOT_NAME = words("speaker_openers")
_TITLE = re.compile(rf"^(?:{_TITLE_WORDS})$", re.I)
_NOT_NAMES = words("not_names")
_LOOKBACK = 3
Span = tuple[int, int, int, int]  # quotation: open mark, text start, text end, just after the close mark


def extract_quotes(article: Article, sentences: list[Sentence]) -> list[QuoteMention]:
    """Direct quotations of 3+ words in “ ”, « » or straight double quotes, in article order.

    ``text`` is what stands inside the marks (trimmed, a trailing comma dropped); ``speaker`` is the named
    person or body the sentence attributes it to ("Isaac Herzog", "Hamas", "White House", "an Israeli
    official"), titles dropped; after a bare "he said" the last named speaker of the 3 sentences before.
    """
    sentences = [s for s in sentences if s.article_id == article.id]
    spans = _quote_spans(article.text)
    out: list[QuoteMention] = []
    for open_at, start, end, close_at in spans:
        inside = [s for s in sentences if s.start < close_at and open_at < s.end]
        if not inside or len(_QUOTE_WORD.findall(article.text, start, end)) < 3:
            continue
        speaker = _speaker(article.text, sentences, inside, spans, open_at, close_at)
        first = next((s for s in inside if s.start <= start < s.end), inside[0])
        out.append(QuoteMention(article.id, first.id, article.text[start:end], speaker, start, end))
    return out


def _quote_spans(text: str) -> list[Span]:
    """(open mark, text start, text end, after close mark) of each quotation, non-overlapping, in order."""
    found: list[Span] = []
    for pattern in _QUOTE_PAIRS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < d for a, _, _, d in found):
                continue
            start, end = m.span(1)
            while start < end and text[start].isspace():
                start += 1
            while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
                end -= 1
            found.append((m.start(), start, end, m.end()))
    return sorted(found)


def _masked(text: str, spans: list[Span], lo: int, hi: int) -> str:
    """``text[lo:hi]`` with every quotation (marks included) replaced by '§' characters."""
    chars = list(text[lo:hi])
    for a, _, _, d in spans:
        for k in range(max(a, lo), min(d, hi)):
            chars[k - lo] = "§"
    return "".join(chars)


def _speaker(
    text: str,
    sentences: list[Sentence],
    inside: list[Sentence],
    spans: list[Span],
    open_at: int,
    close_at: int,
) -> str | None:
    """Speaker of the quotation at ``text[open_at:close_at]`` (see ``extract_quotes``)."""
    lo = inside[0].start
    found = _attributions(_masked(text, spans, lo, inside[-1].end))
    if not found:
        return None
    q_lo, q_hi = open_at - lo, close_at - lo
    (near_lo, _), name, anaphor = min(found, key=lambda f: _gap(f[0], q_lo, q_hi))
    if not anaphor:
        return name
    earlier = [n for (a, _), n, ana in found if a < near_lo and not ana]
    return earlier[-1] if earlier else _previous_speaker(text, sentences, inside[0], spans)


def _previous_speaker(text: str, sentences: list[Sentence], first: Sentence, spans: list[Span]) -> str | None:
    """Last named speaker in the few sentences before ``first`` (for "he said"), or None."""
    k = sentences.index(first)
    for prev in reversed(sentences[max(0, k - _LOOKBACK) : k]):
        named = [n for _, n, ana in _attributions(_masked(text, spans, prev.start, prev.end)) if not ana]
        if named:
            return named[-1]
    return None


def _attributions(context: str) -> list[tuple[tuple[int, int], str, bool]]:
    """((start, end), speaker, is_anaphor) for every attribution in ``context``, in order of position;
    an anaphor is a "he said" / "the group said" that names nobody."""
    found: list[tuple[tuple[int, int], str, bool]] = []
    for pattern in (_NAMED_BEFORE, _NAMED_AFTER, _ACCORDING):
        for m in pattern.finditer(context):
            name = _clean_name(m.group("name"))
            if name:
                found.append((m.span(), name, False))
    found += [(m.span(), m.group("name"), False) for m in _GENERIC.finditer(context)]
    found += [(m.span(), m.group("name"), True) for m in _PRONOUN.finditer(context)]
    return sorted(found)


def _clean_name(name: str) -> str | None:
    """The name without titles or a final full stop: "Israeli President Isaac Herzog" → "Isaac Herzog",
    "the White House" → "White House"; None when only a title or a non-name ("It", "But") is left."""
    tokens = name.split()
    if tokens and tokens[-1].endswith(".") and len(tokens[-1]) > 3 and "." not in tokens[-1][:-1]:
        tokens[-1] = tokens[-1][:-1]
    while tokens and (tokens[0] in _LEADING_NOT_NAME or tokens[0].lower() == "the"):
        tokens = tokens[1:]
    for k in range(len(tokens) - 1, -1, -1):
        if re.search(r"[’']s$", tokens[k]) or _TITLE.match(tokens[k]):
            tokens = tokens[k + 1 :]
            break
    if not tokens or tokens[0] in _NOT_NAMES or not tokens[0][0].isupper():
        return None
    return " ".join(tokens)


def _gap(span: tuple[int, int], lo: int, hi: int) -> int:
    """Characters between ``span`` and the range ``lo..hi`` (0 when they touch or overlap)."""
    return max(0, lo - span[1], span[0] - hi)
