"""The Redis transport: an API process that shares a database and a Redis queue with other API processes and with
`crossbrief worker`s stores and queues jobs, and reads their state and progress; workers run them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from arq.connections import ArqRedis

from service.config import Settings
from service.errors import JobCancelled
from service.jobs import redis_queue
from service.jobs.execute import Reader, Runner, StoredJobError
from service.jobs.manager import JobManager
from service.jobs.schemas import FINISHED, Progress
from service.jobs.transport import terminal_event, track
from service.pipeline.types import Article
from service.progress import Event
from service.storage import JobRow, Store

log = logging.getLogger("crossbrief.jobs")


class RedisTransport:
    """Jobs go on the Redis queue; whichever worker takes one runs it and streams its events through Redis."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.pool: ArqRedis | None = None
        self._depth = 0
        self._depth_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect to Redis. Nothing is resumed here: the queue keeps jobs until a worker finishes them, and the
        workers queue again what the database holds and the queue lost."""
        if self.pool is None:
            self.pool = await redis_queue.connect(self.settings)
            self._depth_task = asyncio.create_task(self._watch_depth(), name="queue-depth")

    async def stop(self) -> None:
        if self._depth_task is not None:
            self._depth_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._depth_task
        if self.pool is not None:
            await self.pool.aclose()
            self.pool = None

    async def check(self) -> None:
        """Raise when Redis does not answer."""
        await (await self._pool()).ping()

    async def _pool(self) -> ArqRedis:
        await self.start()
        assert self.pool is not None
        return self.pool

    @property
    def queue_depth(self) -> int:
        return self._depth

    async def _watch_depth(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                self._depth = await redis_queue.queue_depth(await self._pool(), self.settings)
            await asyncio.sleep(5)

    async def _row(self, job_id: str) -> JobRow | None:
        return await asyncio.to_thread(self.store.get_job, job_id)

    async def dispatch(self, row: JobRow, articles: list[Article]) -> None:
        await redis_queue.enqueue(await self._pool(), self.settings, row.id)

    async def wait(self, job_id: str) -> JobRow:
        """Wait for a worker to finish the job; re-raise its typed error (synchronous requests)."""
        async for event in redis_queue.follow(await self._pool(), job_id):
            if event is not None and event["event"] in FINISHED:
                break
            if event is None:  # quiet: the database has the last word (an end recorded without an event)
                row = await self._row(job_id)
                if row is not None and row.status in FINISHED:
                    break
        row = await self._row(job_id)
        assert row is not None
        if row.status == "failed":
            raise StoredJobError(row.error or {})
        if row.status == "cancelled":
            raise JobCancelled("the job was cancelled")
        return row

    async def cancelled(self, job_id: str, *, recorded: bool, row: JobRow | None) -> None:
        """The worker holding the job sees the cancel within a second and stops; listeners hear it now."""
        if row is not None and row.status == "cancelled":
            await redis_queue.publish(await self._pool(), job_id, {"event": "cancelled"})

    async def events(self, job_id: str) -> AsyncIterator[Event]:
        """The job's events from its Redis stream: backlog, then live, ending with done/failed/cancelled."""
        row = await self._row(job_id)
        if row is None:
            return
        if row.status in FINISHED:
            yield terminal_event(row)
            return
        yield {"event": "status", "status": row.status}
        async for event in redis_queue.follow(await self._pool(), job_id):
            if event is not None:
                yield event
                continue
            row = await self._row(job_id)
            if row is not None and row.status in FINISHED:
                yield terminal_event(row)
                return

    async def progress(self, row: JobRow) -> Progress | None:
        """An unfinished job's progress, from the events in its stream."""
        if row.status in FINISHED:
            return None
        progress = Progress()
        for event in await redis_queue.history(await self._pool(), row.id):
            track(progress, event)
        return progress

    def known_progress(self, job_id: str) -> Progress | None:
        return None  # the workers know; ``progress`` asks Redis

    def articles(self, job_id: str) -> list[Article] | None:
        return None


class QueuedJobManager(JobManager):
    """A job manager on the Redis transport (``reader`` validates requests here; ``runner`` is the workers')."""

    def __init__(self, store: Store, settings: Settings, reader: Reader, runner: Runner) -> None:
        super().__init__(store, settings, reader, runner, RedisTransport(store, settings))
