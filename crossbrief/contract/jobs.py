"""The job resource: a brief request's state, progress and result; the progress events of its stream."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from crossbrief.contract.brief import Brief

__all__ = [
    "EventKind",
    "FINISHED",
    "Job",
    "JobError",
    "JobLinks",
    "JobList",
    "Progress",
    "SourceArticle",
    "Status",
    "TERMINAL_EVENTS",
    "links",
]

Status = Literal["queued", "running", "done", "failed", "cancelled"]
FINISHED: tuple[str, ...] = ("done", "failed", "cancelled")
# The events of ``GET /v1/briefs/{id}/events``: ``status`` (queued/running), ``stage`` (started/finished), ``tokens``
# (after each model call), then exactly one terminal event, named after the job's final status.
EventKind = Literal["status", "stage", "tokens", "done", "failed", "cancelled"]
TERMINAL_EVENTS: frozenset[str] = frozenset(FINISHED)


class JobError(BaseModel):
    """Why a job failed: the same typed error a synchronous request gets."""

    code: str
    message: str
    request_id: str | None = None
    status: int | None = None  # the HTTP status a synchronous request would have had


class Progress(BaseModel):
    """How far a job got: the stage it is in, the stages it finished and the tokens spent so far."""

    stage: str | None = None
    stages_done: list[str] = []
    tokens_in: int = 0
    tokens_out: int = 0


class JobLinks(BaseModel):
    self: str
    events: str
    articles: str
    markdown: str
    html: str


class Job(BaseModel):
    """A brief job. ``brief`` is set when ``status`` is ``done``, ``error`` when it is ``failed``."""

    model_config = ConfigDict(extra="forbid")

    id: str
    status: Status
    mode: Literal["sync", "async"]
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    request_id: str | None = None
    cache_hit: bool = False
    attempts: int = 0
    progress: Progress
    error: JobError | None = None
    brief: Brief | None = None
    links: JobLinks


class JobList(BaseModel):
    """Recent jobs, newest first, without their briefs."""

    jobs: list[Job]


class SourceArticle(BaseModel):
    """An article as crossbrief read it: citation offsets index into ``text``."""

    id: str
    outlet: str
    title: str | None = None
    url: str | None = None
    text: str


def links(job_id: str) -> JobLinks:
    """The URLs of a job's resources."""
    base = f"/v1/briefs/{job_id}"
    return JobLinks(
        self=base, events=f"{base}/events", articles=f"{base}/articles", markdown=f"{base}.md", html=f"{base}.html"
    )
