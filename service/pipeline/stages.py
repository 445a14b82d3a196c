"""The stages both strategies share, over one run state: :func:`screen_articles` (segment, the pattern
screen, the model's screen), :func:`screened_quotes`, and :func:`finish` (meta, then the assembled brief).
Each strategy runs its own middle stages (staged: align, signals, small model tasks, the lead; single: one
whole-brief prompt and its verification) between them."""

from __future__ import annotations

import asyncio
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from service.llm import LLM
from service.pipeline.assemble import Draft, assemble, make_meta
from service.pipeline.injection import Screen, screen
from service.pipeline.quotes import extract_quotes
from service.pipeline.screen_check import ModelScreen
from service.pipeline.segment import segment
from service.pipeline.tasks import TaskLog
from service.pipeline.types import Article, QuoteMention, Sentence
from service.progress import Timer
from service.schemas import Brief


@dataclass
class BriefRun:
    """One brief on its way through the stages: what it was asked, what the stages found so far, and
    what it cost (model calls, warnings, meaning checks, seconds per stage)."""

    articles: list[Article]
    llm: LLM
    strategy: str
    request_id: str | None = None
    concurrency: int = 2  # model calls the run may have in flight at once
    started: float = field(default_factory=time.perf_counter)
    timer: Timer = field(default_factory=Timer)
    log: TaskLog = field(default_factory=TaskLog)
    per_article: dict[str, list[Sentence]] = field(default_factory=dict)  # every sentence, screened or not
    screen: Screen = field(default_factory=lambda: Screen(clean=[]))  # set by screen_articles
    sem: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.sem = asyncio.Semaphore(self.concurrency)

    @property
    def outlets(self) -> dict[str, str]:
        """Article id → outlet name."""
        return {a.id: a.outlet for a in self.articles}

    @property
    def sentences(self) -> list[Sentence]:
        """Every sentence of every article, in the request's order, screened or not."""
        return [s for ss in self.per_article.values() for s in ss]

    @property
    def texts(self) -> dict[str, str]:
        """Article id → text."""
        return {a.id: a.text for a in self.articles}

    def stage(self, name: str, timed: bool = True) -> AbstractContextManager[None]:
        """Time stage ``name`` (and report it as progress) unless ``timed`` is off."""
        return self.timer(name) if timed else nullcontext()


def segment_and_screen(articles: list[Article]) -> tuple[dict[str, list[Sentence]], Screen]:
    """Each article's sentences, and the pattern screen's verdict on them (CPU work)."""
    per_article = {a.id: segment(a) for a in articles}
    return per_article, screen([s for ss in per_article.values() for s in ss], {a.id: a.text for a in articles})


async def screen_articles(run: BriefRun, screen_by: str, *, timed: bool = True) -> None:
    """Segment the articles and screen their sentences: the pattern screen, then (``screen_by="model"``) the
    model on the suspects it left in. The screen's warnings open the run's warnings. ``timed``: report the
    ``segment`` and ``screen`` stages (the single strategy never has)."""
    with run.stage("segment", timed):
        run.per_article, scr = await asyncio.to_thread(segment_and_screen, run.articles)
    with run.stage("screen", timed):
        screen_llm = run.llm if screen_by == "model" else None
        run.screen = await ModelScreen(screen_llm, run.sem, run.log).widen(
            scr, run.sentences, run.texts
        )
    run.log.warnings[:0] = run.screen.warnings()


def screened_quotes(articles: list[Article], per_article: dict[str, list[Sentence]], scr: Screen) -> list[QuoteMention]:
    """The direct quotes of the sentences that pass the screen, less those that touch a flagged span."""
    return [
        q
        for a in articles
        for q in extract_quotes(a, [s for s in per_article[a.id] if s.id not in scr.flagged])
        if not scr.touches(q.article_id, q.start, q.end)
    ]


def finish(run: BriefRun, draft: Draft, provenance: dict[str, str]) -> Brief:
    """The brief with its meta: who wrote what, every model call and check, the screen's report."""
    meta = make_meta(
        backend=run.llm.backend,
        model=run.llm.model_name,
        strategy=run.strategy,
        calls=run.log.calls,
        seconds=time.perf_counter() - run.started,
        stage_seconds=run.timer.seconds,
        warnings=run.log.warnings,
        request_id=run.request_id,
        provenance=provenance,
        checks=run.log.checks,
        screened=run.screen.report(),
    )
    return assemble(articles=run.articles, draft=draft, meta=meta, sentences=run.screen.clean)
