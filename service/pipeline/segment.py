"""Segment: split an article's text into sentences with exact character offsets.

Every ``Sentence`` made here satisfies ``article.text[s.start:s.end] == s.text``.
"""

from __future__ import annotations

import re

from service.pipeline.types import Article, Sentence
from service.text import sentences

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
        for start, end in sentences.spans(para):
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
