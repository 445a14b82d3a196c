"""The in-process job queue: accept brief requests, run them on worker tasks, persist every state change,
stream progress, cancel, answer repeats from the cache, and resume accepted jobs after a restart."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from service import __version__
from service.config import Settings
from service.digest import code_digest, prompts_digest
from service.errors import DatabaseInUse, JobCancelled
from service.jobs.execute import Reader, Runner, execute
from service.jobs.schemas import FINISHED, Job, JobError, Progress, links
from service.observability import record_cache, record_job
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


@dataclass
class Live:
    """What only the running process knows about a job: its progress events and who listens."""

    progress: Progress = field(default_factory=Progress)
    history: list[Event] = field(default_factory=list)
    listeners: list[asyncio.Queue[Event]] = field(default_factory=list)
    articles: list[Article] | None = None
    task: asyncio.Task[None] | None = None
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    exception: BaseException | None = None

    def publish(self, event: Event) -> None:
        if event["event"] == "stage":
            if event["state"] == "started":
                self.progress.stage = event["stage"]
            elif event["stage"] not in self.progress.stages_done:
                self.progress.stages_done.append(event["stage"])
        elif event["event"] == "tokens":
            self.progress.tokens_in += int(event.get("tokens_in", 0))
            self.progress.tokens_out += int(event.get("tokens_out", 0))
            event = {**event, "total_in": self.progress.tokens_in, "total_out": self.progress.tokens_out}
        self.history.append(event)
        for q in self.listeners:
            q.put_nowait(event)


class JobManager:
    """Jobs of one process. Store calls are blocking and run in threads; model work runs on worker tasks."""

    def __init__(self, store: Store, settings: Settings, reader: Reader, runner: Runner) -> None:
        self.store = store
        self.settings = settings
        self.reader = reader
        self.runner = runner
        self.live: dict[str, Live] = {}
        self.queue: asyncio.Queue[str] | None = None
        self.workers: list[asyncio.Task[None]] = []
        self._inline: set[asyncio.Task[None]] = set()
        self._stopping = False

    # lifecycle
    async def start(self) -> None:
        """Start the workers and re-queue jobs a previous process accepted but did not finish."""
        if self.queue is not None:
            return
        if not await asyncio.to_thread(self.store.acquire_queue_lock):
            raise DatabaseInUse(
                f"another crossbrief process runs the in-process job queue on {self.store.engine.url!r}; "
                "stop it, give this one its own database, or share the database through a Redis queue "
                "(REDIS_URL and `crossbrief worker`s)"
            )
        self._stopping = False
        self.queue = asyncio.Queue()
        self.workers = [
            asyncio.create_task(self._work(), name=f"job-worker-{n}") for n in range(self.settings.job_workers)
        ]
        for row in await asyncio.to_thread(self.store.unfinished_jobs):
            if row.id in self.live:  # accepted by this process a moment ago (the submit that started us)
                continue
            if row.attempts >= self.settings.job_max_attempts:
                reason = f"interrupted {row.attempts} time(s) by a server restart; not retried again"
                await asyncio.to_thread(
                    self.store.finish_job, row.id, "failed", error=_error("interrupted", reason, row)
                )
                log.warning("job %s failed: %s", row.id, reason)
                continue
            await asyncio.to_thread(self.store.update_job, row.id, status="queued")
            self.live[row.id] = Live()
            self.queue.put_nowait(row.id)
            log.info("job %s resumed after restart (status was %s)", row.id, row.status)

    async def stop(self) -> None:
        """Stop the workers. Running jobs stay `running` in the store and are resumed by the next start."""
        self._stopping = True
        for w in [*self.workers, *self._inline]:
            w.cancel()
        for live in self.live.values():
            if live.task is not None:
                live.task.cancel()
        await asyncio.gather(*self.workers, *self._inline, return_exceptions=True)
        self.workers, self.queue = [], None
        self.store.release_queue_lock()

    @property
    def queue_depth(self) -> int:
        return self.queue.qsize() if self.queue is not None else 0

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
        job_id = uuid.uuid4().hex
        base = dict(
            id=job_id,
            mode=mode,
            cache_key=key,
            request=request.model_dump(mode="json"),
            request_id=request_id,
            key_id=key_id,
        )
        hit = await asyncio.to_thread(self.store.cached_brief, key) if use_cache else None
        if use_cache:  # a bypass is neither a hit nor a miss
            record_cache(hit is not None)
        if hit is not None:  # the stored job answers (nothing is written: a hit costs one read)
            hit.cache_hit = True  # this answer's flag; the stored row keeps its own
            return hit
        row = JobRow(**base, status="queued", cache_hit=False, attempts=0)
        await asyncio.to_thread(self.store.add_job, row)
        await self._dispatch(row, articles)
        return row

    async def _dispatch(self, row: JobRow, articles: list[Article]) -> None:
        """Hand a stored job to the workers: async jobs to the in-process queue, sync ones to a task of their own."""
        job_id = row.id
        self.live[job_id] = Live(articles=articles)
        if row.mode == "async":
            await self.start()
            assert self.queue is not None
            self.queue.put_nowait(job_id)
        else:  # a synchronous request runs at once, detached: a client that hangs up does not cancel it
            task = asyncio.create_task(self._run(job_id), name=f"job-{job_id}")
            self._inline.add(task)
            task.add_done_callback(self._inline.discard)

    async def get(self, job_id: str) -> JobRow | None:
        return await asyncio.to_thread(self.store.get_job, job_id)

    async def wait(self, job_id: str) -> JobRow:
        """Wait for a job to finish; re-raise its typed error (for synchronous requests)."""
        live = self.live.get(job_id)
        if live is not None:
            await live.finished.wait()
            if live.exception is not None:
                raise live.exception
        row = await self.get(job_id)
        assert row is not None
        return row

    async def cancel(self, job_id: str) -> JobRow | None:
        """Cancel a queued or running job; returns the row (unchanged when it had already finished)."""
        row = await self.get(job_id)
        if row is None or row.status in FINISHED:
            return row
        ended = await asyncio.to_thread(self.store.finish_job, job_id, "cancelled")
        live = self.live.get(job_id)
        if live is not None:
            if live.task is not None:
                live.task.cancel()
            elif ended:
                self._end(job_id, live, {"event": "cancelled"})
        return await self.get(job_id)

    async def show(self, row: JobRow, with_brief: bool = True) -> Job:
        """The API view of a job, with its progress so far while it runs."""
        return self.view(row, with_brief)

    def view(self, row: JobRow, with_brief: bool = True, progress: Progress | None = None) -> Job:
        """The API view of a job, with live progress while it runs."""
        live = self.live.get(row.id)
        if progress is not None:
            pass
        elif live is not None:
            progress = live.progress
        elif row.brief:
            meta = row.brief.get("meta", {})
            progress = Progress(
                stages_done=list(meta.get("stage_seconds", {})),
                tokens_in=meta.get("tokens_in", 0),
                tokens_out=meta.get("tokens_out", 0),
            )
        else:
            progress = Progress()
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

    async def events(self, job_id: str) -> AsyncIterator[Event]:
        """Progress events of a job: what happened so far, then live events, ending with done/failed/cancelled."""
        live = self.live.get(job_id)
        if live is None:
            row = await self.get(job_id)
            if row is not None:
                yield terminal_event(row)
            return
        q: asyncio.Queue[Event] = asyncio.Queue()
        backlog = list(live.history)
        live.listeners.append(q)
        try:
            row = await self.get(job_id)
            yield {"event": "status", "status": row.status if row else "queued"}
            for event in backlog:
                yield event
                if event["event"] in FINISHED:
                    return
            while True:
                event = await q.get()
                yield event
                if event["event"] in FINISHED:
                    return
        finally:
            if q in live.listeners:
                live.listeners.remove(q)

    async def articles(self, row: JobRow) -> list[Article]:
        """The job's articles as ingested (citation offsets index into their text)."""
        live = self.live.get(row.id)
        if live is not None and live.articles is not None:
            return live.articles
        return await self.reader(BriefRequest.model_validate(row.request))

    # work
    async def _work(self) -> None:
        assert self.queue is not None
        while not self._stopping:
            job_id = await self.queue.get()
            try:
                await self._run(job_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job %s: worker error", job_id)

    async def _run(self, job_id: str) -> None:
        live = self.live.setdefault(job_id, Live())
        if not await asyncio.to_thread(self.store.claim_job, job_id):
            self._end(job_id, live, None)  # cancelled while queued (or taken by another worker)
            return
        row = await self.get(job_id)
        assert row is not None
        live.publish({"event": "status", "status": "running"})
        live.task = asyncio.create_task(self._execute(row, live))
        try:
            await asyncio.shield(live.task)
        except asyncio.CancelledError:
            # The job's own task was cancelled (DELETE): the worker goes on. The worker itself was cancelled
            # (stop): leave the job to the next start. Only the worker's cancel counts on the current task;
            # asking whether the job's task is done cannot tell them apart when stop() cancels both at once.
            current = asyncio.current_task()
            if self._stopping or (current is not None and current.cancelling()):
                live.task.cancel()
                raise
        except BaseException:
            pass

    async def _execute(self, row: JobRow, live: Live) -> None:
        def keep(articles: list[Article]) -> None:
            live.articles = articles

        try:
            outcome = await execute(
                row,
                store=self.store,
                reader=self.reader,
                runner=self.runner,
                publish=live.publish,
                articles=live.articles,
                on_articles=keep,
            )
        except asyncio.CancelledError:
            if self._stopping:  # shutting down: the job stays `running` and the next start resumes it
                raise
            await asyncio.to_thread(self.store.finish_job, row.id, "cancelled")  # no-op if DELETE recorded it
            current = await self.get(row.id)
            if current is not None and current.status == "cancelled":
                live.exception = JobCancelled("the job was cancelled")
                self._end(row.id, live, {"event": "cancelled"})
            raise
        if outcome.event is None:  # cancelled while the last step ran: the cancel stands
            live.exception = JobCancelled("the job was cancelled")
            self._end(row.id, live, {"event": "cancelled"})
            return
        live.exception = outcome.exception
        self._end(row.id, live, outcome.event)

    def _end(self, job_id: str, live: Live, event: Event | None) -> None:
        if event is not None:
            live.publish(event)
            record_job(str(event["event"]))
        live.finished.set()
        self.live.pop(job_id, None)


def _utc(value: datetime | None) -> datetime | None:
    """Timestamps in UTC with their zone (SQLite hands them back without one)."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _error(code: str, message: str, row: JobRow) -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": row.request_id, "status": 503}


def terminal_event(row: JobRow) -> Event:
    if row.status == "failed":
        return {"event": "failed", "error": row.error}
    if row.status == "done" and row.brief:
        meta = row.brief.get("meta", {})
        return {"event": "done", "tokens_in": meta.get("tokens_in", 0), "tokens_out": meta.get("tokens_out", 0)}
    if row.status in FINISHED:
        return {"event": row.status}
    return {"event": "status", "status": row.status}
