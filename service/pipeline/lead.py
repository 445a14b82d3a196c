"""Headline and summary for the staged brief. Code chooses what the summary states (the main development,
then each outlet's lead, then the next facts by rank); the model writes one short sentence per chosen fact
and a headline from the first, in one call whose schema has a field per fact (none can be skipped). Every
sentence is checked on its own against the one fact it states and a failing one is dropped, never the whole.

Checks, per sentence: complete; figures and quotations its fact contains; a figure outlets dispute only with
every side and its outlet; no first person or loaded term outside a quotation; nothing only a screened-out
sentence says; and the meaning check (``support``). The headline also: at most 14 words (a longer one is cut
at a phrase boundary), no figure outlets dispute or only one outlet prints, no label, no first or second
person. When the model's headline fails, its sentence of the lead fact serves; code writes only what the
model could not: a complete headline, lead facts when fewer than two sentences survive, and the first
disagreement as a "Reports differ" line when no kept sentence gives it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, create_model

from service.llm import LLM
from service.pipeline.attribution import attribution_for, one_outlet
from service.pipeline.clean import (
    apposition_only,
    dangling_end,
    is_cut,
    masked,
    outside_quotes,
    sentence_case,
    telegraphic,
)
from service.pipeline.conflicts import summary_first
from service.pipeline.headline import (
    PERSONAL,
    complete_phrase,
    drop_figures,
    drops_speaker,
    fallback_headline,
    figure_free_variants,
    headline_problem,
    shorten_headline,
    without_label,
)
from service.pipeline.headline_words import outlet_adjectives
from service.pipeline.injection import Screen, neutralise
from service.pipeline.lead_guard import doubtful, doubtful_conflict
from service.pipeline.lead_order import SummaryOrder, key_figures, quotation
from service.pipeline.lead_text import (
    ENDS,
    HEADLINE_NEW,
    NEW_WORDS,
    OWN_SHARE,
    complete,
    disputed_values,
    dropped_names,
    figure_problem,
    keeps_content,
    list_line,
    new_words,
    realign,
    without_count,
)
from service.pipeline.numbers import number_values
from service.pipeline.screen_check import cues
from service.pipeline.summary import conflict_sentence
from service.pipeline.support import SupportChecker
from service.pipeline.tasks import TaskLog, ask_or_fallback
from service.pipeline.verify import support_ratio, unattributed_terms, unsupported_claims, verbatim_copy
from service.schemas import Conflict, Fact
from service.text import word_count
from service.text.sentences import split

LEAD_TOKENS_PER_FACT = 70  # a 30-word sentence is ~45 tokens, a copied 40-word fact ~60
# A fact this short is stated as it is, not restated (the lead fact always is: the headline is written from it):
# of the 31 facts under 25 words the model restated in 12 briefs (HEAD c8b22bb), 24 came back unchanged, and
# one of the 7 others added what its outlet never said ("Documents about Facebook's conflict of interest …").
PLAIN_WORDS = 24
MIN_SENTENCES = 2
_TWO_SENTENCES = re.compile(r"[.!?]\s+\S")
# The brief's own voice never tells the reader how to see the story ("should be seen as", "readers should").
_TELLS = re.compile(
    r"\b(?:should|must|ought\s+to|is\s+to|are\s+to)\s+be\s+(?:seen|described|regarded|viewed|called|treated|"
    r"understood|reported|framed|read|considered)\b|\breaders?\b|\bto\s+be\s+clear\b",
    re.I,
)


_NAME_WORD = re.compile(r"\b[A-Z][\w'’.-]*")


def lead_schema(ids: list[str]) -> type[BaseModel]:
    """The reply: one sentence per chosen fact id (all required, so none is skipped), then the headline: asked
    first, the headline set the style of every sentence after it."""
    fields: dict[str, Any] = {
        fid: (str, Field(..., description=f"One full sentence of at most 25 words saying what fact {fid} says."))
        for fid in ids
    }
    fields["headline"] = (str, Field(..., description="At most 12 words, from the first fact."))
    return create_model("Lead", **fields)


class LeadWriter:
    """Writes and checks the headline and summary of one brief."""

    def __init__(
        self,
        llm: LLM,
        facts: list[Fact],
        conflicts: list[Conflict],
        outlets: dict[str, str],
        sem: asyncio.Semaphore,
        log: TaskLog,
        screen: Screen | None = None,
        loaded: tuple[str, ...] = (),
        titles: list[str] | None = None,
        held: set[str] | None = None,
        plain_words: int = PLAIN_WORDS,
        users: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.llm, self.facts, self.conflicts, self.outlets = llm, facts, conflicts, outlets
        self.sem, self.log, self.screen, self.loaded = sem, log, screen, loaded
        self.by_id = {f.id: f for f in facts}
        self.plain_words = plain_words  # a fact of no more words is not restated (the lead fact always is)
        self.users = users or {}  # word → the articles that print it (``headline_words``)
        self.checker = SupportChecker(llm, sem, log)
        self.disputed = disputed_values(conflicts)
        # never in the headline or summary: a one-outlet fact whose sentence reads somewhat planted (doubtful), or
        # that the lead guard's model check holds (``held``)
        self.held = {f.id for f in facts if f.status != "disputed" and (doubtful(f) or f.id in (held or set()))}
        self.title_texts = list(titles or [])
        self.order = SummaryOrder(facts, self.held, self.title_texts, screen.clean if screen else None)
        self.texts = [c.quote for f in facts for c in f.citations]  # the sources' words, for letter case:
        self.texts += [s.text for s in screen.clean] if screen else []  # every sentence ("tensions" in lower case)

    def summary_facts(self) -> list[Fact]:
        """The facts the model restates, in order; the summary states the first few (:meth:`summary_part`)."""
        return self.order.order()[0]

    def summary_part(self) -> list[Fact]:
        """The facts the summary states (the headline rests on the first)."""
        order, size = self.order.order()
        return order[:size]

    @staticmethod
    def sources(fact: Fact) -> list[str]:
        """What a fact rests on: its statement and the sentences it cites."""
        return [fact.statement, *(c.quote for c in fact.citations)]

    def restatable(self, fact: Fact) -> bool:
        """Whether the model is asked to restate a fact past the lead one: not one of ``plain_words`` or fewer, and
        not one mostly inside a quotation (its speaker's words are stated as printed: the seed's Herzog quotation,
        "“I can reiterate the fact that Israel is ready …,” Herzog said Tuesday.", came back without its marks,
        in the first person, and was dropped)."""
        return word_count(fact.statement) > self.plain_words and not quotation(fact.statement)

    @staticmethod
    def quotes(fact: Fact) -> list[str]:
        """The article sentences a fact cites (a sentence the model copied from one is that outlet's)."""
        return [c.quote for c in fact.citations]

    def lone_figures(self) -> set[float]:
        """Figures that only one article gives (a headline carries only figures two outlets print)."""
        seen: dict[float, set[str]] = {}
        for f in self.facts:
            for c in f.citations:
                for v in number_values(c.quote):
                    seen.setdefault(v, set()).add(c.article_id)
        return {v for v, arts in seen.items() if len(arts) < 2}

    def form_problem(
        self,
        text: str,
        facts: list[Fact],
        min_words: int = 4,
        words_from: list[str] | None = None,
        max_new: int = NEW_WORDS,
    ) -> str | None:
        """Exact checks of a summary sentence (what code can tell without reading for meaning); its words may
        come from ``facts`` and ``words_from``, and ``max_new`` more."""
        if word_count(text, every_token=True) < min_words or not text.rstrip().endswith(ENDS) or is_cut(text):
            return "not a complete sentence"
        if dangling_end(text):
            return "cut off"
        if apposition_only(text):
            return "not a sentence: a name and what it is"
        if len(split(outside_quotes(text))) > 1:  # a quotation of several sentences, its marks dropped (5980)
            return "more than one sentence outside a quotation"
        if masked(text):
            return "a word masked as **"
        claims = unsupported_claims(text, [f.statement for f in facts] + [c.quote for f in facts for c in f.citations])
        if claims:
            return f"its facts do not give the {claims}"
        figure = figure_problem(text, self.conflicts, self.outlets)
        if figure:
            return figure
        if PERSONAL.search(outside_quotes(text)):
            return "first or second person outside a quotation"
        if _TELLS.search(outside_quotes(text)) or "truth" in cues(outside_quotes(text)):
            return "tells the reader what to think or which version is correct"
        terms = unattributed_terms(text, self.loaded)
        if terms:
            return f"loaded term without attribution: {terms[0]}"
        if self.screen is not None and self.screen.carried(text):
            return "says what only a screened-out sentence says"
        sources = [f.statement for f in facts] + [c.quote for f in facts for c in f.citations]
        new = new_words(text, sources + (words_from or []))
        if len(new) > max_new:  # last: a more telling reason above names the problem first
            shown = [w.strip(".,;:'\"“”‘’") for w in text.split() if new_words(w, sources + (words_from or []))]
            return f"words its facts do not have: {', '.join(dict.fromkeys(shown)) or ', '.join(sorted(new))}"
        return None

    def donors(self, text: str, facts: list[Fact]) -> list[Fact]:
        """The brief's other facts that give the names ``text`` uses and its own ``facts`` lack, when most of its
        words are its own facts' (``OWN_SHARE``): the model names a ruling or a speaker as the fact beside it does
        ("Mississippi urges Supreme Court to overturn Roe v. Wade" of "… to overturn the landmark 1973 ruling",
        "…, according to Secretary of State Antony Blinken" of a fact that says "Blinken said"). Only names: a
        sentence said to be one outlet's does not take another's word ("massive", allsides-5649); a figure still
        comes from its own facts, and the sentence is checked for meaning against them all. A held fact
        (``lead_guard``) lends nothing: what reads like a planted line stays out of the summary."""
        own = [x for f in facts for x in self.sources(f)]
        missing = new_words(text, own)
        if not missing or len(missing) > (1 - OWN_SHARE) * len(new_words(text, [])):
            return []
        names = [m.group(0).lower() for m in _NAME_WORD.finditer(text) if m.start() > 0]
        if any(not any(n.startswith(w) for n in names) for w in missing):
            return []  # only names are lent: another outlet's "massive" in a sentence said to be BBC's (5649)
        found, left = [], set(missing)
        for f in (f for f in self.facts if f not in facts and f.status != "disputed" and f.id not in self.held):
            given = missing - new_words(text, self.sources(f))  # the missing words this fact has
            if given:
                found.append(f)
                left -= given
        return found if len(left) <= NEW_WORDS else []

    async def keep(self, item: str, text: str, facts: list[Fact]) -> bool:
        """Whether a model sentence passes the exact checks and the meaning check (against its own facts and
        the facts whose words it borrows: ``donors``)."""
        donors = self.donors(text, facts)
        words = [x for f in donors for x in self.sources(f)]
        problem = self.form_problem(text, facts, words_from=words) or telegraphic(text, [f.statement for f in facts])
        if problem:
            self.log.warnings.append(f"{item}: model sentence dropped ({problem}): {text[:80]}")
            return False
        sources = [f.statement for f in [*facts, *donors]]
        if not await self.checker.check(item, text, sources):
            self.log.warnings.append(f"{item}: model sentence dropped (its facts do not support it): {text[:80]}")
            return False
        return True

    async def write(self) -> tuple[str, str, dict[str, str], dict[str, str]]:
        """(headline, summary, provenance of the headline and each summary sentence, and per fact id the
        model's checked sentence where it keeps the fact's content: a shorter statement of that fact)."""
        chosen, size = self.order.order()
        if not chosen:  # nothing undisputed to state: code gives the disagreements
            headline, by_headline = await self._headline(None, None, [])
            summary, by = self._summary([])
            return headline, " ".join(summary), {"headline": by_headline, **by}, {}
        asked = [f for n, f in enumerate(chosen) if n == 0 or self.restatable(f)]
        lines = "\n".join(
            f"[{f.id}] ({f.sources} outlet{'s' if f.sources > 1 else ''}) {neutralise(f.statement)}" for f in asked
        )
        ids = [f.id for f in asked]
        answer = await ask_or_fallback(
            self.llm,
            "brief_lead",
            {"facts": lines, "ids": ", ".join(ids)},
            lead_schema(ids),
            self.log,
            self.sem,
            max_tokens=LEAD_TOKENS_PER_FACT * len(ids) + 40,
            attempts=1,
            version="v3",
        )
        reply = answer.value.model_dump() if answer else {}
        texts = [complete(sentence_case(without_count(str(reply.get(f.id, ""))), self.sources(f))) for f in asked]
        written, moved = realign(asked, texts)  # a sentence the model wrote in the slot before its fact's
        self.log.warnings.extend(moved)
        verdicts = await asyncio.gather(*(self.keep(f"facts[{f.id}]", text, [f]) for f, text in written))
        kept = [(f, t) for (f, t), ok in zip(written, verdicts, strict=True) if ok]
        proposed = sentence_case(str(reply["headline"]), self.sources(chosen[0])) if reply.get("headline") else None
        styled = [t for f, t in written if f is chosen[0] and telegraphic(t, [f.statement])]  # a headline already
        headline, by_headline = await self._headline(proposed, chosen[0], kept, styled)
        summary, by = self._summary(self.summary_lines(chosen[:size], dict((f.id, t) for f, t in kept)))
        restated = {f.id: t for f, t in kept if keeps_content(t, f.statement) and not verbatim_copy(t, self.quotes(f))}
        return headline, " ".join(summary), {"headline": by_headline, **by}, restated

    async def _headline(
        self, proposed: str | None, lead: Fact | None, kept: list[tuple[Fact, str]], styled: Sequence[str] = ()
    ) -> tuple[str, str]:
        """The headline (:meth:`_pick_headline`) without an adjective only one outlet prints (``headline_words``)."""
        text, by = await self._pick_headline(proposed, lead, kept, styled)
        plain, dropped = outlet_adjectives(text, self.users)
        if dropped:
            self.log.warnings.append(f"headline: one outlet's word left out ({', '.join(dropped)}): {text[:80]}")
        return plain, by

    async def _pick_headline(
        self, proposed: str | None, lead: Fact | None, kept: list[tuple[Fact, str]], styled: Sequence[str] = ()
    ) -> tuple[str, str]:
        """The model's headline when it passes every check against the lead fact alone (checked with other
        facts, the seed's offer read as agreed); else its sentence for the lead fact that the summary refused
        only for being written as a headline (``styled``: "President Biden releases $6 trillion budget for
        fiscal 2022", allsides-5999), checked the same way; else the model's checked sentence of the lead fact
        made to fit by ``figure_free_variants`` ("A suspect has surrendered to authorities", not the cut "A
        suspect who claimed to have an explosive device"); else code's complete headline from the lead fact's
        own words. A second model try (27 calls in the full eval at 5b2987d, 4 used) did not earn its tokens."""
        bad = self.disputed | self.lone_figures()
        for n, candidate in enumerate([proposed, *styled]):
            if not candidate or lead is None:
                continue
            text, why = await self._checked_headline("headline", candidate, lead, bad)
            if text is not None:
                return text, "model"
            which = "model headline" if n == 0 else "model sentence in headline style"
            self.log.warnings.append(f"headline: {which} not used ({why}): {candidate[:80]}")
        if kept and kept[0][0] is lead:  # the main development's sentence, never another fact's
            for text in figure_free_variants(kept[0][1], bad):  # its main clause, speaker form or a cut with a verb
                fits = headline_problem(text, bad) is None and complete_phrase(text)
                if fits and not drops_speaker(text, lead.statement):
                    # the model's own checked sentence, made to fit; of its copy of the outlet's, code's variant
                    return text, "code" if verbatim_copy(kept[0][1], self.quotes(lead)) else "model"
        first = [lead] if lead is not None else []  # the main development's own words before the next facts'
        return fallback_headline(
            [*first, *(f for f in self.facts if f.id not in self.held)], bad, self.usable_titles(), self.loaded
        ), "code"

    def usable_titles(self) -> list[str]:
        """The outlets' titles a neutral brief may headline with when nothing else fits: in sentence case, one
        sentence (not "Biden wanted to leave Afghanistan. He knew the risks", allsides-5772) and no question (a
        headline reports: "Will new CDC moratorium keep tenants housed?", 5805), no loaded term, no first or
        second person (``headline_problem`` and the quotation rule do the rest)."""
        sources = [f.statement for f in self.facts] + self.texts
        titles = [sentence_case(t, sources) for t in self.title_texts]
        fits = [t for t in titles if not _TWO_SENTENCES.search(t.strip().rstrip(".!?"))]  # "… Afghanistan. He knew …"
        fits = [t for t in fits if not t.rstrip().endswith("?")]  # "Will new CDC moratorium keep tenants housed?"
        return [t for t in fits if not unattributed_terms(t, self.loaded) and not PERSONAL.search(t)]

    async def _checked_headline(self, item: str, proposed: str, lead: Fact, bad: set[float]) -> tuple[str | None, str]:
        """(the model's headline made to fit, or None, and why not): a topic label before a colon dropped
        (``without_label``), shortened at a phrase boundary, a figure
        outlets dispute or only one prints dropped where it only qualifies a word, then checked by form and
        for meaning against the lead fact. Its words may come from the outlets' titles as well (a headline's
        vocabulary: "military", "tensions"), and from nowhere else (``HEADLINE_NEW``)."""
        text = drop_figures(shorten_headline(without_label(proposed.strip().rstrip("."), lead.statement)), bad)
        words = self.title_texts
        problem = headline_problem(text, bad, lead.statement) or self.form_problem(
            text + ".", [lead], 3, words, HEADLINE_NEW
        )
        if problem is None and drops_speaker(text, lead.statement):
            problem = "states as fact what its fact says someone said"
        if problem is None and await self.checker.check(item, text, [lead.statement]):
            return text, ""
        return None, problem or "its fact does not support it"

    def summary_lines(self, facts: list[Fact], written: dict[str, str]) -> list[tuple[Fact, str, str]]:
        """(fact, sentence, who wrote it) per summary fact: the model's checked sentence, else the fact's own
        statement (an outlet's sentence that passed selection's checks), so a sentence the model got wrong
        or cut short of a figure costs the summary its wording, not the fact; a statement that gives one side
        of a disagreement is left out, and so is a list line (``list_line``), the model's copy of one too."""
        out = []
        written = {k: t for k, t in written.items() if not list_line(t)}
        for f in facts:
            dropped = key_figures(f.statement) - number_values(written.get(f.id, ""))
            names = dropped_names(written[f.id], f.statement) if f.id in written else []
            if f.id in written and (dropped or names):
                lost = [*(f"{v:g}" for v in sorted(dropped)), *names]
                why = f"the model's sentence drops {', '.join(lost)}"
                self.log.warnings.append(f"summary: {f.id} stated as its outlet did ({why})")
            if f.id in written and not dropped and not names:
                out.append((f, written[f.id], "source" if verbatim_copy(written[f.id], self.quotes(f)) else "model"))
            elif figure_problem(f.statement, self.conflicts, self.outlets) is None and not list_line(f.statement):
                out.append((f, complete(f.statement), "source"))
        return out

    def _summary(self, kept: list[tuple[Fact, str, str]]) -> tuple[list[str], dict[str, str]]:
        out: list[tuple[str, str]] = []
        named: set[str | None] = set()  # outlets already named as a sentence's source
        for n, (f, t, by) in enumerate(kept):
            if any(support_ratio(t, [o]) > 0.9 for _, o, _ in kept[:n]):
                continue
            names = attribution_for(t, f, self.outlets)
            out.append((one_outlet(t, f, self.outlets, self.texts, again=names in named), by))
            named.add(names)
        if len(out) < MIN_SENTENCES:  # the lead facts, stated as the outlets did
            for f in self.facts:
                if len(out) >= MIN_SENTENCES:
                    break
                if (
                    f.status != "disputed"
                    and f.id not in self.held
                    and all(support_ratio(f.statement, [t]) < 0.6 for t, _ in out)
                ):
                    out.append((one_outlet(f.statement.rstrip(".") + ".", f, self.outlets, self.texts), "code"))
        given = " ".join(t for t, _ in out)
        shown = [c for c in summary_first(self.conflicts) if not doubtful_conflict(c)]  # none that reads planted
        for c in shown[:1]:
            if figure_problem(given, [c], self.outlets) is None and any(
                number_values(p.value) <= number_values(given) for p in c.positions if number_values(p.value)
            ):
                continue  # a kept sentence gives this disagreement with every side
            out.append((conflict_sentence(c, self.outlets), "code"))
        return [t for t, _ in out], {f"summary[{n}]": by for n, (_, by) in enumerate(out)}
