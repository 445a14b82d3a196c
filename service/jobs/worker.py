"""`crossbrief worker`: takes brief jobs from the Redis queue (arq) and runs them; any number of workers and API
processes share one database and one Redis.

Exactly-once results: arq hands a job to one worker at a time (its in-progress key); the worker renews that key
as a lease while it works, so a killed worker's job goes to another worker once the lease lapses
(``worker_lease_s``), and the database records only the result of the worker that holds the job
(``claim_job``/``finish_job`` with ``worker_id``). A job interrupted more than ``job_max_attempts`` times is
marked failed with the reason. A worker that is stopped (SIGTERM) hands its running jobs back to the queue.
With ``worker_metrics_port`` a worker serves its own Prometheus metrics (jobs, errors, stage seconds, tokens)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from typing import Any

from arq.worker import Worker, async_check_health, func
from prometheus_client import start_http_server

from service.config import Settings
from service.errors import Interrupted, JobTimedOut
from service.jobs import redis_queue
from service.jobs.execute import Outcome, Steps, error_of, execute
from service.jobs.schemas import FINISHED
from service.jobs.transport import terminal_event
from service.llm import LLMProvider
from service.observability import Metrics, record_error, record_job
from service.progress import Event
from service.storage import Store

log = logging.getLogger("crossbrief.worker")


async def _startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    store = Store(settings.database_url)
    store.upgrade()
    provider = LLMProvider(settings)
    loading = asyncio.create_task(asyncio.to_thread(provider.start))

    async def ready() -> None:
        await asyncio.shield(loading)

    steps: Steps = ctx["steps"]
    reader, runner = steps(settings, provider, ready)
    ctx.update(
        store=store,
        provider=provider,
        loading=loading,
        reader=reader,
        runner=runner,
        worker_name=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}",
    )
    ctx["sweeper"] = asyncio.create_task(_sweep(ctx), name="sweeper")
    ctx["metrics"] = metrics = Metrics()  # counts this process's jobs, stages and tokens
    if settings.worker_metrics_port:
        ctx["metrics_server"], _ = start_http_server(
            settings.worker_metrics_port, addr=settings.host, registry=metrics.registry
        )
        log.info("metrics on http://%s:%d/metrics", settings.host, settings.worker_metrics_port)
    log.info("worker %s ready for jobs on %s", ctx["worker_name"], settings.queue_name)


async def _shutdown(ctx: dict[str, Any]) -> None:
    for name in ("sweeper", "loading"):
        task = ctx.get(name)
        if task is not None:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
    if "metrics_server" in ctx:
        ctx["metrics_server"].shutdown()
    if "provider" in ctx:
        await asyncio.to_thread(ctx["provider"].close)
    if "store" in ctx:
        ctx["store"].close()


ANNOUNCE_WINDOW_LEASES = 10  # how far back (in lease periods) the sweeper looks for ends nobody announced


async def _sweep(ctx: dict[str, Any]) -> None:
    """Every lease period, queue again what the database holds unfinished and the queue lost, and announce the
    ends that the database holds and a job's event stream lacks."""
    settings: Settings = ctx["settings"]
    lease = settings.worker_lease_s
    while True:
        try:
            found = await redis_queue.requeue_strays(ctx["redis"], settings, ctx["store"], lease)
            if found:
                log.warning("queued again %d job(s) the queue did not hold: %s", len(found), ", ".join(found))
            told = await redis_queue.announce_ends(ctx["redis"], ctx["store"], ANNOUNCE_WINDOW_LEASES * lease, lease)
            if told:
                log.warning("announced the end of %d job(s) their worker did not: %s", len(told), ", ".join(told))
        except Exception:
            log.exception("sweep failed")
        await asyncio.sleep(lease)


async def run_brief(ctx: dict[str, Any], job_id: str) -> str:
    """The arq job: claim the job in the database, run it while renewing the lease, record its end."""
    settings: Settings = ctx["settings"]
    store: Store = ctx["store"]
    pool = ctx["redis"]
    holder = f"{ctx['worker_name']}:{ctx.get('job_try', 1)}"
    if not await asyncio.to_thread(store.claim_job, job_id, holder):
        row = await asyncio.to_thread(store.get_job, job_id)
        if row is not None and row.status in FINISHED and not await redis_queue.has_final(pool, job_id):
            await redis_queue.publish(pool, job_id, terminal_event(row))  # its worker died before telling
        return "not runnable (finished, cancelled or unknown)"
    row = await asyncio.to_thread(store.get_job, job_id)
    assert row is not None

    async def end(event: Event) -> None:
        await redis_queue.publish(pool, job_id, event)
        record_job(str(event["event"]))
        if event["event"] == "failed":
            record_error(str(event["error"].get("code", "internal_error")))

    if row.attempts > settings.job_max_attempts:
        reason = f"interrupted {row.attempts - 1} time(s) (a worker stopped or was killed); not retried again"
        err = error_of(Interrupted(reason), row.request_id)
        if await asyncio.to_thread(store.finish_job, job_id, "failed", holder, error=err):
            await end({"event": "failed", "error": err})
        return "failed: interrupted too often"

    events: asyncio.Queue[Event] = asyncio.Queue()
    await redis_queue.publish(pool, job_id, {"event": "status", "status": "running"})
    forward = asyncio.create_task(_forward(pool, job_id, events))
    work = asyncio.create_task(
        execute(
            row,
            store=store,
            reader=ctx["reader"],
            runner=ctx["runner"],
            publish=events.put_nowait,
            worker_id=holder,
        )
    )
    try:
        outcome = await _supervise(ctx, work, job_id, holder)
    finally:
        await events.join()
        forward.cancel()
    if outcome.event is not None:
        await end(outcome.event)
        return str(outcome.event["event"])
    return "ended elsewhere (cancelled or taken over)"


async def _supervise(ctx: dict[str, Any], work: asyncio.Task[Outcome], job_id: str, holder: str) -> Outcome:
    """Renew the lease and watch the database until the work ends; stop it on a cancel, a takeover or the
    time limit. A stop of the worker itself (CancelledError) leaves the job `running` for the next holder."""
    settings: Settings = ctx["settings"]
    store: Store = ctx["store"]
    tick = min(1.0, settings.worker_lease_s / 3)
    deadline = asyncio.get_running_loop().time() + settings.job_timeout_s
    try:
        while True:
            done, _ = await asyncio.wait({work}, timeout=tick)
            if done:
                return work.result()
            await redis_queue.renew_lease(ctx["redis"], job_id, settings.worker_lease_s)
            row = await asyncio.to_thread(store.get_job, job_id)
            if row is None or row.status != "running" or row.worker_id != holder:
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await work
                return Outcome(None)  # the cancel (or the new holder) records the end
            if asyncio.get_running_loop().time() > deadline:
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await work
                err = error_of(JobTimedOut(f"the job ran past {settings.job_timeout_s:.0f} s"), row.request_id)
                if await asyncio.to_thread(store.finish_job, job_id, "failed", holder, error=err):
                    return Outcome({"event": "failed", "error": err})
                return Outcome(None)
    except asyncio.CancelledError:
        work.cancel()
        with contextlib.suppress(BaseException):
            await work
        raise


async def _forward(pool: Any, job_id: str, events: asyncio.Queue[Event]) -> None:
    while True:
        event = await events.get()
        try:
            await redis_queue.publish(pool, job_id, event)
        except Exception:
            log.warning("job %s: a progress event was not published", job_id)
        finally:
            events.task_done()


HEALTH_INTERVAL_S = 10


def health_key(settings: Settings) -> str:
    """Where a worker on this host records that it is alive (a container's host name is its own)."""
    return f"{settings.queue_name}:health-check:{socket.gethostname()}"


def check(settings: Settings) -> int:
    """0 when a worker on this host recorded its health within the last ``HEALTH_INTERVAL_S`` seconds, else 1."""
    assert settings.redis_url
    return asyncio.run(async_check_health(redis_queue.redis_settings(settings.redis_url), health_key(settings)))


def make_worker(settings: Settings, steps: Steps, *, burst: bool = False, handle_signals: bool = True) -> Worker:
    """An arq worker for ``settings`` (REDIS_URL must be set) that runs each job with ``steps``' reader and runner
    (service.briefing.job_steps)."""
    assert settings.redis_url, "crossbrief worker needs CROSSBRIEF_REDIS_URL / REDIS_URL"
    worker = Worker(
        functions=[func(run_brief, name=redis_queue.FUNCTION)],  # type: ignore[arg-type]
        queue_name=settings.queue_name,
        redis_settings=redis_queue.redis_settings(settings.redis_url),
        max_jobs=settings.worker_jobs,
        job_timeout=settings.job_timeout_s + 60,  # our own limit (job_timeout_s) ends the job first
        keep_result=0,  # results live in the database
        max_tries=1000,  # the database's attempts counter decides (job_max_attempts)
        poll_delay=0.2,
        health_check_interval=HEALTH_INTERVAL_S,
        health_check_key=health_key(settings),
        burst=burst,
        handle_signals=handle_signals,
        on_startup=_startup,
        on_shutdown=_shutdown,
        ctx={"settings": settings, "steps": steps},
    )
    worker.in_progress_timeout_s = settings.worker_lease_s  # a lease, renewed while the job runs
    return worker
