"""One outlet's word stays that outlet's word: a fact or summary sentence only one outlet reports says whose
report it is ("According to CNN, …"), in the facts list as in the summary, so one outlet's framing and a line
planted in one article never stand in the brief's own voice."""

from __future__ import annotations

import re

from service.pipeline.clean import named_inside
from service.pipeline.types import Sentence
from service.schemas import Fact
from service.text import STOP_WORDS
from service.text.dictionary import dictionary_word
from service.text.lexicons import words

_FUNCTION_WORDS = words("sentence_openers")  # never a name: lower case after "According to X,"


def common_word(word: str, texts: list[str], following: str = "") -> bool:
    """Whether a sentence's capitalised first word is an ordinary word, not a name: the sources write it in
    lower case somewhere ("Authorities" → "authorities"; "Biden" never is) or it is a function word
    ("Although"), or a lower-case compound ("Low-income") or an -ing or -ed form before a function word ("Starting
    on", "Dubbed the"),
    or, where they only print it at a sentence's start, the dictionary has it as a common word ("Tensions"),
    and they never print it with a capital inside a sentence. Only a Titlecase word qualifies ("US", "NATO"
    stay as they are)."""
    if not (word[:1].isupper() and (word[1:].islower() or word == "A")):
        return False
    if word.lower() in _FUNCTION_WORDS:  # "The pace of …" (even where the sources print "The Guardian")
        return True
    joined = " ".join(texts)
    if following[:1].isupper() and following[1:].islower():  # two capitalised words open a name ("White House",
        # "Marine Corps": not "According to Axios, marine Corps: 53% …", allsides-5756), unless the sources print
        # the first in lower case before the second: "former President"
        return f"{word.lower()} {following}" in joined
    if any(named_inside(word, t) for t in texts):  # each text apart: joined, one ending "the U.S." or a title
        return False  # without a full stop would make the next one's first word look inside a sentence
    if re.fullmatch(r"[A-Z][a-z]+-[a-z][a-z-]*", word):
        return True  # "Low-income": a compound in lower case after its first letter, not a name
    if re.fullmatch(r"[A-Z][a-z]{2,}(?:ing|ed)", word) and following.lower() in STOP_WORDS:
        return True  # "Starting on …", "Dubbed the …": a participle before a function word ("Boeing said" is a name)
    if word.lower() in STOP_WORDS or re.search(rf"\b{re.escape(word.lower())}\b", joined) is not None:
        return True
    return dictionary_word(word)  # printed only at a sentence's start: "Tensions between the U.S. and China …"


def attribution_for(text: str, fact: Fact, outlets: dict[str, str]) -> str | None:
    """The outlet names a sentence of ``fact`` must be attributed to ("CNN and Fox News"), or None: a fact
    several outlets report, a disputed one (its line names every side) and a sentence that names its outlet
    need none. A speaker's verb inside the
    sentence is not enough: in "In his speech defending America's chaotic withdrawal, Biden said …" the
    claim is Biden's but "chaotic" is the outlet's word (allsides-5772), so the sentence is the outlet's report.
    Nor is a sentence that opens as someone else's report: "According to the final official count, …" in one
    article is that outlet's word on the count (a planted line's "official version" reads so)."""
    if fact.sources >= 2 or fact.status == "disputed":
        return None
    return _owners(text, [c.article_id for c in fact.citations], outlets)


def _owners(text: str, article_ids: list[str], outlets: dict[str, str]) -> str | None:
    """The outlets of ``article_ids`` as an attribution names them ("CNN and Fox News"), or None when ``text``
    names one of them already."""
    names = _names(article_ids, outlets)
    if not names or any(n.lower() in text.lower() for n in names):
        return None
    return " and ".join(names)


def outlet_names(article_ids: list[str], outlets: dict[str, str]) -> str:
    """The outlets of ``article_ids`` as an attribution names them: "CNN and Fox News"."""
    return " and ".join(_names(article_ids, outlets))


def _names(article_ids: list[str], outlets: dict[str, str]) -> list[str]:
    return sorted({outlet_name(outlets.get(a, a)) for a in article_ids})


def one_outlet(
    text: str, fact: Fact, outlets: dict[str, str], texts: list[str] | None = None, *, again: bool = False
) -> str:
    """A summary sentence of a fact only one outlet reports, saying whose report it is ("According to CNN,
    …") unless it names the outlet or attributes its claim already: a brief states in its own voice only
    what several outlets report, so a line planted in one article cannot become the brief's word. Its first
    word goes to lower case when ``texts`` (the sources) use it as an ordinary word. ``again``: the outlet
    was named for an earlier sentence, so this one reads "CNN also reports that …" (a summary of four
    "According to CNN, …" reads as a list)."""
    names = attribution_for(text, fact, outlets)
    if names is None:
        return text
    return according_to(names, text, [*(c.quote for c in fact.citations), *(texts or [])], again=again)


def according_to(names: str, text: str, sources: list[str], *, again: bool = False) -> str:
    """``text`` as the report of ``names``: "According to CNN, …" (or "CNN also reports that …"), its first
    word in lower case where ``sources`` show it is an ordinary word."""
    first, _, rest = text.partition(" ")
    following = rest.split(maxsplit=1)[0] if rest.split() else ""
    first = first.lower() if common_word(first.strip("\"“‘'"), [text, *sources], following) else first
    # a sentence that opens as someone else's report: "CNN reports that, according to the FBI, the rate rose"
    that = f"that, {first.lower()}" if re.match(r"according to\b", text, re.I) else f"that {first}"
    if again:
        return f"{names} also reports {that} {rest}".rstrip()
    if re.search(r"\baccording to\b", text, re.I):  # not "According to NPR, the rate rose, according to the FBI"
        return f"{names} reports {that} {rest}".rstrip()
    return f"According to {names}, {first} {rest}".rstrip()


def outlet_name(name: str) -> str:
    """An outlet's name as a reader says it: "Fox News (Online News)" → "Fox News" (the rating table's
    qualifier tells one desk of an outlet from another; an attribution needs only the name)."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name) or name


def attribute_single_source(facts: list[Fact], outlets: dict[str, str], sentences: list[str] | None = None) -> None:
    """A fact only one outlet reports says whose report it is, in the facts list as in the summary: the brief
    states in its own voice only what several outlets report, so one outlet's wording ("a kitchen sink of
    charges", "a steep increase") and a line planted in one article stay that outlet's word."""
    texts = [c.quote for f in facts for c in f.citations] + (sentences or [])  # the sources' letter case
    for f in facts:
        f.statement = one_outlet(f.statement, f, outlets, texts)


def stance_report(text: str, cited: list[Sentence], outlets: dict[str, str], sources: list[str]) -> str:
    """A party's stance stated as printed is its outlet's sentence, so it says whose ("According to Fox News,
    Republicans called the withdrawal chaotic …"): "chaotic" is the outlet's word, not the brief's
    (allsides-5772), as in a one-outlet fact. A stance that names its outlet already stays as it is."""
    names = _owners(text, [s.article_id for s in cited], outlets)
    return text if names is None else according_to(names, text, sources)
