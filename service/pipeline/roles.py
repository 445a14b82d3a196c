"""Who did what: whether a sentence turns round the roles of the sentence it restates. A small model restating
"The state of Mississippi on Thursday urged the U.S. Supreme Court … to overturn the landmark 1973 ruling"
wrote "the U.S. Supreme Court is set to argue in its next term to overturn the landmark 1973 ruling … in
Mississippi", and its own yes/no check passed it (allsides-5840). Code reads the names on each side of each
sentence's first finite verb (part of speech from the Brill lexicon, ``service.text.tags``): when the names
before the verb (the actor) are the other sentence's names after its verb, and the other way round, the roles
are swapped. A passive with the actor after "by" and a sentence of saying ("X said Y …", "Y …, X said") keep
their roles and are left alone."""

from __future__ import annotations

import re

from service.text import CALENDAR
from service.text.dictionary import dictionary_word
from service.text.tags import tag

_TOKEN = re.compile(r"[A-Za-z][A-Za-z.'’-]*")
# past, present, modal, and the past participle the lexicon gives "arrested" and "charged" (in "X was charged"
# the "was" comes first): the verb of the main clause, read as the first of them
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD", "VBN"})
# verbs that report what someone said or found: the roles inside the report are the report's, the speaker may
# stand first or last ("X said Y …", "Y …, X said"); not "urged", "warned", "accused", whose object is a role
_SPEECH = re.compile(
    r"\b(?:said|says|say|saying|told|tells|according|claimed|claims|wrote|writes|stated|states|reported|reports|"
    r"insisted|insists|believes|believed|announced|announces|denied|denies|argued|argues|added|noted|found|finds|"
    r"showed|shows)\b",
    re.I,
)
_TRAILING = re.compile(rf",[^,]{{0,60}}?{_SPEECH.pattern}[^,]{{0,80}}(?:,|$)", re.I)  # "…, the Pentagon said."
# a passive names its actor after "by": "Clark … was subpoenaed on Wednesday by the House"
_PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are|be)\s+(?:\w+\s+)?\w+(?:ed|en|wn|ne)\b[^.;]*?\bby\b", re.I)
_RELATIVE = frozenset({"who", "which", "that", "whom", "whose"})
_NO_NAME = frozenset({"The", "A", "An", "This", "That", "These", "Those", "It", "He", "She", "They", "We", "I"})


def _sides(text: str) -> tuple[set[str], set[str], str] | None:
    """(names before the first finite verb, names after it, the verb), or None without a finite verb."""
    tokens = list(_TOKEN.finditer(text))
    verb = next(
        (
            i
            for i, m in enumerate(tokens)
            if i > 0
            and m.group(0).islower()
            and tag(m.group(0)) in _FINITE
            and tokens[i - 1].group(0).lower() not in _RELATIVE  # "Clark, who headed …": not the main verb
        ),
        None,
    )
    if verb is None:
        return None
    names = [
        (i, m.group(0).rstrip(".'’").lower())
        for i, m in enumerate(tokens)
        if m.group(0)[0].isupper()
        and m.group(0) not in _NO_NAME
        and m.group(0).rstrip(".") not in CALENDAR
        and not (i == 0 and dictionary_word(m.group(0)))
    ]
    return {n for i, n in names if i < verb}, {n for i, n in names if i > verb}, tokens[verb].group(0)


def roles_swapped(source: str, sentence: str) -> str | None:
    """Why ``sentence`` turns round who did what in ``source`` (the actor before the verb of one is after the
    verb of the other, both ways), or None."""
    a, b = _sides(source), _sides(sentence)
    if a is None or b is None:
        return None
    actor, done_to, verb = a
    actor2, done_to2, verb2 = b
    if any(
        _SPEECH.fullmatch(v) or _TRAILING.search(t) or _PASSIVE.search(t)
        for v, t in ((verb, source), (verb2, sentence))
    ):
        return None
    if not actor or not actor2 or actor & actor2 or not (actor2 & done_to) or not (actor & done_to2):
        return None
    return (
        f"who did what is turned round: {', '.join(sorted(actor))} acts in its source, "
        f"{', '.join(sorted(actor2))} in the sentence"
    )
