"""Brief requests: sync or async (jobs), job state, progress events, cancel, source articles."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse

from service.api.deps import RequestIdDep
from service.api.responses import BODY, INVALID, NOT_FOUND, UNAUTHORIZED, UPSTREAM, WRITE, Responses
from service.errors import Conflict, NotFound
from service.jobs.manager import JobManager
from service.jobs.schemas import FINISHED, Job, JobList, SourceArticle
from service.schemas import Brief, BriefRequest, ErrorResponse
from service.storage import JobRow

router = APIRouter(prefix="/v1", tags=["briefs"])

ERRORS: Responses = {**WRITE, **BODY, **UPSTREAM}
JOB_ERRORS: Responses = {**UNAUTHORIZED, **NOT_FOUND, **INVALID}
CONFLICT: Responses = {409: {"model": ErrorResponse, "description": "The job had already finished"}}


def _jobs(request: Request) -> JobManager:
    jobs: JobManager = request.app.state.jobs
    return jobs


async def _row(request: Request, job_id: str) -> JobRow:
    row = await _jobs(request).get(job_id)
    if row is None:
        raise NotFound(f"no brief job with id {job_id!r}")
    return row


def _wants_async(prefer: str | None, async_: bool) -> bool:
    return async_ or any(p.strip().lower() == "respond-async" for p in (prefer or "").split(","))


@router.post(
    "/briefs",
    response_model=Brief,
    responses={**ERRORS, 202: {"model": Job, "description": "Accepted (async): the job, with its Location"}},
    summary="Write a brief of 2 or more articles (sync, or async with `Prefer: respond-async`)",
)
async def create_brief(
    request: Request,
    body: BriefRequest,
    request_id: RequestIdDep,
    prefer: Annotated[str | None, Header(description="`respond-async` answers 202 with a job")] = None,
    cache_control: Annotated[str | None, Header(description="`no-cache` writes a new brief")] = None,
    async_: Annotated[bool, Query(alias="async", description="Same as `Prefer: respond-async`")] = False,
) -> Any:
    """Ingest the articles (text or HTML), align them, let the model write small parts, verify every quote
    and number. Identical input (articles, options, backend, model, prompts) returns the stored brief without
    a model call unless `Cache-Control: no-cache`. Invalid input is refused (422) before anything is stored."""
    jobs = _jobs(request)
    use_cache = "no-cache" not in (cache_control or "").lower()
    is_async = _wants_async(prefer, async_)
    key_id = getattr(request.state, "key_id", None)
    row = await jobs.submit(
        body, mode="async" if is_async else "sync", request_id=request_id, key_id=key_id, use_cache=use_cache
    )
    location = f"/v1/briefs/{row.id}"
    if is_async:
        view = await jobs.show(row)
        headers = {"Location": location, "Preference-Applied": "respond-async"}
        return JSONResponse(view.model_dump(mode="json"), status_code=202, headers=headers)
    if not row.cache_hit:
        row = await jobs.wait(row.id)
    headers = {"Location": location, "X-Brief-Id": row.id, "X-Cache": "hit" if row.cache_hit else "miss"}
    return JSONResponse(row.brief, headers=headers)  # stored from Brief.model_dump: already valid


@router.get(
    "/briefs",
    response_model=JobList,
    responses={**UNAUTHORIZED, **INVALID},
    summary="Recent brief jobs, newest first (without briefs)",
)
async def list_briefs(request: Request, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> JobList:
    jobs = _jobs(request)
    rows = await asyncio.to_thread(jobs.store.list_jobs, limit)
    return JobList(jobs=[jobs.view(r, with_brief=False) for r in rows])


@router.get("/briefs/{job_id}", response_model=Job, responses=JOB_ERRORS, summary="A brief job: state and brief")
async def get_brief(request: Request, job_id: str) -> Job:
    return await _jobs(request).show(await _row(request, job_id))


@router.delete(
    "/briefs/{job_id}",
    response_model=Job,
    responses={**JOB_ERRORS, **WRITE, **CONFLICT},
    summary="Cancel a queued or running brief job",
)
async def cancel_brief(request: Request, job_id: str) -> Job:
    row = await _row(request, job_id)
    if row.status in FINISHED:
        raise Conflict(f"job {job_id} already finished ({row.status}); nothing to cancel")
    cancelled = await _jobs(request).cancel(job_id)
    assert cancelled is not None
    return await _jobs(request).show(cancelled)


@router.get(
    "/briefs/{job_id}/events",
    responses={**JOB_ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}},
    summary="Progress of a brief job as Server-Sent Events",
    response_class=Response,
)
async def brief_events(request: Request, job_id: str) -> EventSourceResponse:
    """Events: `status`, `stage` (started/finished), `tokens` (after each model call), then one of `done`,
    `failed`, `cancelled`, after which the stream ends. A finished job sends its final event at once."""
    await _row(request, job_id)
    jobs = _jobs(request)

    async def stream() -> AsyncIterator[dict[str, str]]:
        async for event in jobs.events(job_id):
            data = {k: v for k, v in event.items() if k != "event"}
            yield {"event": str(event["event"]), "data": json.dumps(data)}

    return EventSourceResponse(stream(), ping=15)


@router.get(
    "/briefs/{job_id}/articles",
    response_model=list[SourceArticle],
    responses=JOB_ERRORS,
    summary="The job's articles as read: citation offsets index into their text",
)
async def brief_articles(request: Request, job_id: str) -> list[SourceArticle]:
    row = await _row(request, job_id)
    articles = await _jobs(request).articles(row)
    return [SourceArticle(id=a.id, outlet=a.outlet, title=a.title, url=a.url, text=a.text) for a in articles]
