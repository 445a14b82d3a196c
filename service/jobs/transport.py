"""What a :class:`~service.jobs.manager.JobManager` hands its jobs to. A transport runs them (or has them run) and
tells how far they got; the manager does the rest (validation, the cache, the store, cancel, the API view). Two
exist: this process's own queue (:mod:`service.jobs.local`) and the Redis queue that `crossbrief worker`s take jobs
from (:mod:`service.jobs.queued`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from service.jobs.schemas import FINISHED, Progress
from service.pipeline.types import Article
from service.progress import Event
from service.storage import JobRow


class Transport(Protocol):
    """Where jobs run and how their progress comes back."""

    @property
    def queue_depth(self) -> int:
        """Jobs waiting to start."""
        ...

    async def start(self) -> None:
        """Get ready to take jobs (idempotent)."""

    async def stop(self) -> None:
        """Stop taking jobs; jobs that were running are resumed later (by this transport's next start or a worker)."""

    async def check(self) -> None:
        """Raise when jobs cannot be handed over now (readiness)."""

    async def dispatch(self, row: JobRow, articles: list[Article]) -> None:
        """Run a stored, queued job (``articles``: its request's articles as read)."""

    async def wait(self, job_id: str) -> JobRow:
        """Wait for a job to finish; raise its typed error when it failed or was cancelled."""
        ...

    async def cancelled(self, job_id: str, *, recorded: bool, row: JobRow | None) -> None:
        """The store holds a cancel of an unfinished job (``recorded``: by this request; ``row``: the job now):
        stop the work and tell the job's listeners."""

    def events(self, job_id: str) -> AsyncIterator[Event]:
        """The job's progress events: what happened so far, then live ones, ending with done/failed/cancelled."""
        ...

    async def progress(self, row: JobRow) -> Progress | None:
        """How far an unfinished job got, as far as this transport can tell (None: it cannot)."""
        ...

    def known_progress(self, job_id: str) -> Progress | None:
        """The progress of a job this process runs (None for any other), without waiting."""
        ...

    def articles(self, job_id: str) -> list[Article] | None:
        """The articles of a job this process runs, as read (None: read them again)."""
        ...


def track(progress: Progress, event: Event) -> Event:
    """Count an event into ``progress``; a tokens event comes back with the running totals."""
    if event["event"] == "stage":
        if event["state"] == "started":
            progress.stage = event["stage"]
        elif event["stage"] not in progress.stages_done:
            progress.stages_done.append(event["stage"])
    elif event["event"] == "tokens":
        progress.tokens_in += int(event.get("tokens_in", 0))
        progress.tokens_out += int(event.get("tokens_out", 0))
        event = {**event, "total_in": progress.tokens_in, "total_out": progress.tokens_out}
    return event


def terminal_event(row: JobRow) -> Event:
    """The event that says how a job ended (or, for one still going, its status)."""
    if row.status == "failed":
        return {"event": "failed", "error": row.error}
    if row.status == "done" and row.brief:
        meta = row.brief.get("meta", {})
        return {"event": "done", "tokens_in": meta.get("tokens_in", 0), "tokens_out": meta.get("tokens_out", 0)}
    if row.status in FINISHED:
        return {"event": row.status}
    return {"event": "status", "status": row.status}
