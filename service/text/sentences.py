"""Sentences: where one sentence of a text ends and the next begins.

Articles are split by pysbd (it keeps "U.S." and "Jan. 6" whole); :func:`spans` gives offsets into the
text, :func:`split` the sentences themselves. :func:`statement_parts` splits a short statement that the
model or code wrote at every ". X" / "? X" / "! X", which is what the support check has always measured
per part (pysbd would keep "U.S. Army" whole and so change that check's verdicts).
"""

from __future__ import annotations

import re

import pysbd

_CLOCK_END = re.compile(r"\b[ap]\.m\.$", re.I)
_ZONE_START = re.compile(r"(?:[A-Z][a-z]+\s+)?(?:[Tt]ime|GMT|UTC|[ECMPA][SD]?T)\b")
_CAPITAL_AFTER_STOP = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def split(text: str) -> list[str]:
    """``text`` split into sentences by pysbd, stripped, blanks left out."""
    return [s.strip() for s in pysbd.Segmenter(language="en", clean=False).segment(text.strip()) if s.strip()]


def statement_parts(text: str) -> list[str]:
    """A written statement cut after ``.``, ``!`` or ``?`` where a capital follows (one part per sentence
    of a one- or two-sentence statement; abbreviations before a capital cut too)."""
    return _CAPITAL_AFTER_STOP.split(text.strip())


def spans(para: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in one paragraph, non-overlapping and in order.

    pysbd's ``char_span`` offsets are checked against the text; a span that does not match is found
    again with ``str.find`` from the end of the previous one. A new ``Segmenter`` per call (about a
    microsecond) keeps this thread-safe: pysbd stores the text being segmented on the instance.
    """
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    out: list[tuple[int, int]] = []
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
        out.append((start, end))
        cursor = end
    if not out and para.strip():
        out.append((0, len(para)))
    return _join_continuations(para, out)


def _join_continuations(para: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans with a break undone where the next span goes on with the same sentence: after "a.m."/"p.m."
    before its time zone ("... at 6:34 a.m. | Pacific Time (1330 GMT) at a light-rail yard ..."), and
    before a comma, semicolon or closing bracket, which never opens a sentence (pysbd ends one at a state's
    abbreviation: '"… a Senate investigation," Sen. Marsha Blackburn, R-Tenn. | , told Fox News, …')."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        clock = out and _CLOCK_END.search(para[out[-1][0] : out[-1][1]].rstrip()) and _ZONE_START.match(para[start:end])
        if out and (clock or para[start:end].lstrip()[:1] in (",", ";", ")")):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out
