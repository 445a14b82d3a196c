"""Fact selection: which fact groups a brief states, in what order, in whose words, and with what status.

``align`` only groups sentences; this module owns every rule of choosing among the groups. Groups are
ranked by importance (corroboration, then how early the articles state them, then whether they carry a
figure). A group a conflict candidate touches is held for the conflict's disputed fact. A brief takes the
rest in rank order, skipping one that repeats a picked group's news, up to a number that
follows the cluster's amount of distinct news within the length option. A group is stated by its most
representative sentence that can stand alone in the brief's voice (``clean.standalone_problem``); a group
with no such sentence goes to the model for a rewrite while the budget lasts, and past it (or when the
rewrite fails) is stated as printed when its only fault is length, as its outlet's report ("According to
CNN, …") when its only fault is a loaded term, else left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rapidfuzz import fuzz

from service.pipeline.clean import (
    clean_statement,
    dangling_end,
    is_cut,
    mend_cut,
    open_quote,
    standalone_problem,
    statement_text,
)
from service.pipeline.framing import NAMING_TERMS
from service.pipeline.types import ConflictCandidate, FactGroup, Sentence
from service.schemas import FactStatus
from service.text import content_words
from service.text.lexicons import terms

# Words the brief's own voice avoids: the naming terms but the plain names for people held or protesting, and
# the published words to watch (lexicons/words_to_watch.txt: labels, puffery, doubt, editorializing).
_PLAIN_NAMES = ("hostages", "captives", "detainees", "prisoners", "protesters")
LOADED = tuple(dict.fromkeys([*(t for t in NAMING_TERMS if t not in _PLAIN_NAMES), *terms("words_to_watch")]))

FACTS_FOR_LENGTH: dict[str, int] = {"short": 8, "medium": 14, "long": 24}  # facts for a short cluster
MOST_FACTS: dict[str, int] = {"short": 10, "medium": 32, "long": 40}  # the cap, for long clusters
REDUNDANT = 0.7  # share of the shorter statement's content words another picked fact already has


def importance(group: FactGroup) -> float:
    """How much a group matters: corroboration first, then how early the articles state it."""
    sources = len(group.article_ids)
    lead = max(1.0 / (1.0 + 0.25 * s.index) for s in group.sentences)
    has_number = any(ch.isdigit() for s in group.sentences for ch in s.text)
    return sources * 2.0 + lead + (0.3 if has_number else 0.0)


def rank(groups: list[FactGroup]) -> list[FactGroup]:
    """The groups scored and sorted, most important first, and numbered in that order (g1, g2, …)."""
    for g in groups:
        g.score = importance(g)
    groups.sort(key=lambda g: g.score, reverse=True)
    for n, g in enumerate(groups, start=1):
        g.id = f"g{n}"
    return groups


def representative(group: FactGroup) -> Sentence:
    """The sentence that best stands for the group: most like the others, then shortest."""
    if len(group.sentences) == 1:
        return group.sentences[0]
    texts = [s.text for s in group.sentences]

    def centrality(s: Sentence) -> float:
        return sum(fuzz.token_set_ratio(s.text, t) for t in texts if t is not s.text)

    return max(group.sentences, key=lambda s: (centrality(s), -len(s.text)))


def held_groups(groups: list[FactGroup], candidates: list[ConflictCandidate]) -> list[FactGroup]:
    """The groups a conflict candidate touches: stated by the conflict's disputed fact, not picked alone."""
    cand_sids = {m.sentence_id for c in candidates for m in c.mentions}
    return [g for g in groups if any(s.id in cand_sids for s in g.sentences)]


def fact_status(article_ids: Iterable[str], disputed: bool) -> FactStatus:
    """corroborated (2+ articles), single-source, or disputed (a conflict touches it)."""
    if disputed:
        return "disputed"
    return "corroborated" if len(set(article_ids)) >= 2 else "single-source"


def fact_limit(length: str, groups: int) -> int:
    """How many facts a brief states: the length option's number, plus one for every four more distinct
    groups the articles hold, up to the option's cap (the seed cluster's 87 groups give 32 at medium, a
    three-article story's 12 give 12). The seed's five articles carry 46 facts an editor labelled; a cap of
    22 left most of their single-outlet reports (the talks' state, Kirby's words, the phased release) out."""
    base = FACTS_FOR_LENGTH[length]
    return min(MOST_FACTS[length], base + max(0, groups - base) // 4)


def redundant(group: FactGroup, picked: list[FactGroup]) -> bool:
    """Whether a picked group already states what ``group`` states (the same news in other sentences)."""
    mine = content_words(representative(group).text)
    for other in picked:
        theirs = content_words(representative(other).text)
        if mine and theirs and len(mine & theirs) / min(len(mine), len(theirs)) >= REDUNDANT:
            return True
    return False


def plain(text: str) -> bool:
    """Whether a sentence can stand as a neutral statement in the brief's voice (see ``clean.standalone_problem``)."""
    return standalone_problem(text, LOADED) is None


def verbatim_choice(group: FactGroup) -> Sentence | None:
    """The group's sentence to use as it is (the most representative plain one), or None when every
    sentence needs rewriting."""
    return _first(group, plain)


def long_choice(group: FactGroup) -> Sentence | None:
    """A sentence whose only fault is its length: stated as it is when the model could not shorten it."""
    for s in group.sentences:
        if standalone_problem(clean_statement(s.text), LOADED, max_words=10_000) is None:
            return s
    return None


def reported_choice(group: FactGroup) -> Sentence | None:
    """For a group with no plain sentence (``verbatim_choice`` is None): the most representative one whose
    only fault is a loaded term, which the brief states as its outlet's report ("According to CNN, …") rather
    than leave the news out."""
    return _first(group, lambda text: standalone_problem(text, ()) is None)


def _first(group: FactGroup, ok: Callable[[str], bool]) -> Sentence | None:
    """The group's representative sentence when ``ok`` accepts it cleaned, else the first other one it does."""
    rep = representative(group)
    return next((s for s in [rep, *(s for s in group.sentences if s is not rep)] if ok(statement_text(s.text))), None)


def fragment(group: FactGroup) -> bool:
    """Whether every sentence of a group is a fragment an excerpt cut off too early to say anything whole
    ('"This is probably the most comprehensive…') or the first sentence of a quotation that runs on without
    its speaker ('“It’s applying the rule of law to the facts …'), or one that introduces a list or quotation
    that follows it ("Here are figures Kirby provided, by branch:"), or one an excerpt stopped inside a clause
    ("President Biden said on July 8 that the.", allsides-5772, which the model "restated" as "President Biden
    says July 8."): no fact to state, and nothing for the model to rewrite but a guess."""

    def cut(text: str) -> bool:
        clean = clean_statement(text)
        stopped = is_cut(text) and mend_cut(clean) is None
        stopped = stopped or dangling_end(clean) and mend_cut(clean.rstrip(".") + "…") is None
        return stopped or open_quote(clean) or clean.rstrip().endswith(":")

    return all(cut(s.text) for s in group.sentences)


def stated_sentence(group: FactGroup, chosen: dict[str, Sentence]) -> Sentence | None:
    """The sentence that states a group as printed: the one :func:`pick_groups` chose, else its verbatim
    choice, else one whose only fault is length (a held group was never picked); None when every sentence
    needs the model."""
    return chosen.get(group.id) or verbatim_choice(group) or long_choice(group)


def stating_order(top: list[FactGroup], held: list[FactGroup], claimed: set[tuple[str, int]]) -> list[FactGroup]:
    """The groups a brief states, in order: the picked ones, then the held ones not picked, less every group
    with a sentence a disputed fact already cites (``claimed``: (article id, start) of its citations)."""
    return [
        g
        for g in top + [g for g in held if g not in top]
        if not any((s.article_id, s.start) in claimed for s in g.sentences)
    ]


def code_positions(parties: dict[str, list[Sentence]]) -> list[tuple[str, str, list[Sentence]]]:
    """Each party's stance as its first plain stance sentence, verbatim (the outlet's words, cited); a party
    whose every stance sentence is loaded or leans on a pronoun gets none rather than a slanted one."""
    out = []
    for party, sentences in parties.items():
        best = next((s for s in sentences if plain(s.text)), None)
        if best is not None:
            out.append((party, best.text, [best]))
    return out


def needs_rewrite(group: FactGroup) -> bool:
    """Whether a group needs the model: no sentence of it can stand verbatim. A group that several outlets
    report is stated by its most representative plain sentence and cites them all."""
    return verbatim_choice(group) is None


def pick_groups(
    groups: list[FactGroup], held: list[FactGroup], limit: int, rewrites: int
) -> tuple[list[FactGroup], dict[str, Sentence], list[FactGroup]]:
    """The top groups in rank order, skipping one that repeats a picked group's news: each stated verbatim,
    or by the model while the rewrite budget lasts; past the budget a group whose only fault is length is
    stated as printed and any other gives way to the next one. Returns the groups, the verbatim sentence
    per group id, and the groups the model rewrites."""
    picked: list[FactGroup] = []
    chosen: dict[str, Sentence] = {}
    to_write: list[FactGroup] = []
    for g in groups:
        if len(picked) >= limit:
            break
        if g in held or redundant(g, picked) or fragment(g):
            continue
        s = verbatim_choice(g)
        if s is not None:
            chosen[g.id] = s
        elif len(to_write) < rewrites:
            to_write.append(g)
        elif (long := long_choice(g)) is not None:
            chosen[g.id] = long  # only too long to stand alone: stated as printed
        else:
            continue
        picked.append(g)
    return picked, chosen, to_write
