"""Errors the client raises: one class per HTTP status the API uses, the job outcomes, and transport failures.

Every API error carries the HTTP ``status``, the server's error ``code``, its ``message`` and the
``request_id`` (from ``X-Request-ID`` or the error body) to quote when reporting a problem.
"""

from __future__ import annotations

import builtins
import datetime as dt
import email.utils
from typing import Any

import httpx

from crossbrief.contract.errors import GENERIC_CODES, http_status
from crossbrief.contract.jobs import Job, JobError


class CrossbriefClientError(Exception):
    """Root of every error the crossbrief client raises."""


class APIConnectionError(CrossbriefClientError, builtins.ConnectionError):
    """The server could not be reached or the connection broke (no HTTP response to map)."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APITimeoutError(APIConnectionError, builtins.TimeoutError):
    """The HTTP request ran past the client's timeout."""


class WaitTimeout(CrossbriefClientError, builtins.TimeoutError):
    """A job did not finish within the time ``wait`` / ``brief`` was given; it may still finish later."""

    def __init__(self, job_id: str, timeout: float, status: str | None = None) -> None:
        super().__init__(f"job {job_id} not finished after {timeout:g} s (status {status or 'unknown'})")
        self.job_id = job_id
        self.timeout = timeout
        self.status = status


class CrossbriefAPIError(CrossbriefClientError):
    """The API answered with an error (or a job ended in one)."""

    default_code = "api_error"

    def __init__(
        self,
        status: int | None,
        code: str | None,
        message: str,
        request_id: str | None = None,
        *,
        body: Any = None,
        response: httpx.Response | None = None,
    ) -> None:
        self.status = status
        self.code = code or self.default_code
        self.message = message
        self.request_id = request_id
        self.body = body
        self.response = response
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" (request id {self.request_id})" if self.request_id else ""
        status = f"{self.status} " if self.status is not None else ""
        return f"{status}{self.code}: {self.message}{where}"


class InvalidRequest(CrossbriefAPIError):
    """422: the request was invalid; ``detail`` lists every problem, its ``loc`` naming the field
    (e.g. ``["body", "articles", 0, "published"]``)."""

    default_code = "invalid_input"

    def __init__(self, *args: Any, detail: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
        self.detail = detail or []
        super().__init__(*args, **kwargs)

    @property
    def locs(self) -> list[list[str | int]]:
        """The location of every problem, e.g. ``[["body", "articles", 0, "published"]]``."""
        return [list(d.get("loc", [])) for d in self.detail]


class AuthenticationError(CrossbriefAPIError):
    """401: no API key, or one the server does not accept."""

    default_code = "unauthorized"


class PermissionDenied(CrossbriefAPIError):
    """403: the API key may not do this."""

    default_code = "forbidden"


class NotFound(CrossbriefAPIError):
    """404: no such job or brief."""

    default_code = "not_found"


class ConflictError(CrossbriefAPIError):
    """409: the job is not in a state that allows this (cancel a finished job, export an unfinished one)."""

    default_code = "conflict"


class JobCancelled(ConflictError):
    """The job was cancelled before it finished."""

    default_code = "cancelled"

    def __init__(self, *args: Any, job_id: str | None = None, job: Job | None = None, **kwargs: Any) -> None:
        self.job_id = job_id
        self.job = job
        super().__init__(*args, **kwargs)


class PayloadTooLarge(CrossbriefAPIError):
    """413: the request body is larger than the server accepts."""

    default_code = "payload_too_large"


class RateLimited(CrossbriefAPIError):
    """429: too many requests; ``retry_after`` is the number of seconds the server asked to wait (or None)."""

    default_code = "rate_limited"

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class InternalServerError(CrossbriefAPIError):
    """500: an unexpected server error."""

    default_code = "internal_error"


class UpstreamError(CrossbriefAPIError):
    """502: the model backend failed or returned unusable output."""

    default_code = "upstream_error"


class ModelNotReady(CrossbriefAPIError):
    """503: the model is not loaded yet (or failed to load)."""

    default_code = "model_not_ready"


class UpstreamTimeout(CrossbriefAPIError):
    """504: the model backend timed out."""

    default_code = "upstream_timeout"


class JobFailed(CrossbriefAPIError):
    """The job ended ``failed``. ``error`` is the job's typed error; ``status`` the HTTP status a synchronous
    request would have had (502 for unusable model output, 504 for a timeout ...)."""

    default_code = "job_failed"

    def __init__(self, job: Job) -> None:
        error = job.error or JobError(code=self.default_code, message="the job failed")
        self.job_id = job.id
        self.job = job
        self.error = error
        super().__init__(error.status, error.code, error.message, error.request_id or job.request_id)

    def __str__(self) -> str:
        return f"job {self.job_id} failed: {super().__str__()}"


# The client class of each error code that has one; every other code maps by its HTTP status (through the
# contract's table, which names each status's generic code).
CODE_ERRORS: dict[str, type[CrossbriefAPIError]] = {
    cls.default_code: cls
    for cls in (
        AuthenticationError,
        PermissionDenied,
        NotFound,
        ConflictError,
        JobCancelled,
        PayloadTooLarge,
        InvalidRequest,
        RateLimited,
        InternalServerError,
        UpstreamError,
        ModelNotReady,
        UpstreamTimeout,
    )
}
STATUS_ERRORS: dict[int, type[CrossbriefAPIError]] = {
    status: CODE_ERRORS[code] for status, code in GENERIC_CODES.items() if code in CODE_ERRORS
}


def error_class(status: int, code: str | None) -> type[CrossbriefAPIError]:
    """The class of an error answer: its code's own class when the code belongs to that status (409
    ``cancelled`` is ``JobCancelled``), else its status's class, else ``CrossbriefAPIError``."""
    if code in CODE_ERRORS and http_status(code) == status:
        return CODE_ERRORS[code]
    return STATUS_ERRORS.get(status, CrossbriefAPIError)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def error_from_response(response: httpx.Response) -> CrossbriefAPIError:
    """The typed error for an error response (the body must have been read)."""
    status = response.status_code
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text or None
    request_id = response.headers.get("x-request-id")
    code: str | None = None
    message = response.reason_phrase or f"HTTP {status}"
    detail: list[dict[str, Any]] | None = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            code = error.get("code")
            message = str(error.get("message") or message)
            request_id = request_id or error.get("request_id")
        elif isinstance(body.get("detail"), list):
            detail = [d for d in body["detail"] if isinstance(d, dict)]
            message = "; ".join(f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg', '')}" for d in detail)
        elif isinstance(body.get("detail"), str):
            message = body["detail"]
        request_id = request_id or body.get("request_id")
    cls = error_class(status, code)
    kwargs: dict[str, Any] = {"body": body, "response": response}
    if cls is InvalidRequest:
        kwargs["detail"] = detail
    elif cls is RateLimited:
        kwargs["retry_after"] = retry_after(response)
    return cls(status, code, message, request_id, **kwargs)


def job_error(job: Job) -> JobFailed | JobCancelled | None:
    """The error a finished-but-unsuccessful job stands for (None for a done or unfinished job)."""
    if job.status == "failed":
        return JobFailed(job)
    if job.status == "cancelled":
        return JobCancelled(409, "cancelled", f"job {job.id} was cancelled", job.request_id, job_id=job.id, job=job)
    return None
