"""The Redis side of the job queue: arq for delivery (a job id sits in the queue until a worker finishes it, and a
worker that stops renewing its lease loses the job to another), plus one Redis stream per job for its progress
events, which API processes read (backlog, then live) whoever runs the job."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.constants import in_progress_key_prefix, job_key_prefix

from service.config import Settings
from service.jobs.schemas import FINISHED
from service.jobs.transport import terminal_event
from service.progress import Event
from service.storage import Store

FUNCTION = "run_brief"
EVENTS_TTL_S = 24 * 3600
EVENTS_MAXLEN = 5000


def redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


async def connect(settings: Settings) -> ArqRedis:
    """An arq connection pool for ``settings.redis_url`` (which must be set)."""
    assert settings.redis_url, "the Redis queue needs CROSSBRIEF_REDIS_URL / REDIS_URL"
    return await create_pool(redis_settings(settings.redis_url), default_queue_name=settings.queue_name)


async def enqueue(pool: ArqRedis, settings: Settings, job_id: str) -> bool:
    """Put a job on the queue under its own id; False when arq already holds it (queued or running)."""
    job = await pool.enqueue_job(FUNCTION, job_id, _job_id=job_id, _queue_name=settings.queue_name)
    return job is not None


async def queue_depth(pool: ArqRedis, settings: Settings) -> int:
    return int(await pool.zcard(settings.queue_name))


async def renew_lease(pool: ArqRedis, job_id: str, seconds: float) -> None:
    """Keep arq from handing a running job to another worker for ``seconds`` more."""
    await pool.pexpire(in_progress_key_prefix + job_id, int(seconds * 1000))


async def requeue_strays(pool: ArqRedis, settings: Settings, store: Store, older_than_s: float) -> list[str]:
    """Queue again every unfinished job the database knows and the queue does not (an API process died between
    storing and queueing it, Redis lost its data, or arq gave up on it). Returns the ids queued."""
    before = datetime.now(UTC) - timedelta(seconds=older_than_s)
    queued = []
    for job_id in await asyncio.to_thread(store.stray_jobs, before):
        if await pool.exists(job_key_prefix + job_id):
            continue
        if await enqueue(pool, settings, job_id):
            queued.append(job_id)
    return queued


async def announce_ends(pool: ArqRedis, store: Store, since_s: float, settle_s: float) -> list[str]:
    """Publish the final event of every job that ended between ``since_s`` and ``settle_s`` seconds ago and whose
    stream has none: its worker was killed between the database's commit and its event, and the queue no longer
    holds the job (a second worker took it over while the first still ran, and the first, ending, took it off the
    queue), so no retry will tell. Returns the ids announced."""
    now = datetime.now(UTC)
    after, before = now - timedelta(seconds=since_s), now - timedelta(seconds=settle_s)
    ended = await asyncio.to_thread(store.finished_between, after, before)
    if not ended:
        return []
    async with pool.pipeline(transaction=False) as pipe:
        for job_id in ended:
            pipe.xrevrange(_stream(job_id), count=1)
        lasts = await pipe.execute()
    announced = []
    for job_id, last in zip(ended, lasts, strict=True):
        if last and json.loads(last[0][1][b"e"])["event"] in FINISHED:
            continue
        row = await asyncio.to_thread(store.get_job, job_id)
        if row is not None and row.status in FINISHED:
            await publish(pool, job_id, terminal_event(row))
            announced.append(job_id)
    return announced


def _stream(job_id: str) -> str:
    return f"crossbrief:events:{job_id}"


# A job's final event is published once, whoever publishes it: its worker, the worker that finds the job
# finished when the queue hands it over again, or the sweep that announces an end nobody told. Each checks for a
# final event first, but check-then-add is no lock (two repairs, or a slow worker's own "done" after a repair, once
# gave a stream two "done"s); the marker key and the XADD are set in one script, so the first final wins.
_ONCE = """
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[3]) then
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
"""


async def publish(pool: ArqRedis, job_id: str, event: Event) -> bool:
    """Add ``event`` to the job's stream; a final event only if the stream has had none (False when one had)."""
    key = _stream(job_id)
    if event["event"] in FINISHED:
        script: Any = pool.eval(_ONCE, 2, key, f"{key}:final", json.dumps(event), str(EVENTS_MAXLEN), str(EVENTS_TTL_S))
        return bool(await script)
    await pool.xadd(key, {"e": json.dumps(event)}, maxlen=EVENTS_MAXLEN, approximate=True)
    await pool.expire(key, EVENTS_TTL_S)
    return True


async def history(pool: ArqRedis, job_id: str) -> list[Event]:
    return [json.loads(fields[b"e"]) for _, fields in await pool.xrange(_stream(job_id))]


async def has_final(pool: ArqRedis, job_id: str) -> bool:
    return any(e["event"] in FINISHED for e in await history(pool, job_id))


async def follow(pool: ArqRedis, job_id: str, block_ms: int = 1000) -> AsyncIterator[Event | None]:
    """Every event of a job from the first, then live ones; yields None after each quiet ``block_ms`` (so the
    caller can check the database) and stops after a final event."""
    last = "0-0"
    while True:
        reply = await pool.xread({_stream(job_id): last}, block=block_ms)
        if not reply:
            yield None
            continue
        for _, entries in reply:
            for entry_id, fields in entries:
                last = entry_id
                event: Event = json.loads(fields[b"e"])
                yield event
                if event["event"] in FINISHED:
                    return
