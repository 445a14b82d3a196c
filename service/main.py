"""The FastAPI application: create_app() wires settings, the LLM provider, routes and error mapping."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import __version__
from service.api import middleware, validation
from service.api.routes import briefs, exports, health, metrics, web
from service.briefing import job_steps
from service.config import Settings, get_settings
from service.errors import CrossbriefError, InputError, UpstreamError
from service.jobs.manager import JobManager
from service.jobs.queued import RedisTransport
from service.llm import LLMProvider
from service.observability import record_error
from service.storage import Store

log = logging.getLogger("crossbrief")
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def create_app(settings: Settings | None = None, provider: LLMProvider | None = None) -> FastAPI:
    """The app. The default model starts loading at start-up, off the event loop, once per process."""
    settings = settings or get_settings()
    provider = provider or LLMProvider(settings)
    store = Store(settings.database_url)
    store.upgrade()

    async def model_ready() -> None:
        startup: asyncio.Task[None] | None = app.state.startup
        if startup is not None:
            await asyncio.shield(startup)

    reader, runner = job_steps(settings, provider, model_ready)
    transport = RedisTransport(store, settings) if settings.redis_url else None  # None: this process's own queue
    jobs = JobManager(store, settings, reader, runner, transport)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.redis_url:  # with a Redis queue the workers load the model, not the API
            app.state.startup = asyncio.create_task(asyncio.to_thread(_start, provider))
        await jobs.start()
        try:
            yield
        finally:
            await jobs.stop()
            if app.state.startup is not None:
                app.state.startup.cancel()
            await asyncio.to_thread(provider.close)
            store.close()

    app = FastAPI(
        title="crossbrief",
        version=__version__,
        description="Neutral multi-source news briefs: every fact cited, every disagreement shown.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.provider = provider
    app.state.store = store
    app.state.jobs = jobs
    app.state.startup = None
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(web.router)
    app.include_router(exports.router)
    app.include_router(briefs.router)

    middleware.install(app, settings)  # keys, rate and size limits, CORS, access log, metrics

    app.add_middleware(RequestIdMiddleware)  # outermost: every response, refusals included, carries the id

    app.add_exception_handler(CrossbriefError, _crossbrief_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation.request_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, validation.http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)
    return app


class RequestIdMiddleware:
    """Pure ASGI: take the client's usable X-Request-ID or make one, keep it in ``request.state``, and
    send it back on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        rid = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", rid.encode())]}
            await send(message)

        await self.app(scope, receive, send_with_id)


def _start(provider: LLMProvider) -> None:
    try:
        provider.start()
    except Exception:
        log.exception("default model failed to load")


async def _crossbrief_error(request: Request, exc: CrossbriefError) -> JSONResponse:
    rid = getattr(request.state, "request_id", None)
    record_error(exc.code)
    if isinstance(exc, InputError):
        field = str(exc.details.get("field", "body"))
        loc = ["body", *[int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", field) if p]]
        detail = [{"loc": loc, "msg": exc.message, "type": "value_error"}]
        return JSONResponse({"detail": detail, "request_id": rid}, status_code=422)
    body: dict[str, object] = {"code": exc.code, "message": exc.message, "request_id": rid}
    if isinstance(exc, UpstreamError):
        body |= {
            "backend": exc.backend,
            "upstream_status": exc.upstream_status,
            "upstream_request_id": exc.upstream_request_id,
        }
    log.warning("request %s failed: %s: %s", rid, exc.code, exc.message)
    return JSONResponse({"error": body}, status_code=exc.status_code, headers={"X-Request-ID": str(rid)})


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    rid = getattr(request.state, "request_id", None)
    log.exception("request %s: unexpected error", rid)
    record_error("internal_error")
    body = {"code": "internal_error", "message": "unexpected server error", "request_id": rid}
    return JSONResponse({"error": body}, status_code=500, headers={"X-Request-ID": str(rid)})
