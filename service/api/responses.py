"""The error answers each route can give, for its OpenAPI ``responses=`` (status code, body model, meaning)."""

from __future__ import annotations

from typing import Any

from service.schemas import ErrorResponse, InvalidRequestResponse

Responses = dict[int | str, dict[str, Any]]


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


UNAUTHORIZED: Responses = {401: _error("An API key is required (auth on) and was missing, invalid or revoked")}
NOT_FOUND: Responses = {404: _error("No such job")}
INVALID: Responses = {
    422: {"model": InvalidRequestResponse, "description": "Invalid input; `detail[].loc` names the field"}
}
# POST and DELETE under /v1 start or cancel work: they are rate limited; a POST carries a body.
WRITE: Responses = {**UNAUTHORIZED, 429: _error("Over the rate limit; retry after `Retry-After` seconds")}
BODY: Responses = {
    413: _error("The body is over the size limit (max_body_bytes, 10 MiB by default)"),
    415: {"model": InvalidRequestResponse, "description": "The body was not sent as JSON (`Content-Type`)"},
    **INVALID,
}
UPSTREAM: Responses = {
    502: _error("The model backend failed or returned unusable output (typed, with request id)"),
    503: _error("The model is not loaded"),
    504: _error("The model backend timed out"),
}
