"""Error answers: the ones each route can give, for its OpenAPI ``responses=`` (status code, body model,
meaning), and ``send_error``, the answer of the pure ASGI middleware that refuses a request before any route."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Scope, Send

from crossbrief.contract.errors import http_status
from service.observability import record_error
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


async def send_error(scope: Scope, send: Send, code: str, message: str, headers: dict[str, str] | None = None) -> None:
    """Answer with crossbrief's error body ``{"error": {code, message, request_id}}`` and the code's HTTP status
    (the contract's table), and count it."""
    status = http_status(code)
    rid = scope.get("state", {}).get("request_id")
    body = json.dumps({"error": {"code": code, "message": message, "request_id": rid}}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    record_error(code)
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
