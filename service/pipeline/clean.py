"""Clean a source sentence so that it can stand alone in the brief: what is not the story goes.

- section labels that newsletters put before a sentence ("Why it matters:", "The big picture:", "Go deeper:");
- datelines and bylines ("WASHINGTON (AP) —", "By Jane Doe |");
- words printed twice ("the the");
- a word that links the sentence to the one before it in its article ("But", "However,", "Still,").

A sentence cut off with "…" (article excerpts end so) is stated as the whole part before the cut
(``mend_cut``), never with the cut-off mark.

The citation keeps the article's exact words; only the statement is cleaned. A sentence whose cleaned form
is empty or does not read as a sentence is not usable verbatim.
"""

from __future__ import annotations

import re

from service.pipeline.verify import unattributed_terms, without_report
from service.text import word_count
from service.text.lexicons import alternation, folding, terms, words

_LABEL = re.compile(r"^(?:[A-Z][A-Za-z'’]*(?:\s+[A-Za-z'’]+){0,4})\s*:\s+(?=[A-Z“\"])")
_SPEECH = re.compile(
    r"\b(said|says|say|told|tells|added|adds|wrote|writes|stated|states|noted|notes|asked|explained|"
    r"tweeted|posted|declared|warned|argued|according)\b",
    re.I,
)
_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]{2,40}(?:\s*\([A-Za-z .]+\))?\s*[—–-]{1,2}\s+")
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}\s*[|,:—–-]\s*", re.I)
_CUT = re.compile(r"\s*(?:…|\.\.\.)\s*[\"”’]?\s*$")
# A whole sentence the excerpt stopped after: its full stop, then the cut mark ("… in the Wall Street Journal....",
# 48 in the 420 AllSides stories); not after an initial or a short title ("James C....", "Gov....", "Dr....")
_WHOLE_THEN_CUT = re.compile(r"(?:\b[a-z]{2,}|\b[A-Z][a-z]{3,}|\d{2,})([.!?][\"”’]?)(\.\.\.|…)\s*$")
_DOUBLED = re.compile(r"\b(\w+)\s+\1\b", re.I)
_KEEP_DOUBLED = words("keep_doubled")
_LINKS = "|".join(
    re.escape(t).replace(r"\ ", r"\s+") + ("" if t.endswith(",") else r"\b,?") for t in terms("linking_openers")
)
_LINK = re.compile(rf"^(?:{_LINKS})\s+(?=\S)", re.I)


_EMPHASIS = re.compile(r"\*\*(\w(?:[^*]*\w)?)\*\*")
_MASK = re.compile(r"\*{2,}")  # a word a translation or an editor masked: "Israel's ** Herzog"


def masked(text: str) -> bool:
    """Whether ``text`` has a word masked by asterisks ("The ** revealed that …"): it cannot be read as news."""
    return bool(_MASK.search(_EMPHASIS.sub(r"\1", text)))


def clean_statement(text: str) -> str:
    """``text`` without a leading label, dateline or byline or doubled words, and a cut-off sentence as the
    whole part before the cut (``mend_cut``; one that cannot be mended stays cut and is not used verbatim)."""
    out = text.strip()
    for pattern in (_BYLINE, _DATELINE, _LABEL):
        m = pattern.match(out)
        if m and len(out) - m.end() > 20 and not (pattern is _LABEL and _SPEECH.search(m.group(0))):
            out = out[m.end() :]
    link = _LINK.match(out)
    if link and word_count(out[link.end() :]) >= 4:  # "But Hamas said …" → "Hamas said …"
        out = out[link.end() :]
    out = _DOUBLED.sub(lambda m: m.group(0) if m.group(1).lower() in _KEEP_DOUBLED else m.group(1), out)
    out = _EMPHASIS.sub(r"\1", out)  # "An Israeli **high-level** reiterated …": markup, not words
    if out and out[0].islower():
        out = out[0].upper() + out[1:]
    return (mend_cut(out) or out) if is_cut(out) else out


_STOP_TAIL = words("stop_tail")
_PREPOSITIONS = words("prepositions") | {"of", "into", "about", "under", "between", "before"}


_REPORTING = words("reporting_verbs")
_SUBORDINATORS = words("clause_openers")  # "While …," / "In an interview …,": no main clause of their own


def mend_cut(text: str, min_words: int = 6, phrase: bool = False) -> str | None:
    """A sentence an article cut off as its last whole part: up to its last comma ("... divided among
    political lines, with 6% of Rep…" → "... divided among political lines."), else before the phrase the
    cut broke into ("... to cut off debate on the b…" → "... to cut off debate."); ``phrase``: before that
    phrase first (more of the sentence, for a reader that rewrites it); None when too little is left or a
    quotation would stay open."""
    if not is_cut(text):
        return text
    whole = _WHOLE_THEN_CUT.search(text)
    if whole:  # "… appeared first, last month, in the Wall Street Journal...." : the cut came after a full stop
        return text[: whole.start(2)].rstrip()
    kept = _CUT.sub("", text)  # the last word is the one the cut broke, unless a comma ends it: "The summary,
    words = kept.split()[: None if kept.endswith((",", ";")) else -1]  # …, includes a top personal rate of 39.6%,..."
    breaks = [i for i, w in enumerate(words) if w.endswith((",", ";", "—"))]
    commas = [i for i in breaks if i + 1 >= min_words]
    links = [i for i, w in enumerate(words) if w.lower() in _STOP_TAIL and i >= min_words]
    starts = [i for i in links if words[i].lower() in _PREPOSITIONS]  # "… of Mr. Floyd for more than nine…"
    popped: list[str] = []
    if phrase and starts and starts[-1] - (breaks[-1] if breaks else -1) > 3:  # not "lines, with 6% of Rep…"
        words = words[: starts[-1]]
    elif commas:  # the last whole clause: "... divided among political lines, with 6% of ..." → "... lines"
        if words[0].lower() in _SUBORDINATORS and not any(w.endswith((",", ";", "—")) for w in words[: commas[-1]]):
            return None  # "While the jets have not reached the island, Mr Chiu warned…": the main clause is cut
        head, rest = " ".join(words[: commas[-1] + 1]), " ".join(words[commas[-1] + 1 :])
        if len(breaks) > 1 and breaks[-2] < commas[-1] and has_verb(rest) and not has_verb(head):
            return None  # "The judge, Roger T. Benitez of the U.S. District Court …, wrote that sections of the…":
            # a subject and its apposition; its verb is what the cut took (allsides-5980's fact "the judge, Roger T.")
        words = words[: commas[-1]] + [words[commas[-1]].rstrip(",;—")]
    elif links:  # before the phrase the cut broke into: "... to cut off debate on the b..."
        words, popped = words[: links[-1]], [words[links[-1]].lower()]  # "… said on July 8 that the…"
    while words and words[-1].lower().strip(",;:—–-") in _STOP_TAIL:
        popped.append(words.pop().lower())
    mended = " ".join(words).rstrip(",;:—–- ")
    if len(words) < min_words or mended.count('"') % 2 or mended.count("“") != mended.count("”"):
        return None
    if "that" in popped and any(w.lower().strip(",") in _REPORTING for w in words):
        return None  # "Austin announced on Monday that all…": what was announced is what the cut took
    return mended + "."


_TITLE = re.compile(r"(?<=\s)[A-Z][a-z'’]+\b")
_LONG_WORD = re.compile(r"(?<=\s)[A-Za-z][a-z'’]{3,}\b")


def headline_case(text: str) -> bool:
    """Whether a sentence is written in headline case ("Seven Officers File Lawsuit Against Trump"): nearly
    every longer word after the first capitalised."""
    long = _LONG_WORD.findall(text)
    return len(long) >= 3 and sum(w[0].isupper() for w in long) >= 0.8 * len(long)


# Abbreviations that end on a full stop inside a sentence ("Roe v. Wade", "Mr. Blinken", "U.S. Capitol")
_INSIDE_AFTER = (
    r"(?:(?<=[^\s.!?\"“])|(?<=\bv\.)|(?<=\bvs\.)|(?<=\bMr\.)|(?<=\bMs\.)|(?<=\bDr\.)|(?<=\bSt\.)|(?<=\bU\.S\.))"
)


def named_inside(word: str, text: str) -> bool:
    """Whether ``text`` prints ``word`` with its capital inside a sentence (not first): a name."""
    return re.search(rf"{_INSIDE_AFTER}\s{re.escape(word)}\b", text) is not None


# "U. S." where the sources print "U.S.": the default model spaces initials out
_SPACED_INITIALS = re.compile(r"\b[A-Z]\.(?: [A-Z]\.)+")


def _join_initials(spaced: str, sources: str) -> str:
    joined = spaced.replace(" ", "")
    return joined if joined in sources else spaced


def sentence_case(text: str, sources: list[str]) -> str:
    """A headline-case sentence the model wrote, in sentence case: a capitalised word after the first keeps
    its capital only where the sources print it so inside a sentence (a name: "Capitol Police", "Trump");
    "Officers File Lawsuit Against" becomes "officers file lawsuit against". Other text is returned as is, but
    for initials the model spaced out ("U. S.") where the sources print them joined ("U.S.")."""
    joined = " ".join(sources)
    text = _SPACED_INITIALS.sub(lambda m: _join_initials(m.group(0), joined), text)
    if not headline_case(text):
        return text

    def lower(m: re.Match[str]) -> str:
        return m.group(0) if any(named_inside(m.group(0), t) for t in sources) else m.group(0).lower()

    return _TITLE.sub(lower, text)


def is_cut(text: str) -> bool:
    """Whether ``text`` ends in a cut-off mark instead of a full stop."""
    return bool(_CUT.search(text))


_LAST_WORD = re.compile(r"([A-Za-z]+)\W*$")
_DANGLING_ENDS = words("dangling_ends")


def ends_on(text: str, vocabulary: frozenset[str]) -> bool:
    """Whether the last word of ``text`` (punctuation after it aside) is one of ``vocabulary``."""
    m = _LAST_WORD.search(text.strip())
    return m is not None and m.group(1).lower() in vocabulary


def dangling_end(text: str) -> bool:
    """Whether ``text`` stops on a word that needs more after it ("… that in 2019 she.", "… and the."): split
    or cut inside a clause, even where it ends in a full stop."""
    return ends_on(text, _DANGLING_ENDS)


# "I" as a word, not the last letter of an initialism: "F.B.I." (allsides-5668's lead sentence, "… released Monday
# by the F.B.I.", was refused as first person and the story's own lead left out)
_FIRST_PERSON = re.compile(r"(?<!\.)\bI\b(?!\.\w)|\b(?:we|our|us|my)\b")
_DANGLING = re.compile(
    r"^(?:He|She|They|It|His|Her|Their|Its|This|That|These)\b|"
    rf"^The\s+(?:[\w'’-]+\s+){{0,2}}?(?:{alternation('referring_nouns')})\b(?!\s+of\b)(?![\w'’-])"
)
# ... or its subject is one after an opening phrase: "Then, on Tuesday evening, he heard the eviction moratorium had
# been extended again" (allsides-5805, whose code headline it became); not a pronoun inside the phrase ("When he
# arrived, Smith said …")
_DANGLING_AFTER = re.compile(r"^(?:[^,;:\"“”]{1,40},\s+){1,2}(?:he|she|they|it|his|her|their|its)\b")
_QUOTED = re.compile(r"[\"“][^\"“”]*[\"”]")
_PARTICIPLE = re.compile(r",\s+\w+ed\s+by\b")  # a subject and its participle phrase: "The sentence, delivered by …"


def open_quote(text: str) -> bool:
    """Whether a quotation opens in ``text`` and does not close in it: the first sentence of a quote that runs
    on ("“It’s applying the rule of law to the facts of an individual and specific case."), cut from its end
    and its speaker."""
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


MAX_PLAIN_WORDS = 40


def outside_quotes(text: str) -> str:
    """``text`` with its quotations blanked out (a speaker's own words are theirs, not the brief's)."""
    return _QUOTED.sub(" ", text)


# where a sentence's trailing phrase begins: a participle phrase (", making it the …"), an attribution or a
# side clause after a comma, a semicolon or a dash; what comes before it is a whole sentence more often than not
_TRAILING = re.compile(
    r",\s+(?:[a-z]{3,}ing|according to|with|as|even as|even though|although|though|whereas|while|where|after|but|"
    r"and)\b|;\s+|\s+[—–]\s+"
)
MIN_TRIMMED = 8  # words a trimmed sentence keeps at least


def trim_long(text: str, max_words: int = MAX_PLAIN_WORDS) -> str | None:
    """A sentence over ``max_words`` without its trailing phrases: the longest part before one (``_TRAILING``)
    that fits, has a verb, closes its quotations and brackets and does not end on a dangling word ("The U.S.
    murder rate increased nearly 30% in 2020, according to the FBI, making it the largest …" → "…, according to
    the FBI."). It states the news in the outlet's own words with no call to the model; None when no part does."""
    best = None
    for m in _TRAILING.finditer(text):
        head = text[: m.start()].rstrip(" ,;:")
        if not MIN_TRIMMED <= word_count(head) <= max_words or head.count("(") != head.count(")"):
            continue
        if open_quote(head) or not has_verb(head) or dangling_end(head) or is_cut(head + "."):
            continue
        best = head + "."
    return best


def statement_text(text: str) -> str:
    """A source sentence as the brief states it: cleaned (``clean_statement``), and when it is over
    ``MAX_PLAIN_WORDS`` words, without its trailing phrases where that leaves a whole sentence (``trim_long``)."""
    out = clean_statement(text)
    if word_count(out) > MAX_PLAIN_WORDS:
        return trim_long(out) or out
    return out


def leans_on_pronoun(text: str) -> bool:
    """Whether ``text`` opens on a pronoun (or one after an opening phrase) whose noun is in another sentence."""
    return bool(_DANGLING.match(text.lstrip("\"“‘'")) or _DANGLING_AFTER.match(text))


# "Haugen, a former Facebook product manager." (allsides-5648: the model's restatement of "Haugen, a former Facebook
# product manager, said …" lost the verb and replaced its fact in the facts list)
_APPOSITION_ONLY = re.compile(r"^(?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*,\s+(?:a|an|the)\s+[^,;:]+[.!?]?$")


def apposition_only(text: str) -> bool:
    """Whether ``text`` is only a name and a description of it, no verb: "Haugen, a former Facebook product
    manager." (after "According to X," where code gave whose report it is)."""
    return bool(_APPOSITION_ONLY.match(without_report(text).strip())) and not has_verb(text.split(",", 1)[1])


def standalone_problem(text: str, loaded: tuple[str, ...], max_words: int = MAX_PLAIN_WORDS) -> str | None:
    """Why a sentence cannot stand verbatim as a neutral statement, or None: too long, cut off, leaning on a
    pronoun, first person or a ``loaded`` term outside a quotation. Quotations themselves are fine: they are
    the outlet's own words, cited."""
    bare = outside_quotes(text)
    if word_count(text) > max_words:
        return f"longer than {max_words} words"
    if is_cut(text) or dangling_end(text):
        return "cut off"
    if text.rstrip().endswith(":"):
        return "introduces what follows (ends with a colon)"  # "Here are figures Kirby provided, by branch:"
    if _FIRST_PERSON.search(bare):
        return "first person outside a quotation"
    if leans_on_pronoun(text):
        return "starts with a pronoun"
    if open_quote(text):
        return "a quotation that does not close here (its speaker and end are in other sentences)"
    if masked(text):
        return "a word masked as **"
    if _PARTICIPLE.search(text) and not has_verb(text):
        return "not a sentence: no verb"  # "The sentence, delivered by Judge Peter A. Cahill of …"
    if apposition_only(text):
        return "not a sentence: a name and what it is"
    terms = unattributed_terms(text, loaded)
    if terms:
        return f"loaded term without attribution: {terms[0]}"
    return None


_DETERMINERS = words("determiners")
_POSSESSIVE_NOUN = re.compile(r"\w['’]s$")  # "Mississippi's attorney general urges …" is prose, as "its" is


def telegraphic(text: str, sources: list[str]) -> str | None:
    """A sentence written as a headline ("China shows new military sophistication in harassment of Taiwan."):
    nine words or more and not one article, determiner, quantifier or possessive, where its fact has some. The
    model writes summary lines in headline style for outlets' subheads; a summary reads as sentences. Also a
    fragment that opens on a word in -ing and has no verb after it (a subhead: "Applying the rule of law to the
    facts")."""

    def determiners(t: str) -> int:
        words = [w.strip(",.;:'\"“”’") for w in outside_quotes(t).split()]
        return sum(w.lower() in _DETERMINERS or _POSSESSIVE_NOUN.search(w) is not None for w in words)

    if len(text.split()) >= 9 and not determiners(text) and any(determiners(s) for s in sources):
        return "written as a headline, not a sentence"
    first, _, rest = text.partition(" ")
    if first.lower().endswith("ing") and first[:1].isupper() and not has_verb(rest):
        return "not a sentence: no verb"  # "Applying the rule of law to the facts of an individual case."
    return None


_RELATIVE = re.compile(r"\b(?:who|which|that|whose|whom)\b", re.I)
_AUXILIARY = words("auxiliaries")


def has_verb(text: str) -> bool:
    """Whether ``text`` has a verb of its own, outside a relative clause: "A suspect who claimed to have an
    explosive device" and "Classified assessments by American spy agencies" are a subject without its verb
    (a headline cut took it). Verbs known to code: an auxiliary, a reporting or event verb, a verb before "to"
    (``lexicons/to_verbs.txt``: "aims to keep"), a word in -ed after the first word and not before "by"
    ("sparked by weeks of tensions" is a participle)."""
    main = [raw.strip(",.;:'\"“”’").lower() for raw in _RELATIVE.split(text)[0].split()]
    for n, w in enumerate(main):
        if w in _AUXILIARY or w in _REPORTING or w in _EVENTS:
            return True
        before = main[n - 1] if n > 0 else ""
        after = main[n + 1] if n + 1 < len(main) else ""
        if n > 0 and after == "to" and w in _TO_VERBS:
            return True  # "The new moratorium aims to keep …"
        if after == "by":
            continue  # a participle: "a confrontation … sparked by weeks of tensions" (its verb came later)
        if n > 0 and w.endswith("ed") and len(w) > 4 and before not in _BEFORE_ADJECTIVE and not before.endswith("ly"):
            return True  # "painted", not "a detailed", "unusually detailed"
    return False


_BEFORE_ADJECTIVE = words("adjective_openers")
_TO_VERBS = words("to_verbs")
_EVENTS = frozenset(folding("event_verbs"))
