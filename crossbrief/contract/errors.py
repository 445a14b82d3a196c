"""Every error code the API answers with and its HTTP status, in one table: the service raises its errors
from it and the client maps answers back to its error classes through it. Also the error bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "ERROR_CODES",
    "ErrorCode",
    "ErrorInfo",
    "ErrorResponse",
    "FieldError",
    "GENERIC_CODES",
    "InvalidRequestResponse",
    "http_status",
]


@dataclass(frozen=True)
class ErrorCode:
    """One stable error code: the HTTP status it is answered with and what it means."""

    code: str
    status: int
    meaning: str


# The first code listed for a status is that status's generic code (what an answer with no more specific code
# stands for, e.g. a plain 502 is ``upstream_error``).
ERROR_CODES: dict[str, ErrorCode] = {
    e.code: e
    for e in (
        ErrorCode("unauthorized", 401, "No API key, or one the server does not accept."),
        ErrorCode("forbidden", 403, "The API key may not do this."),
        ErrorCode("not_found", 404, "No such job or brief."),
        ErrorCode("conflict", 409, "The job is not in a state that allows this (cancel a finished job, "
                  "export an unfinished one)."),
        ErrorCode("cancelled", 409, "The job was cancelled before it finished."),
        ErrorCode("payload_too_large", 413, "The request body is larger than the server accepts."),
        ErrorCode("invalid_input", 422, "The request or a file was unusable; ``detail[].loc`` names the field."),
        ErrorCode("rate_limited", 429, "Too many requests; ``Retry-After`` says when to try again."),
        ErrorCode("internal_error", 500, "An unexpected server error."),
        ErrorCode("prompt_error", 500, "A prompt file of the server is malformed."),
        ErrorCode("prompt_missing_variables", 500, "A prompt template was rendered without some of its variables."),
        ErrorCode("upstream_error", 502, "The model backend failed."),
        ErrorCode("output_truncated", 502, "The model stopped at its token limit before its output was complete."),
        ErrorCode("model_refused", 502, "The model refused to answer."),
        ErrorCode("schema_validation_failed", 502, "The model's output did not fit the schema, even after a re-ask."),
        ErrorCode("model_not_ready", 503, "The model is not loaded yet (or failed to load)."),
        ErrorCode("model_file_error", 503, "The model file cannot be built, found or verified."),
        ErrorCode("interrupted", 503, "The job was started too often (its process or worker stopped each time)."),
        ErrorCode("database_in_use", 503, "Another live process runs the in-process job queue on this database."),
        ErrorCode("upstream_timeout", 504, "The model call ran past its time limit."),
        ErrorCode("job_timeout", 504, "A queued job ran past the server's job time limit."),
    )
}

# Status -> its generic code (see above).
GENERIC_CODES: dict[int, str] = {}
for _e in ERROR_CODES.values():
    GENERIC_CODES.setdefault(_e.status, _e.code)


def http_status(code: str) -> int:
    """The HTTP status an error code is answered with (500 for a code the table does not know)."""
    entry = ERROR_CODES.get(code)
    return entry.status if entry else 500


# ---------------------------------------------------------------- bodies

class ErrorInfo(BaseModel):
    """What went wrong, typed: ``code`` is stable (``not_found``, ``payload_too_large``, ``rate_limited``,
    ``unauthorized``, ``upstream_timeout`` …), ``message`` is for people."""

    code: str
    message: str
    request_id: str | None = Field(None, description="The request's X-Request-ID (quote it when reporting).")
    backend: str | None = Field(None, description="Upstream errors: the model backend that failed.")
    upstream_status: int | None = Field(None, description="Upstream errors: the backend's HTTP status.")
    upstream_request_id: str | None = Field(None, description="Upstream errors: the backend's request id.")


class ErrorResponse(BaseModel):
    """Body of every error answer except invalid input."""

    error: ErrorInfo


class FieldError(BaseModel):
    """One invalid part of a request."""

    loc: list[str | int] = Field(..., description="Where: e.g. ['body', 'articles', 0, 'text'] or ['query', 'limit'].")
    msg: str = Field(..., description="What is wrong, for people.")
    type: str = Field(..., description="A stable error type, e.g. 'missing', 'string_too_long', 'json_invalid'.")
    input: Any = Field(None, description="The value given, when short and scalar.")
    ctx: dict[str, Any] | None = Field(None, description="Details of the rule, e.g. {'max_length': 200}.")


class InvalidRequestResponse(BaseModel):
    """Body of a 422 (invalid input) or 415 (body not sent as JSON): every bad field, at most 20."""

    detail: list[FieldError]
    request_id: str | None = None
