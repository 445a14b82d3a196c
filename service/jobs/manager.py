"""The job manager: accept brief requests, answer repeats from the cache, keep every job in the store, cancel, and
show jobs as the API does. Where jobs run is its transport's business: this process's own queue
(:class:`~service.jobs.local.LocalTransport`, the default) or the Redis queue that `crossbrief worker`s take jobs
from (:class:`~service.jobs.queued.RedisTransport`)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from service import __version__
from service.config import Settings
from service.digest import code_digest, prompts_digest
from service.jobs.execute import Reader, Runner
from service.jobs.local import LocalTransport
from service.jobs.schemas import FINISHED, Job, JobError, Progress, links
from service.jobs.transport import Transport
from service.observability import record_cache
from service.pipeline.types import Article
from service.progress import Event
from service.schemas import Brief, BriefRequest
from service.storage import JobRow, Store

log = logging.getLogger("crossbrief.jobs")


def cache_key(request: BriefRequest, settings: Settings) -> str:
    """Hash of everything that decides a brief: articles, options, backend, model, prompts, code version."""
    payload = {
        "articles": [a.model_dump(mode="json") for a in request.articles],
        "options": request.options.model_dump(mode="json", exclude={"backend", "model"}),
        "backend": request.options.backend or settings.backend,
        "model": request.options.model or settings.model or "default",
        "prompts": prompts_digest(settings.prompts_dir),
        "version": __version__,
        "code": code_digest(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class JobManager:
    """Jobs as the API sees them. Store calls are blocking and run in threads."""

    def __init__(
        self, store: Store, settings: Settings, reader: Reader, runner: Runner, transport: Transport | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self.reader = reader
        self.transport: Transport = transport or LocalTransport(store, settings, reader, runner)

    # lifecycle
    async def start(self) -> None:
        """Get the transport ready (the in-process one resumes the jobs a previous process left unfinished)."""
        await self.transport.start()

    async def stop(self) -> None:
        """Stop taking jobs. Running jobs stay `running` in the store and are resumed later."""
        await self.transport.stop()

    @property
    def queue_depth(self) -> int:
        return self.transport.queue_depth

    # requests
    async def submit(
        self,
        request: BriefRequest,
        *,
        mode: str,
        request_id: str | None,
        key_id: str | None = None,
        use_cache: bool = True,
    ) -> JobRow:
        """Validate the articles (InputError before anything is stored), then answer from the cache, queue the
        job (async) or start it now (sync; wait for it with ``wait``)."""
        articles = await self.reader(request)
        key = cache_key(request, self.settings)
        hit = await asyncio.to_thread(self.store.cached_brief, key) if use_cache else None
        if use_cache:  # a bypass is neither a hit nor a miss
            record_cache(hit is not None)
        if hit is not None:  # the stored job answers (nothing is written: a hit costs one read)
            hit.cache_hit = True  # this answer's flag; the stored row keeps its own
            return hit
        row = JobRow(
            id=uuid.uuid4().hex,
            mode=mode,
            cache_key=key,
            request=request.model_dump(mode="json"),
            request_id=request_id,
            key_id=key_id,
            status="queued",
            cache_hit=False,
            attempts=0,
        )
        await asyncio.to_thread(self.store.add_job, row)
        await self.transport.dispatch(row, articles)
        return row

    async def get(self, job_id: str) -> JobRow | None:
        return await asyncio.to_thread(self.store.get_job, job_id)

    async def wait(self, job_id: str) -> JobRow:
        """Wait for a job to finish; re-raise its typed error (for synchronous requests)."""
        return await self.transport.wait(job_id)

    async def cancel(self, job_id: str) -> JobRow | None:
        """Cancel a queued or running job; returns the row (unchanged when it had already finished)."""
        row = await self.get(job_id)
        if row is None or row.status in FINISHED:
            return row
        recorded = await asyncio.to_thread(self.store.finish_job, job_id, "cancelled")
        row = await self.get(job_id)
        await self.transport.cancelled(job_id, recorded=recorded, row=row)
        return row

    async def show(self, row: JobRow, with_brief: bool = True) -> Job:
        """The API view of a job, with its progress so far while it runs."""
        return self.view(row, with_brief, progress=await self.transport.progress(row))

    def view(self, row: JobRow, with_brief: bool = True, progress: Progress | None = None) -> Job:
        """The API view of a job: ``progress``, else what this process knows of a job it runs, else the brief's."""
        if progress is None:
            progress = self.transport.known_progress(row.id)
        if progress is None:
            progress = _progress_of(row)
        return Job(
            id=row.id,
            status=row.status,  # type: ignore[arg-type]
            mode=row.mode,  # type: ignore[arg-type]
            created_at=_utc(row.created_at),
            started_at=_utc(row.started_at),
            finished_at=_utc(row.finished_at),
            request_id=row.request_id,
            cache_hit=row.cache_hit,
            attempts=row.attempts,
            progress=progress,
            error=JobError(**row.error) if row.error else None,
            brief=Brief.model_validate(row.brief) if (row.brief and with_brief) else None,
            links=links(row.id),
        )

    def events(self, job_id: str) -> AsyncIterator[Event]:
        """Progress events of a job: what happened so far, then live events, ending with done/failed/cancelled."""
        return self.transport.events(job_id)

    async def articles(self, row: JobRow) -> list[Article]:
        """The job's articles as ingested (citation offsets index into their text)."""
        known = self.transport.articles(row.id)
        return known if known is not None else await self.reader(BriefRequest.model_validate(row.request))


def _progress_of(row: JobRow) -> Progress:
    """A job's progress from its brief (stages and tokens), or none yet."""
    if not row.brief:
        return Progress()
    meta = row.brief.get("meta", {})
    return Progress(
        stages_done=list(meta.get("stage_seconds", {})),
        tokens_in=meta.get("tokens_in", 0),
        tokens_out=meta.get("tokens_out", 0),
    )


def _utc(value: datetime | None) -> datetime | None:
    """Timestamps in UTC with their zone (SQLite hands them back without one)."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
