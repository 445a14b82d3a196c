"""The FastAPI application: create_app() wires settings, the LLM provider, routes and error mapping."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from service import __version__
from service.api.routes import briefs, health
from service.config import Settings, get_settings
from service.errors import CrossbriefError, InputError, UpstreamError
from service.llm import LLMProvider

log = logging.getLogger("crossbrief")
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def create_app(settings: Settings | None = None, provider: LLMProvider | None = None) -> FastAPI:
    """The app. The default model starts loading at start-up, off the event loop, once per process."""
    settings = settings or get_settings()
    provider = provider or LLMProvider(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.startup = asyncio.create_task(asyncio.to_thread(_start, provider))
        try:
            yield
        finally:
            app.state.startup.cancel()
            await asyncio.to_thread(provider.close)

    app = FastAPI(
        title="crossbrief",
        version=__version__,
        description="Neutral multi-source news briefs: every fact cited, every disagreement shown.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.provider = provider
    app.state.startup = None
    app.include_router(health.router)
    app.include_router(briefs.router)

    @app.middleware("http")
    async def request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        given = request.headers.get("x-request-id", "")
        request.state.request_id = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        return response

    app.add_exception_handler(CrossbriefError, _crossbrief_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)
    return app


def _start(provider: LLMProvider) -> None:
    try:
        provider.start()
    except Exception:
        log.exception("default model failed to load")


async def _crossbrief_error(request: Request, exc: CrossbriefError) -> JSONResponse:
    rid = getattr(request.state, "request_id", None)
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
    body = {"code": "internal_error", "message": "unexpected server error", "request_id": rid}
    return JSONResponse({"error": body}, status_code=500, headers={"X-Request-ID": str(rid)})
