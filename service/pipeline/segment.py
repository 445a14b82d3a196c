"""Segment: split an article's text into sentences with exact character offsets.

Every ``Sentence`` made here satisfies ``article.text[s.start:s.end] == s.text``.
"""

from __future__ import annotations

import re

import pysbd

from service.pipeline.types import Article, Sentence

MAX_SENTENCE_CHARS = 600
MIN_LETTERS = 2

# Markdown / layout debris at the edges of a span ("** Herzog ...", "----- ", "... text **").
_LEADING_JUNK = "*#>-–—•·_=~|"
_TRAILING_JUNK = "*#_=~|"
_LETTER = re.compile(r"[^\W\d_]")
_BREAKS = ("; ", ", ", " ")


def segment(article: Article) -> list[Sentence]:
    """The article's sentences in reading order, ids ``f"{article.id}#{index}"`` with index from 0.

    Paragraphs (lines) are split with pysbd; spans are stripped of whitespace and leading markdown
    debris, spans with fewer than 2 letters are dropped, and sentences longer than 600 characters are
    cut at "; " or ", " into pieces of at most 600 characters.
    """
    text = article.text
    spans: list[tuple[int, int]] = []
    for para_start, para in _paragraphs(text):
        for start, end in _sentence_spans(para):
            span = _trim(text, para_start + start, para_start + end)
            if span is not None:
                spans.extend(split_long(text, *span))
    return [
        Sentence(id=f"{article.id}#{i}", article_id=article.id, index=i, text=text[s:e], start=s, end=e)
        for i, (s, e) in enumerate(spans)
    ]


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """(offset, line) for every non-blank line of ``text``."""
    out: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            out.append((offset, line))
        offset += len(line) + 1
    return out


def _sentence_spans(para: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in ``para``, non-overlapping and in order.

    pysbd's ``char_span`` offsets are checked against the text; a span that does not match is found
    again with ``str.find`` from the end of the previous one. A new ``Segmenter`` per call (about a
    microsecond) keeps this thread-safe: pysbd stores the text being segmented on the instance.
    """
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in segmenter.segment(para):
        sent, start, end = piece.sent, piece.start, piece.end
        if start < cursor or para[start:end] != sent:
            found = para.find(sent, cursor)
            if found < 0:
                sent = sent.strip()
                found = para.find(sent, cursor) if sent else -1
            if found < 0:
                continue
            start, end = found, found + len(sent)
        spans.append((start, end))
        cursor = end
    if not spans and para.strip():
        spans.append((0, len(para)))
    return _join_clock_times(para, spans)


_CLOCK_END = re.compile(r"\b[ap]\.m\.$", re.I)
_ZONE_START = re.compile(r"(?:[A-Z][a-z]+\s+)?(?:[Tt]ime|GMT|UTC|[ECMPA][SD]?T)\b")


def _join_clock_times(para: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans with a break after "a.m."/"p.m." undone where the next span goes on with the time zone
    ("... at 6:34 a.m. | Pacific Time (1330 GMT) at a light-rail yard ..." is one sentence)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and _CLOCK_END.search(para[out[-1][0] : out[-1][1]].rstrip()) and _ZONE_START.match(para[start:end]):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` moved inwards past whitespace and markdown debris; None if under 2 letters."""
    while start < end and (text[start].isspace() or text[start] in _LEADING_JUNK):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _TRAILING_JUNK):
        end -= 1
    if len(_LETTER.findall(text, start, end)) < MIN_LETTERS:
        return None
    return start, end


def split_long(text: str, start: int, end: int, limit: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """``text[start:end]`` as spans of at most ``limit`` chars, cut after the last "; " that fits, else
    the last ", ", else the last space, else hard at ``limit``; pieces under 2 letters are dropped."""
    pieces: list[tuple[int, int]] = []
    while end - start > limit:
        cut = _cut_point(text, start, start + limit)
        span = _trim(text, start, cut)
        if span is not None:
            pieces.append(span)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    span = _trim(text, start, end)
    if span is not None:
        pieces.append(span)
    return pieces


def _cut_point(text: str, start: int, stop: int) -> int:
    """Offset just after the best break in ``text[start:stop]`` (keeps the ';' or ',' in the piece)."""
    window = text[start : stop + 1]  # +1: a break whose space sits right at the limit still fits
    for sep in _BREAKS:
        i = window.rfind(sep)
        if i > 0:
            return start + i + len(sep.rstrip()) if sep.strip() else start + i
    return stop
