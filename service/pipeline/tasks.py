"""LLM tasks: small, well-posed structured prompts. Each returns what it wrote, the calls it made and
warnings; whatever fails verification falls back to words the articles themselves use."""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, create_model

from service.errors import ModelRefused, OutputTruncated, SchemaValidationFailed
from service.llm import LLM
from service.llm.base import Answer, T
from service.pipeline.align import distinct_texts
from service.pipeline.attribution import according_to, outlet_names
from service.pipeline.clean import is_cut, mend_cut, sentence_case, standalone_problem, statement_text
from service.pipeline.injection import Screen, attr, neutralise
from service.pipeline.lead_text import dropped_names
from service.pipeline.types import FactGroup, Sentence
from service.pipeline.verify import check_statement, statement_form, unattributed_terms
from service.schemas import CheckVerdict, LLMCall
from service.text import CALENDAR
from service.text.lexicons import words

if TYPE_CHECKING:
    from service.pipeline.support import SupportChecker

STATEMENT_BATCH = 2  # with one required field per group the model cannot skip one (v1 skipped in batches of 3)


class PartyStance(BaseModel):
    sentences: list[str] = Field(..., description="Ids of the sentences that state the party's stance.")
    stance: str = Field(..., description="'<Party> says/wants/offers ...', from those sentences only.")


class VerdictCache:
    """The model's yes/no verdicts, kept per process by key; past ``size`` the least recently used go."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, bool] = OrderedDict()

    def get(self, key: str) -> bool | None:
        if key not in self._items:
            return None
        self._items.move_to_end(key)
        return self._items[key]

    def put(self, key: str, verdict: bool) -> None:
        self._items[key] = verdict
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


@dataclass
class TaskLog:
    """What a task cost and what it had to drop or replace."""

    calls: list[LLMCall] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checks: list[CheckVerdict] = field(default_factory=list)


async def ask_or_fallback(
    llm: LLM,
    task: str,
    variables: dict[str, str],
    schema: type[T],
    log: TaskLog,
    sem: asyncio.Semaphore,
    **kw: Any,
) -> Answer[T] | None:
    """``llm.ask`` for a task that has a code fallback: unusable output (truncated twice, invalid twice,
    refused) is a warning and None; transport failures (timeouts, HTTP errors) still raise."""
    try:
        async with sem:
            answer = await llm.ask(task, variables, schema, **kw)
    except (OutputTruncated, SchemaValidationFailed, ModelRefused) as e:
        log.warnings.append(f"{task}: {e.message}; used the code fallback")
        if e.call is not None:
            log.calls.append(e.call)  # the tokens were spent all the same
        return None
    log.calls.append(answer.call)
    return answer


CHECK_TOKENS = 16  # a yes/no check's reply ({"supported": false}) is 7 tokens


async def ask_check(
    llm: LLM, task: str, variables: dict[str, str], schema: type[T], log: TaskLog, sem: asyncio.Semaphore
) -> Answer[T] | None:
    """A yes/no check's answer (:func:`ask_or_fallback`, one attempt, :data:`CHECK_TOKENS`), or None."""
    return await ask_or_fallback(llm, task, variables, schema, log, sem, max_tokens=CHECK_TOKENS, attempts=1)


def _label(outlets: dict[str, str], s: Sentence) -> str:
    return attr(outlets.get(s.article_id, s.article_id))


TAINTED = "it uses words that no source sentence uses; keep to the sources' words"


def _tainted(text: str, screen: Screen | None) -> str | None:
    """Why model text is refused when it carries a word only an instruction-like sentence used (the word
    itself is not repeated: it goes back to the model in a re-ask)."""
    return TAINTED if screen is not None and screen.carried(text) else None


def whole(text: str) -> str:
    """A sentence the excerpt cut off ("… pressing his knee on the neck of Mr. Floyd for more than nine...") as
    its last whole part: the model, given the cut, completed it as "nine hours" and its check, given the cut
    too, agreed (allsides-5918); what the cut took is no source's word."""
    return (mend_cut(text, phrase=True) or text) if is_cut(text) else text


def readable(sentences: list[Sentence]) -> list[Sentence]:
    """The sentences a writer can take whole: one an excerpt cut off too early to mend ("The assault weapons ban
    will not...") is left out while another remains. Given it, the model completed it as "… will not be upheld
    by the … judge", and the check passed that against it (allsides-5980: the judge struck the ban down)."""
    return [s for s in sentences if not is_cut(s.text) or mend_cut(s.text, phrase=True) is not None] or sentences


def _group_block(group: FactGroup, outlets: dict[str, str]) -> str:
    shown = readable(distinct_texts(group))
    lines = [f"[{_label(outlets, s)}] {neutralise(whole(s.text))}" for s in shown]
    return f'<group id="{group.id}">\n' + "\n".join(lines) + "\n</group>"


def statements_schema(ids: list[str]) -> type[BaseModel]:
    """A reply schema with one required string per group id: the model cannot skip a group or add one."""
    fields: dict[str, Any] = {
        gid: (str, Field(..., description=f"One neutral sentence for group {gid}.")) for gid in ids
    }
    return create_model("GroupStatements", **fields)


STATEMENT_TOKENS = 80  # per group: 60 cut 1 of 9 replies (1.5B, statements that copied a 45-word sentence)


async def write_statements(
    llm: LLM,
    groups: list[FactGroup],
    outlets: dict[str, str],
    sem: asyncio.Semaphore,
    log: TaskLog,
    checker: SupportChecker,
    screen: Screen | None = None,
    loaded: tuple[str, ...] = (),
) -> dict[str, str]:
    """One neutral statement per group, in batches of ``STATEMENT_BATCH`` run side by side. Each statement
    must pass the meaning check against its group's sentences; one that fails (or says what only a sentence
    ``screen`` left out said) is not used and the group keeps its source sentences."""
    batches = [groups[i : i + STATEMENT_BATCH] for i in range(0, len(groups), STATEMENT_BATCH)]
    results = await asyncio.gather(
        *(_statement_batch(llm, b, outlets, sem, log, checker, screen, loaded) for b in batches)
    )
    out: dict[str, str] = {}
    for r in results:
        out.update(r)
    return out


async def _statement_batch(
    llm: LLM,
    batch: list[FactGroup],
    outlets: dict[str, str],
    sem: asyncio.Semaphore,
    log: TaskLog,
    checker: SupportChecker,
    screen: Screen | None,
    loaded: tuple[str, ...],
) -> dict[str, str]:
    ids = [g.id for g in batch]
    answer = await ask_or_fallback(
        llm,
        "fact_statements",
        {"groups": "\n".join(_group_block(g, outlets) for g in batch), "ids": ", ".join(ids)},
        statements_schema(ids),
        log,
        sem,
        version="v2",
        max_tokens=STATEMENT_TOKENS * len(batch) + 10,
        attempts=1,  # a reply that fails its checks is replaced by the source sentence, not asked again
    )
    if answer is None:
        return {}
    got = answer.value.model_dump()
    out: dict[str, str] = {}
    for group in batch:
        text = sentence_case(" ".join(str(got.get(group.id, "")).split()), [s.text for s in group.sentences])
        text = statement_text(text) if text else text  # a copy of a long sentence, as code states one: trimmed
        why = statement_form(text) or _tainted(text, screen) or standalone_problem(text, ())
        stated = reported_statement(text, group, outlets, loaded) if why is None else None
        if why is None and stated is None:  # a loaded word of the model's own: refused before its check is asked
            why = standalone_problem(text, loaded)
        sources = [whole(s.text) for s in readable(group.sentences)]
        lost = [names for s in sources if (names := dropped_names(text, s))] if why is None else []
        if lost and 2 * len(lost) >= len(sources):  # "Qatar's Prime Minister … held talks" of three (seed)
            why = f"it leaves out {', '.join(lost[0])}"
            log.checks.append(
                CheckVerdict(item=f"facts[{group.id}]", text=text, supported=False, by="code", reason=why)
            )
        if why is None and not await checker.check(f"facts[{group.id}]", text, sources):
            why = "its sentences do not support it"
        if why or stated is None:
            log.warnings.append(f"fact {group.id}: model statement rejected ({why}): {text[:80]}")
            continue
        out[group.id] = stated
    return out


def reported_statement(text: str, group: FactGroup, outlets: dict[str, str], loaded: tuple[str, ...]) -> str | None:
    """A checked statement as the brief gives it: as it is when it uses no ``loaded`` term outside a quotation;
    as the report of the outlets whose sentences print the term ("According to CNN, Hamas still holds about 129
    of the … people it abducted …") when it keeps one the sources use; None when the term is the model's own.
    The seed brief's one statement call kept "abducted" from its group's sentences, and its 12.6 s reply was
    thrown away for the outlet's own sentence stated as that outlet's report."""
    terms = unattributed_terms(text, loaded)
    if not terms:
        return text
    printing = [[s for s in group.sentences if re.search(rf"\b{re.escape(t)}", s.text, re.I)] for t in terms]
    if not all(printing):
        return None
    names = outlet_names([s.article_id for ss in printing for s in ss], outlets)
    return according_to(names, text, [s.text for s in group.sentences])


_ENTITY = re.compile(r"\b(?:[A-Z][a-z]+|[A-Z]{2,})(?:[ -](?:[A-Z][a-z]+|[A-Z]{2,}))*\b")
_STANCE = re.compile(
    r"\b(said|says|wants?|demands?|demanded|insists?|insisted|proposed?|offered?|rejects?|rejected|"
    r"refuses?|refused|ready|willing|prepared|agreed?|calls?|called|confirmed?|denied|denies|accused|"
    r"warned|urged|seeks?|sought|intends?|plans?|stressed)\b"
)
_NOT_PARTY = words("not_party") | CALENDAR


def stance_sentences(
    sentences: list[Sentence], outlets: dict[str, str], max_parties: int = 4
) -> dict[str, list[Sentence]]:
    """Likely parties (names that precede a stance verb in 2+ articles) and their stance sentences.
    The outlets themselves are not parties."""
    hits: dict[str, list[Sentence]] = {}
    not_party = _NOT_PARTY | {o for o in outlets.values()}
    for s in sentences:
        for m in _ENTITY.finditer(s.text):
            name = m.group(0)
            if name in not_party or len(name) < 2:
                continue
            window = s.text[m.end() : m.end() + 60]
            if _STANCE.search(window):
                hits.setdefault(name, [])
                if s not in hits[name]:
                    hits[name].append(s)
    for name in list(hits):  # "Israeli" and "Israelis" count for "Israel"
        base = next((b for b in hits if b != name and name.startswith(b) and len(name) - len(b) <= 3), None)
        if base:
            hits[base].extend(s for s in hits.pop(name) if s not in hits[base])
    ranked = sorted(
        (n for n, ss in hits.items() if len({s.article_id for s in ss}) >= 2),
        key=lambda n: (len({s.article_id for s in hits[n]}), len(hits[n])),
        reverse=True,
    )
    return {n: _spread(hits[n], 3) for n in ranked[:max_parties]}


def _spread(sentences: list[Sentence], limit: int) -> list[Sentence]:
    """Up to ``limit`` sentences, from as many different articles as possible."""
    first: dict[str, Sentence] = {}
    for s in sentences:
        first.setdefault(s.article_id, s)
    picked = list(first.values())[:limit]
    return picked + [s for s in sentences if s not in picked][: limit - len(picked)]


async def write_positions(
    llm: LLM,
    parties: dict[str, list[Sentence]],
    outlets: dict[str, str],
    sem: asyncio.Semaphore,
    log: TaskLog,
    screen: Screen | None = None,
) -> list[tuple[str, str, list[Sentence]]]:
    """(party, stance, supporting sentences) for each party, one small call per party; a stance the
    sentences do not support falls back to the party's first stance sentence, verbatim."""
    results = await asyncio.gather(*(_position(llm, p, ss, outlets, sem, log, screen) for p, ss in parties.items()))
    return list(results)


async def _position(
    llm: LLM,
    party: str,
    sentences: list[Sentence],
    outlets: dict[str, str],
    sem: asyncio.Semaphore,
    log: TaskLog,
    screen: Screen | None,
) -> tuple[str, str, list[Sentence]]:
    numbered = {f"s{i}": s for i, s in enumerate(sentences, start=1)}
    block = "\n".join(
        f'<sentence id="{sid}" outlet="{_label(outlets, s)}">{neutralise(s.text)}</sentence>'
        for sid, s in numbered.items()
    )

    def problem(value: PartyStance) -> str | None:
        cited = [numbered[i].text for i in value.sentences if i in numbered]
        if not cited:
            return f"cite at least one sentence id from {', '.join(numbered)}"
        if party.lower() not in value.stance.lower():
            return f"the stance must say what {party} says or wants, naming {party}"
        return check_statement(value.stance, cited, min_support=0.5) or _tainted(value.stance, screen)

    answer = await ask_or_fallback(
        llm,
        "party_positions",
        {"party": neutralise(party), "sentences": block},
        PartyStance,
        log,
        sem,
        max_tokens=90,
        check=problem,
    )
    if answer is None or answer.problem:
        why = answer.problem if answer else "no usable reply"
        log.warnings.append(f"position of {party}: model stance rejected ({why}); used a source sentence")
        return party, sentences[0].text, [sentences[0]]
    cited = [numbered[i] for i in answer.value.sentences if i in numbered]
    return party, answer.value.stance.strip(), cited
