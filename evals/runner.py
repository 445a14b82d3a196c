"""Run eval cases: get a brief for each case and repeat (pipeline, running service, or saved files),
score it, and collect every verdict. Model outputs are cached by content hash."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
from pydantic import BaseModel, Field, ValidationError

from evals.baseline import baseline_brief
from evals.cache import Cache, content_key
from evals.dataset import LoadedCase
from evals.judges import ModelJudge
from evals.llms import LazyLLM
from evals.queue_source import QueueSource
from evals.scorers import Score
from evals.scoring import score_brief
from service.config import Settings
from service.digest import code_digest, prompts_digest
from service.errors import CrossbriefError
from service.pipeline import build_brief
from service.pipeline.ingest import ingest
from service.pipeline.types import Article
from service.schemas import Brief, BriefOptions, BriefRequest, Length

Source = Literal["pipeline", "service", "briefs", "queue"]
Progress = Callable[[str, int], None]


@dataclass
class RunOptions:
    """How briefs are obtained and how many times."""

    source: Source = "pipeline"
    service_url: str | None = None
    briefs_dir: Path | None = None
    strategy: Literal["staged", "single", "baseline"] | None = None  # baseline: one plain prompt, no pipeline
    length: Length = "medium"
    repeat: int = 1
    concurrency: int = 1

    def request_options(self) -> BriefOptions:
        """The options sent with each brief request (the baseline sends the single prompt)."""
        return BriefOptions(strategy="single" if self.strategy == "baseline" else self.strategy, length=self.length)


class RepeatResult(BaseModel):
    """One brief of one case and its scores."""

    repeat: int
    source: str
    cached: bool = False
    problem: str | None = Field(None, description="Why no usable brief came back (scored as empty).")
    seconds: float = Field(..., description="Wall seconds to obtain the brief (0 when cached).")
    brief: Brief | None = None
    scores: dict[str, Score]


class CaseResult(BaseModel):
    """Every repeat of one case."""

    id: str
    title: str | None
    suite: str
    file: str
    sha256: str
    repeats: list[RepeatResult]


@dataclass
class Outcome:
    brief: Brief | None
    problem: str | None
    cached: bool
    seconds: float


class Runner:
    """Runs cases with one brief source, one judge and one cache."""

    def __init__(
        self,
        options: RunOptions,
        settings: Settings,
        judge: ModelJudge,
        cache: Cache,
        llm: LazyLLM | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if options.source == "pipeline" and llm is None:
            raise ValueError("the pipeline source needs an LLM")
        self.options = options
        self.settings = settings
        self.judge = judge
        self.cache = cache
        self.llm = llm
        self.transport = transport  # tests hand in a mock transport for the service source
        self._sem = asyncio.Semaphore(max(1, options.concurrency))
        self._prompts = prompts_digest(settings.prompts_dir, frozenset({"judge"}))  # the judge is keyed apart
        self._code = code_digest()
        self._queue: QueueSource | None = None

    def brief_key(self, lc: LoadedCase, repeat: int) -> str:
        """Cache key of one pipeline brief: case content, options, model, prompts, code and repeat."""
        identity = self.llm.identity if self.llm else None
        opts = self.options.request_options().model_dump(mode="json")
        peer = ("baseline",) if self.options.strategy == "baseline" else ()
        return content_key("brief", lc.sha256, opts, identity, self._prompts, self._code, repeat, *peer)

    async def run(self, cases: list[LoadedCase], progress: Progress | None = None) -> list[CaseResult]:
        """Every case × repeat, ``concurrency`` at a time; results in case order."""

        async def one(lc: LoadedCase, r: int) -> RepeatResult:
            async with self._sem:
                result = await self.run_one(lc, r)
            if progress:
                progress(lc.case.id, r)
            return result

        tasks = [[one(lc, r) for r in range(1, self.options.repeat + 1)] for lc in cases]
        try:
            done = await asyncio.gather(*(asyncio.gather(*t) for t in tasks))
        finally:
            if self._queue is not None:
                await self._queue.close()
        return [
            CaseResult(
                id=lc.case.id, title=lc.case.title, suite=lc.suite, file=lc.file, sha256=lc.sha256, repeats=list(rs)
            )
            for lc, rs in zip(cases, done, strict=True)
        ]

    async def run_one(self, lc: LoadedCase, repeat: int) -> RepeatResult:
        """Obtain and score one brief."""
        articles, problem = self._articles(lc)
        outcome = await self.obtain(lc, repeat) if problem is None else Outcome(None, problem, False, 0.0)
        scores = await score_brief(lc.case, outcome.brief, outcome.problem, articles, self.judge)
        if outcome.brief is None and outcome.seconds:
            scores["seconds"] = Score(value=round(outcome.seconds, 3))  # a failed brief cost its time all the same
        return RepeatResult(
            repeat=repeat,
            source=self.options.source,
            cached=outcome.cached,
            problem=outcome.problem,
            seconds=round(outcome.seconds, 3),
            brief=outcome.brief,
            scores=scores,
        )

    def _articles(self, lc: LoadedCase) -> tuple[dict[str, Article], str | None]:
        try:
            return {a.id: a for a in ingest(lc.case.articles_in(), self.settings)}, None
        except CrossbriefError as e:
            return {}, f"articles rejected ({e.code}): {e.message}"

    async def obtain(self, lc: LoadedCase, repeat: int) -> Outcome:
        """The brief from the configured source."""
        if self.options.source == "service":
            return await self._from_service(lc)
        if self.options.source == "briefs":
            return self._from_file(lc)
        if self.options.source == "queue":
            return await self._from_queue(lc)
        return await self._from_pipeline(lc, repeat)

    async def _from_pipeline(self, lc: LoadedCase, repeat: int) -> Outcome:
        assert self.llm is not None
        key = self.brief_key(lc, repeat)
        stored = self.cache.get("brief", key)
        if stored is not None:
            return Outcome(Brief.model_validate(stored), None, True, 0.0)
        started = time.perf_counter()
        request = BriefRequest(articles=lc.case.articles_in(), options=self.options.request_options())
        try:
            if self.options.strategy == "baseline":
                articles = ingest(request.articles, self.settings)
                brief = await baseline_brief(articles, await self.llm.get(), length=self.options.length)
            else:
                brief = await build_brief(request, await self.llm.get(), self.settings)
        except CrossbriefError as e:
            return Outcome(None, f"pipeline failed ({e.code}): {e.message}", False, time.perf_counter() - started)
        # Round-trip through JSON: what is scored is what a client would receive.
        outcome = _validated(brief.model_dump(mode="json"), time.perf_counter() - started)
        if outcome.brief is not None:
            self.cache.put("brief", key, outcome.brief.model_dump(mode="json"))
        return outcome

    async def _from_service(self, lc: LoadedCase) -> Outcome:
        url = (self.options.service_url or "").rstrip("/") + "/v1/briefs"
        body = BriefRequest(articles=lc.case.articles_in(), options=self.options.request_options())
        started = time.perf_counter()
        try:
            timeout = self.settings.request_timeout_s * 4
            async with httpx.AsyncClient(timeout=timeout, transport=self.transport) as client:
                r = await client.post(url, json=body.model_dump(mode="json", exclude_none=True))
        except httpx.HTTPError as e:
            return Outcome(None, f"service request failed: {e!r}", False, time.perf_counter() - started)
        seconds = time.perf_counter() - started
        if r.status_code != 200:
            return Outcome(None, f"service answered HTTP {r.status_code}: {r.text[:300]}", False, seconds)
        try:
            data = r.json()
        except ValueError:
            return Outcome(None, "service reply is not JSON", False, seconds)
        return _validated(data, seconds)

    async def _from_queue(self, lc: LoadedCase) -> Outcome:
        if self._queue is None:
            self._queue = QueueSource(self.settings)
        request = BriefRequest(articles=lc.case.articles_in(), options=self.options.request_options())
        brief, problem, seconds = await self._queue.brief(request)
        if brief is None:
            return Outcome(None, problem, False, seconds)
        return _validated(brief.model_dump(mode="json"), seconds)  # scored as a client receives it

    def _from_file(self, lc: LoadedCase) -> Outcome:
        path = (self.options.briefs_dir or Path(".")) / f"{lc.case.id}.json"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            return Outcome(None, f"no saved brief: {e}", False, 0.0)
        try:
            return Outcome(Brief.model_validate_json(text), None, False, 0.0)
        except ValidationError as e:
            return Outcome(None, f"{path}: not a valid Brief: {_errors(e)}", False, 0.0)


def _validated(data: Any, seconds: float) -> Outcome:
    try:
        return Outcome(Brief.model_validate(data), None, False, seconds)
    except ValidationError as e:
        return Outcome(None, f"not a valid Brief: {_errors(e)}", False, seconds)


def _errors(e: ValidationError) -> str:
    errs = e.errors(include_url=False)
    first = "; ".join(f"{'.'.join(str(p) for p in x['loc'])}: {x['msg']}" for x in errs[:3])
    return first + (f" (+{len(errs) - 3} more)" if len(errs) > 3 else "")
