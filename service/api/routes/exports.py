"""A finished brief as a document: ``/v1/briefs/{id}.json``, ``.md`` and ``.html``.

Included before the briefs router, so that ``/v1/briefs/{id}.md`` is not read as a job id.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.api.responses import INVALID, NOT_FOUND, UNAUTHORIZED, Responses
from service.errors import Conflict, NotFound
from service.exports import brief_html, brief_json, brief_markdown
from service.jobs.manager import JobManager
from service.schemas import Brief, ErrorResponse
from service.storage import JobRow

router = APIRouter(prefix="/v1", tags=["exports"])

_ERRORS: Responses = {
    **UNAUTHORIZED,
    **NOT_FOUND,
    **INVALID,
    409: {"model": ErrorResponse, "description": "The job has not finished with a brief"},
}
# The HTML export embeds untrusted article text: even if escaping ever failed, nothing in it may run or load.
_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


async def _finished(request: Request, job_id: str) -> tuple[JobRow, Brief]:
    jobs: JobManager = request.app.state.jobs
    row = await jobs.get(job_id)
    if row is None:
        raise NotFound(f"no brief job {job_id!r}")
    if row.status != "done" or not row.brief:
        raise Conflict(f"job {job_id!r} is {row.status}; a brief can be exported once it is done")
    return row, Brief.model_validate(row.brief)


def _disposition(job_id: str, ext: str) -> dict[str, str]:
    safe = "".join(ch for ch in job_id if ch.isalnum() or ch in "-_")
    return {"Content-Disposition": f'inline; filename="brief-{safe}.{ext}"'}


@router.get(
    "/briefs/{job_id}.json",
    summary="The brief as JSON",
    response_model=Brief,
    responses=_ERRORS,
)
async def brief_as_json(job_id: str, request: Request) -> Response:
    """The finished brief (the same document a synchronous request returns)."""
    _, brief = await _finished(request, job_id)
    return Response(brief_json(brief), media_type="application/json", headers=_disposition(job_id, "json"))


@router.get(
    "/briefs/{job_id}.md",
    summary="The brief as Markdown",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}}}, **_ERRORS},
)
async def brief_as_markdown(job_id: str, request: Request) -> Response:
    """The finished brief as Markdown for editors: facts with sources, disagreements side by side."""
    _, brief = await _finished(request, job_id)
    return Response(
        brief_markdown(brief), media_type="text/markdown; charset=utf-8", headers=_disposition(job_id, "md")
    )


@router.get(
    "/briefs/{job_id}.html",
    summary="The brief as a standalone HTML page",
    response_class=Response,  # not HTMLResponse: its errors are JSON, and the spec must say so
    responses={200: {"content": {"text/html": {}}}, **_ERRORS},
)
async def brief_as_html(job_id: str, request: Request) -> HTMLResponse:
    """One self-contained page: the brief, every citation linked to its highlighted span in the full articles."""
    row, brief = await _finished(request, job_id)
    jobs: JobManager = request.app.state.jobs
    articles = await jobs.articles(row)
    headers = {**_disposition(job_id, "html"), "Content-Security-Policy": _HTML_CSP}
    return HTMLResponse(brief_html(brief, articles), headers=headers)
