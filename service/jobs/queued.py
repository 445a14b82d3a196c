"""Jobs of an API process that shares a database and a Redis queue with other API processes and with
`crossbrief worker`s: it stores and queues jobs, and reads their state and progress; workers run them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from arq.connections import ArqRedis

from service.errors import JobCancelled
from service.jobs import redis_queue
from service.jobs.execute import StoredJobError
from service.jobs.manager import JobManager, Live, terminal_event
from service.jobs.schemas import FINISHED, Job, Progress
from service.pipeline.types import Article
from service.progress import Event
from service.storage import JobRow

log = logging.getLogger("crossbrief.jobs")


class QueuedJobManager(JobManager):
    """Same interface as the in-process ``JobManager``; the work happens in whichever worker takes the job."""

    pool: ArqRedis | None = None
    _depth = 0
    _depth_task: asyncio.Task[None] | None = None

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

    async def _dispatch(self, row: JobRow, articles: list[Article]) -> None:
        await redis_queue.enqueue(await self._pool(), self.settings, row.id)

    async def wait(self, job_id: str) -> JobRow:
        """Wait for a worker to finish the job; re-raise its typed error (synchronous requests)."""
        async for event in redis_queue.follow(await self._pool(), job_id):
            if event is not None and event["event"] in FINISHED:
                break
            if event is None:  # quiet: the database has the last word (an end recorded without an event)
                row = await self.get(job_id)
                if row is not None and row.status in FINISHED:
                    break
        row = await self.get(job_id)
        assert row is not None
        if row.status == "failed":
            raise StoredJobError(row.error or {})
        if row.status == "cancelled":
            raise JobCancelled("the job was cancelled")
        return row

    async def cancel(self, job_id: str) -> JobRow | None:
        """Record the cancel; the worker holding the job sees it within a second and stops."""
        before = await self.get(job_id)
        row = await super().cancel(job_id)
        if before is not None and before.status not in FINISHED and row is not None and row.status == "cancelled":
            await redis_queue.publish(await self._pool(), job_id, {"event": "cancelled"})
        return row

    async def show(self, row: JobRow, with_brief: bool = True) -> Job:
        if row.status in FINISHED:
            return self.view(row, with_brief)
        live = Live()
        for event in await redis_queue.history(await self._pool(), row.id):
            live.publish(event)
        return self.view(row, with_brief, progress=live.progress if live.history else Progress())

    async def events(self, job_id: str) -> AsyncIterator[Event]:
        """The job's events from its Redis stream: backlog, then live, ending with done/failed/cancelled."""
        row = await self.get(job_id)
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
            row = await self.get(job_id)
            if row is not None and row.status in FINISHED:
                yield terminal_event(row)
                return
