"""The in-process transport: this process runs its jobs on worker tasks (``job_workers`` async jobs at once,
synchronous requests on tasks of their own), keeps their progress in memory, and on start resumes the jobs a
previous process accepted but did not finish. One process per database (a lock in the store)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from service.config import Settings
from service.errors import DatabaseInUse, JobCancelled
from service.jobs.execute import Reader, Runner, execute
from service.jobs.schemas import FINISHED, Progress
from service.jobs.transport import terminal_event, track
from service.observability import record_job
from service.pipeline.types import Article
from service.progress import Event
from service.storage import JobRow, Store

log = logging.getLogger("crossbrief.jobs")


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
        event = track(self.progress, event)
        self.history.append(event)
        for q in self.listeners:
            q.put_nowait(event)


class LocalTransport:
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
            if row.id not in self.live:  # not accepted by this process a moment ago (the submit that started us)
                await self._resume(row)

    async def _resume(self, row: JobRow) -> None:
        assert self.queue is not None
        if row.attempts >= self.settings.job_max_attempts:
            reason = f"interrupted {row.attempts} time(s) by a server restart; not retried again"
            await asyncio.to_thread(self.store.finish_job, row.id, "failed", error=_error("interrupted", reason, row))
            log.warning("job %s failed: %s", row.id, reason)
            return
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

    async def check(self) -> None:
        """Always ready: the queue is this process's own."""

    @property
    def queue_depth(self) -> int:
        return self.queue.qsize() if self.queue is not None else 0

    # jobs
    async def dispatch(self, row: JobRow, articles: list[Article]) -> None:
        """Async jobs go to the queue, sync ones to a task of their own."""
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

    async def wait(self, job_id: str) -> JobRow:
        live = self.live.get(job_id)
        if live is not None:
            await live.finished.wait()
            if live.exception is not None:
                raise live.exception
        row = await asyncio.to_thread(self.store.get_job, job_id)
        assert row is not None
        return row

    async def cancelled(self, job_id: str, *, recorded: bool, row: JobRow | None) -> None:
        live = self.live.get(job_id)
        if live is not None:
            if live.task is not None:
                live.task.cancel()
            elif recorded:
                self._end(job_id, live, {"event": "cancelled"})

    async def events(self, job_id: str) -> AsyncIterator[Event]:
        live = self.live.get(job_id)
        if live is None:
            row = await asyncio.to_thread(self.store.get_job, job_id)
            if row is not None:
                yield terminal_event(row)
            return
        q: asyncio.Queue[Event] = asyncio.Queue()
        backlog = list(live.history)
        live.listeners.append(q)
        try:
            row = await asyncio.to_thread(self.store.get_job, job_id)
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

    async def progress(self, row: JobRow) -> Progress | None:
        return self.known_progress(row.id)

    def known_progress(self, job_id: str) -> Progress | None:
        live = self.live.get(job_id)
        return live.progress if live is not None else None

    def articles(self, job_id: str) -> list[Article] | None:
        live = self.live.get(job_id)
        return live.articles if live is not None else None

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
        row = await asyncio.to_thread(self.store.get_job, job_id)
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
            current = await asyncio.to_thread(self.store.get_job, row.id)
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


def _error(code: str, message: str, row: JobRow) -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": row.request_id, "status": 503}
