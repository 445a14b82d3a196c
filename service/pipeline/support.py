"""Meaning check: is a sentence the model wrote supported by the sentences it rests on?

Code settles what code can see exactly, the model answers yes/no on the rest:
- supported by code: the sentence is a source sentence (or a part of one), or keeps one source sentence's
  content words in their order (a trimmed copy: nobody's role can have been swapped);
- unsupported by code: a figure, quotation or name no source has, a hedge dropped ("at least 13" → "13"), who
  did what turned round (``roles``), a possibility stated as done (a dropped attribution is left to the model:
  a say-verb anywhere in a source sentence is not proof that its claim is attributed);
- otherwise one short prompt (``support_check``) to the brief's model, cached per process.

Every verdict is recorded (``meta.checks``): what was checked, the verdict, who gave it and why.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from difflib import SequenceMatcher

from pydantic import BaseModel, Field

from service.llm import LLM
from service.pipeline.meaning import hedge_differs, uncertain
from service.pipeline.roles import roles_swapped
from service.pipeline.tasks import TaskLog, VerdictCache, ask_check
from service.pipeline.verify import new_names, normalise, unsupported_numbers, unsupported_quotes
from service.schemas import CheckVerdict
from service.text import content_words, plain_tokens

IN_ORDER = 0.85  # share of a sentence's words found, in order, in one source: a trimmed copy
_NEGATION = re.compile(r"\b(not|no|never|none|nor|without|n't|denied|denies|refused|rejects?|rejected)\b", re.I)
_cache = VerdictCache(4096)


class Supported(BaseModel):
    supported: bool = Field(..., description="true when the sources support the sentence's meaning")


def _tokens(text: str) -> list[str]:
    return plain_tokens(normalise(text))


def in_order_share(sentence: str, source: str) -> float:
    """Share of the sentence's content words that occur in ``source`` in the same order."""
    keep = content_words(sentence)
    a = [w for w in _tokens(sentence) if any(w.startswith(k) for k in keep)]
    if not a:
        return 0.0
    b = _tokens(source)
    matcher = SequenceMatcher(a=a, b=b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(a)


# What is only offered, proposed or ready to happen ("Herzog says Israel is willing to agree a new truce"):
# a sentence that drops it states a deal nobody made ("Israel and Hamas agree to temporary ceasefire").
_OFFERED = re.compile(
    r"\b(?:willing|ready|prepared|open|poised)\s+(?:to|for)\b|\boffer(?:s|ed)?\s+to\b|\bpropos(?:e|es|ed|al|als|ing)\b|"
    r"\b(?:consider|weigh)(?:s|ed|ing)\b",
    re.I,
)


# "considered" describes, not deliberates, after a comma or a form of "be" ("is widely considered the favourite"),
# or as a passive with its agent: "Hamas, the Islamic militant group considered a terrorist organisation by the US
# …" (the seed's statement of the 129 hostages was refused as "stated as done" for it)
_DESCRIBED = re.compile(r"(?:,|\b(?:is|are|was|were|be|been|being|widely|long|generally|largely))\s+$", re.I)
_WITH_AGENT = re.compile(r"\s+(?:a|an|to\s+be|as)\s+[^,.;]{0,40}?\bby\b", re.I)


def undecided(text: str) -> bool:
    """Whether ``text`` says something may, will or is planned to happen, or is only offered or proposed."""
    if uncertain(text):
        return True
    return any(
        not (
            m.group(0).lower() == "considered"
            and (_DESCRIBED.search(text[: m.start()]) or _WITH_AGENT.match(text, m.end()))
        )
        for m in _OFFERED.finditer(text)
    )


def code_verdict(sentence: str, sources: list[str]) -> tuple[bool | None, str]:
    """(True/False, why) when code can tell, (None, "") when the model must."""
    text = normalise(sentence).lower().rstrip(" .")
    if not sources:
        return False, "rests on no source sentence"
    if any(text and text in normalise(s).lower() for s in sources):
        return True, "a source sentence, verbatim"
    numbers = unsupported_numbers(sentence, sources)
    if numbers:
        return False, f"figures no source gives: {', '.join(f'{v:g}' for v in numbers)}"
    quoted = unsupported_quotes(sentence, sources)
    if quoted:
        return False, f"quotation no source has: {quoted[0][:60]}"
    names = new_names(sentence, sources)
    if names:
        return False, f"names no source has: {', '.join(names)}"
    best = max(sources, key=lambda s: in_order_share(sentence, s))
    why = hedge_differs(best, sentence)
    if why is None and undecided(best) and not undecided(sentence):
        why = "stated as done where the source says it may be, is planned, offered or proposed"
    why = why or roles_swapped(best, sentence)
    if why:
        return False, why
    share = in_order_share(sentence, best)
    if share >= IN_ORDER and len(_NEGATION.findall(sentence)) == len(_NEGATION.findall(best)):
        return True, f"keeps a source sentence's words in order ({share:.0%})"
    return None, ""


def _key(model: str, sentence: str, sources: list[str]) -> str:
    raw = "\x1f".join([model, "support_check/v1", sentence, *sources])
    return hashlib.sha256(raw.encode()).hexdigest()


class SupportChecker:
    """Checks sentences against their sources for one brief, recording every verdict in ``log.checks``."""

    def __init__(self, llm: LLM, sem: asyncio.Semaphore, log: TaskLog) -> None:
        self.llm, self.sem, self.log = llm, sem, log

    async def check(self, item: str, sentence: str, sources: list[str]) -> bool:
        """Whether ``sentence`` (the brief's ``item``, e.g. "headline") is supported by ``sources``."""
        verdict, why = code_verdict(sentence, sources)
        by = "code"
        if verdict is None:
            by = "model"
            key = _key(self.llm.model_name, sentence, sources)
            verdict, why = _cache.get(key), "cached verdict"
            if verdict is None:
                verdict, why = await self._ask(sentence, sources)
                if verdict is not None:
                    _cache.put(key, verdict)
            if verdict is None:
                verdict, why = False, "the check got no usable answer"
        self.log.checks.append(CheckVerdict(item=item, text=sentence, supported=verdict, by=by, reason=why))
        return verdict

    async def _ask(self, sentence: str, sources: list[str]) -> tuple[bool | None, str]:
        block = "\n".join(f"- {s}" for s in sources)
        variables = {"sources": block, "sentence": sentence}
        answer = await ask_check(self.llm, "support_check", variables, Supported, self.log, self.sem)
        if answer is None:
            return None, ""
        ok = answer.value.supported
        return ok, "the model: the sources say this" if ok else "the model: the sources do not say this"
