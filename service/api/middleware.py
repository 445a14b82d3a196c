"""Pure ASGI middleware: request size limit, access log + request metrics, and ``install`` that puts them,
CORS and API-key access (service.api.security) in front of the app's routes. Their refusals are answered by
``service.api.responses.send_error``.

Order, outermost first: the request-id middleware of main.py, observe (access log, metrics), CORS,
access (keys, rate limits), body limit, routes. So every refusal still carries ``X-Request-ID``, is
logged and counted, and CORS preflights are answered before a key is asked for."""

from __future__ import annotations

import logging
import re
import time
import weakref
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.responses import send_error
from service.api.security import AccessMiddleware
from service.config import Settings
from service.observability import Metrics, request_id_var

access_log = logging.getLogger("crossbrief.access")


class BodyTooLarge(HTTPException):
    """Raised into the app by ``receive`` once the streamed body passes the limit (FastAPI re-raises it)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="request body too large")


class BodyLimitMiddleware:
    """413 for a body over ``max_bytes``: at once when Content-Length says so, else as soon as the chunks
    received so far pass it (the app's own answer is then dropped for ours)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        return f"request body is larger than the limit of {self.max_bytes} bytes (max_body_bytes)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = Headers(scope=scope).get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await send_error(scope, send, "payload_too_large", self._message())

        received = 0
        over = started = answered = False

        async def limited_receive() -> Message:
            nonlocal received, over
            if over:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    over = True
                    raise BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started, answered
            if over and not started:
                if not answered:
                    answered = True
                    await send_error(scope, send, "payload_too_large", self._message())
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not over or started:
                raise
        if over and not started and not answered:
            await send_error(scope, send, "payload_too_large", self._message())


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/v1/briefs/{job_id}``), never the raw path; ``unmatched``."""
    path = getattr(scope.get("route"), "path", None)
    if path:
        return str(path)
    templates = _templates(scope.get("app"))  # a request refused before routing (401, 413, 429)
    return next((template for pattern, template in templates if pattern.match(scope["path"])), "unmatched")


def _templates(app: Any) -> list[tuple[re.Pattern[str], str]]:
    """The app's documented path templates as patterns (from its OpenAPI schema, built once per app)."""
    state = getattr(app, "state", None)
    if state is None:
        return []
    cached: list[tuple[re.Pattern[str], str]] | None = getattr(state, "route_templates", None)
    if cached is None:
        try:
            paths = app.openapi().get("paths", {})
        except Exception:  # no schema, no templates: such requests count as unmatched
            paths = {}
        cached = [(compile_path(p)[0], p) for p in paths]
        state.route_templates = cached
    return cached


class ObserveMiddleware:
    """Binds the request id to the context for log lines, counts and times each request by route, and
    writes one access log line: method, path, status, ms, request id, key id (never a key or a body)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        state: dict[str, Any] = scope.setdefault("state", {})
        token = request_id_var.set(state.get("request_id"))
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.request_seconds.labels(route).observe(seconds)
            fields = {
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round(seconds * 1000, 1),
                "request_id": state.get("request_id"),
                "key_id": state.get("key_id"),
            }
            access_log.info(
                "%s %s %s %.1fms key=%s", scope["method"], scope["path"], status, fields["ms"],
                fields["key_id"] or "-", extra=fields,
            )
            request_id_var.reset(token)


def install(app: FastAPI, settings: Settings) -> Metrics:
    """Add the metrics registry (``app.state.metrics``) and the middleware above to ``app``. Call it in
    create_app before the request-id middleware is added, so that one stays outermost."""
    ref = weakref.ref(app)

    def queue_depth() -> float:
        jobs = getattr(getattr(ref(), "state", None), "jobs", None)
        return float(getattr(jobs, "queue_depth", 0) or 0)

    metrics = Metrics(queue_depth)
    app.state.metrics = metrics
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessMiddleware, settings=settings)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "Prefer", "Cache-Control", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Location", "X-Brief-Id", "X-Cache", "Retry-After", "Preference-Applied"],
            max_age=600,
        )
    app.add_middleware(ObserveMiddleware, metrics=metrics)
    return metrics
