"""What a model sentence of the headline or summary may say, judged by its words (:mod:`lead` writes them and
runs the meaning check): an opening that only counts outlets goes, a sentence written in another fact's place
goes back to that fact (``realign``), new words are counted, a disputed figure needs every side, and a list line
is no summary sentence."""

from __future__ import annotations

import os
import re

from service.pipeline.clean import has_verb, is_cut
from service.pipeline.numbers import number_values
from service.pipeline.verify import support_ratio
from service.schemas import Conflict, Fact
from service.text import STOP_WORDS, content_words
from service.text.lexicons import terms

ENDS = (".", "!", "?", '"', "”", "’")


# The prompt marks each fact "(1 outlet)" or "(2 outlets)"; the model sometimes opens every sentence with it
# ("One news outlet reported that the US added 559,000 jobs …": all 8 sentences of allsides-5983, each then
# refused for a figure its fact lacks). Whose report it is, code says (``one_outlet``), by name.
_OUTLET_COUNT = re.compile(
    r"^(?:(?:one|two|three|four|five|several|multiple|many|some|\d+)\s+(?:news\s+|media\s+)?outlets?\s+"
    r"(?:have\s+|has\s+)?(?:reported|reports?|said|says?|noted|stated|confirmed)\s+(?:that\s+)?"
    r"|according\s+to\s+(?:one|two|three|four|five|several|multiple|some|\d+)\s+(?:news\s+|media\s+)?outlets?"
    r",?\s+)(?=\S)",
    re.I,
)


def without_count(text: str) -> str:
    """``text`` without an opening that only counts outlets ("Two news outlets reported that …")."""
    bare = _OUTLET_COUNT.sub("", text.strip(), count=1)
    return bare[:1].upper() + bare[1:] if bare != text.strip() else text


def complete(text: str) -> str:
    """A sentence the model ended without a full stop gets one; a cut one stays as it is (and fails)."""
    text = text.strip()
    if text and not text.endswith((*ENDS, ",", ";", ":", "-", "…")) and not is_cut(text):
        return text + "."
    return text


# A sentence the model writes may bring one word of its own ("bill" for "measure"); two are a new claim more
# often than a paraphrase: "voted 54-35 to advance the commission bill" of a 54-35 vote that blocked it. On
# six AllSides briefs, 1 of 45 checked model sentences had more than one (the 1.5B model mostly copies).
NEW_WORDS = 1
# A headline's words all come from its fact or the outlets' own titles: the one new word a summary sentence may
# bring is, in a headline, most often its verb, and the verb is the news: "Senate approves infrastructure bill"
# of a vote to begin debate on it (allsides-5824; the meaning check passed it). Of 13 model headlines in one
# AllSides eval run, that was the only one with a word neither its fact nor a title has.
HEADLINE_NEW = 0
_POSSESSIVE = re.compile(r"['’‘](?:s|re|ll|ve|d|m)?$")  # "Herzog's"; a contraction's pronoun: "he's", "they're"
KEEPS = 0.5  # share of a fact's content words its restatement must keep to replace it in the facts list
# A summary sentence may borrow words from the brief's other facts when at least this share of its content words
# are its own fact's: on the AllSides eval at 26f5387, "words its facts do not have" was the commonest reason a
# summary sentence was dropped (10 of 24), several for a name or title a fact beside it gives ("Roe v. Wade").
OWN_SHARE = 0.6


def new_words(text: str, sources: list[str]) -> set[str]:
    """Content words (stemmed, possessives dropped) of ``text`` that none of ``sources`` has."""

    def stems(t: str) -> set[str]:
        return {b for w in content_words(t) if (b := _POSSESSIVE.sub("", w)) == w or b not in STOP_WORDS}

    known: set[str] = set().union(*(stems(s) for s in sources)) if sources else set()
    new = {w for w in stems(text) - known if not any(same_stem(w, k) for k in known)}
    return {w for w in new if not _SAME_SENSE.get(w, set()) & known}  # "jumps" for "increased" is no new word


def _same_sense() -> dict[str, set[str]]:
    """Stem → the stems that say the same of an event (``lexicons/same_sense.txt``: "rise" and "increase")."""
    out: dict[str, set[str]] = {}
    for line in terms("same_sense"):
        group = set().union(*(content_words(w) for w in line.split()))
        for w in group:
            out.setdefault(w, set()).update(group - {w})
    return out


_SAME_SENSE = _same_sense()


def same_stem(a: str, b: str) -> bool:
    """Whether two stemmed words are one word inflected ("vot" of "voted", "vote"): they share all but the
    last two letters of the shorter, and at least three."""
    n = len(os.path.commonprefix([a, b]))
    return n >= 3 and n >= min(len(a), len(b)) - 2


# ... nor a name where or to whom something was said or done: "Blackburn … told Fox News" restated without the
# channel keeps her words (allsides-6098 lost the fact for it)
_VENUE = re.compile(r"\b(?:told|to|on|in|at|from|by|for|of)\s+$", re.I)
_ASIDE = re.compile(r",\s[^,]{1,150},\s")
_FULL_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:[A-Z][a-z]+(?:['’]s)?\s+)+[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")


def dropped_names(sentence: str, statement: str) -> list[str]:
    """The names of two words or more in ``statement`` (not its first word, nor inside a clause set off by commas)
    whose last word ``sentence`` lacks: the model's "Qatar's Prime Minister and Foreign Minister held talks in
    Poland" of a sentence that names "Mossad Director David Barnea and CIA Director Bill Burns" as well (the seed)
    says the Qatari met no one. A venue may go ("told Fox News", ``_VENUE``), and so may an aside: "Hamas, the
    group considered a terrorist organisation by the US and European Union, still holds …" restated without it
    keeps its news."""
    kept = {w.lower() for w in re.findall(r"[A-Za-z]+", sentence)}
    core = _ASIDE.sub(" ", statement)
    return [
        m.group(0)
        for m in _FULL_NAME.finditer(core)
        if m.group(0).split()[-1].lower() not in kept and not _VENUE.search(core[: m.start()])
    ]


def keeps_content(sentence: str, statement: str) -> bool:
    """Whether the model's sentence keeps enough of a fact to state it in the facts list: a telegraphic
    summary line ("54-35 vote falls short of GOP threshold.") serves the summary, not the record. On the
    AllSides suite, replacing every checked fact by its restatement cut fact recall from 0.626 to 0.523. A
    restatement that drops a figure drops a fact ("worst in 40 years" → "warns of accidental strike risk"), and
    one that drops a name drops who took part (``dropped_names``)."""
    kept = support_ratio(statement, [sentence]) >= KEEPS and number_values(statement) <= number_values(sentence)
    return kept and not dropped_names(sentence, statement)


_LABEL_FIRST = re.compile(r"^([^:]{1,60}):\s+\S")


def list_line(text: str) -> bool:
    """Whether ``text`` is a line of a list, a label and its figures ("Air Force, which includes Space Force:
    57% fully vaccinated.", allsides-5756): a fact to list, not a summary sentence. A speaker's colon ("Kirby
    said: …") has a verb before it."""
    m = _LABEL_FIRST.match(text.strip())
    return m is not None and not has_verb(m.group(1)) and bool(number_values(text[m.end(1) :]))


def disputed_values(conflicts: list[Conflict]) -> set[float]:
    """Figures that one side of a disagreement gives and another does not."""
    out: set[float] = set()
    for c in conflicts:
        sides = [number_values(p.value) for p in c.positions]
        if sides and all(sides):
            out |= set().union(*sides) - sides[0].intersection(*sides[1:])
    return out


def figure_problem(text: str, conflicts: list[Conflict], outlets: dict[str, str]) -> str | None:
    """A disputed figure given without every side and outlet."""
    values = number_values(text)
    for c in conflicts:
        mentioned = [p for p in c.positions if number_values(p.value) and number_values(p.value) <= values]
        if not mentioned:
            continue
        if len(mentioned) < len(c.positions):
            return f"gives one side of the disagreement on the {c.topic}"
        for p in c.positions:
            names = [outlets.get(a, a) for a in p.article_ids]
            if not any(n.lower() in text.lower() for n in names):
                return f"the figure {p.value} is not attributed to {' or '.join(names)}"
    return None


# A sentence the model wrote in another fact's slot: its own fact gives under OWN_FIT of its content words and
# another chosen fact at least OTHER_FIT. In the seed brief the 1.5B model skipped one fact and wrote each of the
# next four in the slot before its own ("Ismail Haniyeh … visited Egypt" under Herzog's quotation); all five were
# dropped as "words its facts do not have" or "figures its facts do not give".
OWN_FIT = 0.5
OTHER_FIT = 0.8


def realign(facts: list[Fact], written: list[str]) -> tuple[list[tuple[Fact, str]], list[str]]:
    """(fact, sentence) pairs with each sentence under the fact it states, and a note per sentence moved: a
    sentence stays with its own fact when that fact gives ``OWN_FIT`` of its words; one that does not goes to the
    chosen fact that gives the most of them, at least ``OTHER_FIT``, unless that fact has a sentence of its own
    or one moved there first. A sentence that fits nowhere stays where it was written (its checks say why)."""
    sources = [[f.statement, *(c.quote for c in f.citations)] for f in facts]
    fit = [[support_ratio(t, src) if t else 0.0 for src in sources] for t in written]
    owner: dict[int, int] = {i: i for i, t in enumerate(written) if t and fit[i][i] >= OWN_FIT}
    taken = set(owner.values())
    notes: list[str] = []
    for i, t in enumerate(written):
        if not t or i in owner:
            continue
        best = max(range(len(facts)), key=lambda j: fit[i][j])
        if best != i and fit[i][best] >= OTHER_FIT and best not in taken:
            owner[i] = best
            taken.add(best)
            notes.append(f"facts[{facts[i].id}]: the model's sentence states {facts[best].id}; checked as its")
        elif i not in taken:
            owner[i] = i
            taken.add(i)
        else:
            notes.append(f"facts[{facts[i].id}]: model sentence dropped (it states {facts[best].id}, which has one)")
    pairs = sorted(((owner[i], written[i]) for i in owner), key=lambda p: p[0])
    return [(facts[j], t) for j, t in pairs], notes
