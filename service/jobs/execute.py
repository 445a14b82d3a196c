"""Running one claimed job and recording how it ended: shared by the in-process queue and the Redis workers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from service.errors import CrossbriefError
from service.observability import bind_request_id
from service.pipeline.types import Article
from service.progress import Event, sink
from service.schemas import Brief, BriefRequest
from service.storage import JobRow, Store

if TYPE_CHECKING:
    from service.config import Settings
    from service.llm import LLMProvider

log = logging.getLogger("crossbrief.jobs")

# Writes the brief of validated articles: (articles, request, request_id) -> Brief.
Runner = Callable[[list[Article], BriefRequest, str | None], Awaitable[Brief]]
# Validates and ingests a request's articles (raises InputError).
Reader = Callable[[BriefRequest], Awaitable[list[Article]]]
# A process's reader and runner from its settings, model provider and a wait for the default model to load
# (service.briefing.job_steps; the queues are handed it, so that they depend on no pipeline).
Steps = Callable[["Settings", "LLMProvider", Callable[[], Awaitable[None]] | None], tuple[Reader, Runner]]


class StoredJobError(CrossbriefError):
    """A job's typed error as kept in the store, raised again for a caller that waited on the job."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(str(error.get("message", "the job failed")))
        self.code = str(error.get("code", "internal_error"))
        self.status_code = int(error.get("status", 500))


@dataclass
class Outcome:
    """How a job ended: the final event (None: someone else recorded the end) and the exception to re-raise."""

    event: Event | None
    exception: BaseException | None = None
    brief: Brief | None = None


def error_of(e: BaseException, request_id: str | None) -> dict[str, Any]:
    """The stored form of a job's error: typed errors keep their code and status; anything else is internal."""
    if isinstance(e, CrossbriefError):
        return {"code": e.code, "message": e.message, "request_id": request_id, "status": e.status_code}
    return {"code": "internal_error", "message": "unexpected server error", "request_id": request_id, "status": 500}


async def execute(
    row: JobRow,
    *,
    store: Store,
    reader: Reader,
    runner: Runner,
    publish: Callable[[Event], None],
    articles: list[Article] | None = None,
    worker_id: str | None = None,
    on_articles: Callable[[list[Article]], None] | None = None,
) -> Outcome:
    """Write the brief of a claimed job and record its end (done / failed with a typed error).

    Cancellation propagates (the caller decides whether it was a cancel or a shutdown). With ``worker_id`` the
    end is recorded only while that worker still holds the job."""
    request = BriefRequest.model_validate(row.request)
    try:
        with sink(publish), bind_request_id(row.request_id):
            if articles is None:
                articles = await reader(request)
                if on_articles is not None:
                    on_articles(articles)
            brief = await runner(articles, request, row.request_id)
    except asyncio.CancelledError:
        raise
    except Exception as e:
        err = error_of(e, row.request_id)
        if not isinstance(e, CrossbriefError):
            log.exception("job %s: unexpected error", row.id)
        else:
            log.warning("job %s failed: %s: %s", row.id, e.code, e.message)
        if await asyncio.to_thread(store.finish_job, row.id, "failed", worker_id, error=err):
            return Outcome({"event": "failed", "error": err}, e)
        return Outcome(None, e)
    data = brief.model_dump(mode="json")
    if await asyncio.to_thread(store.finish_job, row.id, "done", worker_id, brief=data):
        done = {"event": "done", "tokens_in": brief.meta.tokens_in, "tokens_out": brief.meta.tokens_out}
        return Outcome(done, brief=brief)
    return Outcome(None, brief=brief)  # cancelled (or taken over) while the last step ran: that end stands
