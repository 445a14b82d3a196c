"""Coverage balance by code: which outlets, of which leaning and kind, covered the story; which sides report
each fact; the facts only one side reports; how each side's outlets name the actors and what they lead with.

Also where corroboration is decided for kinds: an opinion piece or a press release never counts as an
independent source, so a fact that only one news article and an opinion piece state is single-source.

Every sentence here is composed by code from counts, outlet names and naming terms; the model writes none of
it (so nothing here needs the meaning check)."""

from __future__ import annotations

from service.outlets import TABLE_ID, source
from service.pipeline.framing import terms_in
from service.pipeline.segment import segment
from service.pipeline.types import Article, Sentence
from service.schemas import Fact
from service.schemas_balance import (
    KINDS,
    LEANS,
    NOT_INDEPENDENT,
    SIDE_OF,
    SIDES,
    Balance,
    FactBalance,
    Side,
    SideFraming,
)
from service.text import match_tokens

SIDE_LABEL: dict[Side, str] = {"left": "Left-rated", "center": "Center-rated", "right": "Right-rated"}
MAX_NAMING = 4
# Share of a fact's content words that one sentence of another side's article must repeat for the fact to
# count as reported there too. Alignment groups only close paraphrases (it decides citations), so a fact it
# leaves single-source is often told in other words elsewhere; on the 286 labelled facts of the AllSides
# suite, "one side only" judged from citations alone is right for 0.59 of facts, with this check 0.67
# (`python bench/one_side.py` prints both).
ECHO_OVERLAP = 0.3


def apply_independence(facts: list[Fact], articles: list[Article]) -> list[Fact]:
    """Set each fact's ``independent_sources`` and make a fact that fewer than two independent articles state
    single-source (a disputed fact stays disputed: the disagreement is what it reports)."""
    dependent = {a.id for a in articles if a.kind in NOT_INDEPENDENT}
    for f in facts:
        cited = {c.article_id for c in f.citations}
        f.independent_sources = len(cited - dependent)
        if f.status == "corroborated" and f.independent_sources < 2:
            f.status = "single-source"
    return facts


def side_of(article: Article) -> Side | None:
    """left, center or right for a rated article, None when its lean is unknown."""
    return SIDE_OF.get(article.lean)


def echoes(fact: Fact, sentences: list[set[str]]) -> bool:
    """Whether one of ``sentences`` (content-word sets) repeats enough of a quote of the fact to report it."""
    for c in fact.citations:
        words = set(match_tokens(c.quote))
        if words and any(len(words & s) >= ECHO_OVERLAP * len(words) for s in sentences):
            return True
    return False


def fact_balance(
    fact: Fact, by_id: dict[str, Article], comparable: bool, words: dict[str, list[set[str]]] | None = None
) -> FactBalance:
    """Which leans and sides state one fact, and whether only one side does: a fact cited by one side's
    articles alone is still not flagged when an article of another side tells it in other words (``words``:
    article id → its sentences' content words)."""
    cited = [by_id[aid] for aid in dict.fromkeys(c.article_id for c in fact.citations) if aid in by_id]
    leans = sorted({a.lean for a in cited}, key=LEANS.index)
    sides = sorted({s for a in cited if (s := side_of(a))}, key=SIDES.index)
    all_rated = bool(cited) and all(side_of(a) for a in cited)
    one = sides[0] if comparable and all_rated and len(sides) == 1 else None
    if one and words:
        elsewhere = [w for aid, ws in words.items() if side_of(by_id[aid]) != one for w in ws]
        if echoes(fact, elsewhere):
            one = None
    return FactBalance(fact_id=fact.id, leans=leans, sides=sides, one_side=one)  # type: ignore[arg-type]


def sentence_words(sentences: list[Sentence]) -> dict[str, list[set[str]]]:
    """Article id → the content words of each of its sentences."""
    out: dict[str, list[set[str]]] = {}
    for s in sentences:
        out.setdefault(s.article_id, []).append(set(match_tokens(s.text)))
    return out


def _leads(articles: list[Article], facts: list[Fact]) -> list[str]:
    """Per article, the id of the fact it states first (by where the article states it)."""
    out: dict[str, None] = {}
    for a in articles:
        starts = [(c.start, f.id) for f in facts for c in f.citations if c.article_id == a.id]
        if starts:
            out.setdefault(min(starts)[1], None)
    return list(out)


def _sentence(side: Side, outlets: list[str], only: int, naming: list[str]) -> str:
    who = f"{SIDE_LABEL[side]} outlets ({', '.join(outlets)})"
    report = f"alone report {only} fact{'s' if only != 1 else ''}" if only else "report nothing the others leave out"
    names = f" and use {', '.join(f'“{t}”' for t in naming)}, which the other sides do not" if naming else ""
    return f"{who} {report}{names}."


def side_framing(
    side: Side, articles: list[Article], facts: list[Fact], one_side_only: list[str]
) -> SideFraming:
    """How one side's outlets covered the story."""
    mine = [a for a in articles if side_of(a) == side]
    others = [a for a in articles if side_of(a) != side]
    used = set().union(*(terms_in(a.text) for a in mine))
    elsewhere = set().union(*(terms_in(a.text) for a in others))
    naming = sorted(used - elsewhere)[:MAX_NAMING]
    outlets = list(dict.fromkeys(a.outlet for a in mine))
    return SideFraming(
        side=side,
        outlets=outlets,
        naming=naming,
        leads=_leads(mine, facts),
        one_side_only=one_side_only,
        sentence=_sentence(side, outlets, len(one_side_only), naming),
    )


def _note(n: int, counts: dict[Side, int], rated: int, comparable: bool, flagged: dict[Side, list[str]]) -> str:
    sides = ", ".join(f"{counts[s]} {s}" for s in SIDES if counts[s])
    known = f"{n} articles: {sides}" + (f", {n - rated} unrated" if rated < n else "") if rated else f"{n} articles"
    if not rated:
        return f"{known}; no outlet's lean is known, so balance cannot be shown."
    if not comparable:
        return f"{known}; all rated outlets are on one side, so no fact can be flagged as one side's only."
    total = sum(len(v) for v in flagged.values())
    per = ", ".join(f"{s} {len(flagged[s])}" for s in SIDES if flagged[s])
    facts = f"{total} fact{'s' if total != 1 else ''}"
    return f"{known}. {facts} reported by one side only" + (f" ({per})." if per else ".")


def balance(articles: list[Article], facts: list[Fact], sentences: list[Sentence] | None = None) -> Balance:
    """The brief's coverage balance; ``sentences``: the articles' sentences the screen kept (segmented here
    when not given), where another side may tell a fact in other words."""
    by_id = {a.id: a for a in articles}
    leans = {lean: sum(a.lean == lean for a in articles) for lean in LEANS}
    kinds = {kind: sum(a.kind == kind for a in articles) for kind in KINDS}
    sides: dict[Side, int] = {s: sum(side_of(a) == s for a in articles) for s in SIDES}
    rated = sum(sides.values())
    comparable = sum(1 for s in SIDES if sides[s]) >= 2
    if sentences is None and comparable:
        sentences = [s for a in articles for s in segment(a)]
    words = sentence_words(sentences) if comparable and sentences is not None else None
    per_fact = [fact_balance(f, by_id, comparable, words) for f in facts]
    flagged: dict[Side, list[str]] = {s: [fb.fact_id for fb in per_fact if fb.one_side == s] for s in SIDES}
    used_table = any(a.lean_source == TABLE_ID or (a.kind_source or "").startswith(TABLE_ID) for a in articles)
    return Balance(
        leans=leans,  # type: ignore[arg-type]
        sides=sides,
        kinds=kinds,  # type: ignore[arg-type]
        rated=rated,
        comparable=comparable,
        not_independent=[a.id for a in articles if a.kind in NOT_INDEPENDENT],
        facts=per_fact,
        one_side_only=flagged,
        framing=[side_framing(s, articles, facts, flagged[s]) for s in SIDES if sides[s]],
        note=_note(len(articles), sides, rated, comparable, flagged),
        sources={TABLE_ID: source()} if used_table else {},
    )
