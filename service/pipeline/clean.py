"""Clean a source sentence so that it can stand alone in the brief: what is not the story goes.

- section labels that newsletters put before a sentence ("Why it matters:", "The big picture:", "Go deeper:");
- datelines and bylines ("WASHINGTON (AP) —", "By Jane Doe |");
- words printed twice ("the the").

A sentence cut off with "…" cannot be mended by code: ``is_cut`` tells the pipeline to have it rewritten.

The citation keeps the article's exact words; only the statement is cleaned. A sentence whose cleaned form
is empty or does not read as a sentence is not usable verbatim.
"""

from __future__ import annotations

import re

from service.pipeline.verify import unattributed_terms

_LABEL = re.compile(r"^(?:[A-Z][A-Za-z'’]*(?:\s+[A-Za-z'’]+){0,4})\s*:\s+(?=[A-Z“\"])")
_SPEECH = re.compile(
    r"\b(said|says|say|told|tells|added|adds|wrote|writes|stated|states|noted|notes|asked|explained|"
    r"tweeted|posted|declared|warned|argued|according)\b",
    re.I,
)
_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]{2,40}(?:\s*\([A-Za-z .]+\))?\s*[—–-]{1,2}\s+")
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}\s*[|,:—–-]\s*", re.I)
_CUT = re.compile(r"\s*(?:…|\.\.\.)\s*[\"”’]?\s*$")
_DOUBLED = re.compile(r"\b(\w+)\s+\1\b", re.I)
_KEEP_DOUBLED = frozenset({"had", "that", "is", "very", "bye", "no", "yes", "ha"})


def clean_statement(text: str) -> str:
    """``text`` without a leading label, dateline or byline or doubled words."""
    out = text.strip()
    for pattern in (_BYLINE, _DATELINE, _LABEL):
        m = pattern.match(out)
        if m and len(out) - m.end() > 20 and not (pattern is _LABEL and _SPEECH.search(m.group(0))):
            out = out[m.end() :]
    out = _DOUBLED.sub(lambda m: m.group(0) if m.group(1).lower() in _KEEP_DOUBLED else m.group(1), out)
    if out and out[0].islower():
        out = out[0].upper() + out[1:]
    return out


def is_cut(text: str) -> bool:
    """Whether ``text`` ends in a cut-off mark instead of a full stop."""
    return bool(_CUT.search(text))


_FIRST_PERSON = re.compile(r"\b(I|we|our|us|my)\b")
_DANGLING = re.compile(r"^(He|She|They|It|This|That|These|The group|The movement|The official)\b")
_QUOTED = re.compile(r"[\"“][^\"“”]*[\"”]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+|\d[\d,.]*")
MAX_PLAIN_WORDS = 40


def standalone_problem(text: str, loaded: tuple[str, ...], max_words: int = MAX_PLAIN_WORDS) -> str | None:
    """Why a sentence cannot stand verbatim as a neutral statement, or None: too long, cut off, leaning on a
    pronoun, first person or a ``loaded`` term outside a quotation. Quotations themselves are fine: they are
    the outlet's own words, cited."""
    bare = _QUOTED.sub(" ", text)
    if len(_WORD.findall(text)) > max_words:
        return f"longer than {max_words} words"
    if is_cut(text):
        return "cut off"
    if _FIRST_PERSON.search(bare):
        return "first person outside a quotation"
    if _DANGLING.match(text):
        return "starts with a pronoun"
    terms = unattributed_terms(text, loaded)
    if terms:
        return f"loaded term without attribution: {terms[0]}"
    return None
