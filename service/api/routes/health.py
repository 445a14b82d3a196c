"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.api.deps import ProviderDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    """Always 200 while the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz", summary="The default model is loaded", responses={503: {"description": "Not ready"}})
async def readyz(request: Request, provider: ProviderDep, settings: SettingsDep) -> JSONResponse:
    """200 once the default backend and model answer; 503 (with the reason) before that or after a failure.
    With a Redis queue the workers hold the model: ready means the queue answers."""
    if settings.redis_url:
        try:
            await request.app.state.jobs.transport.check()
        except Exception as e:
            return JSONResponse({"status": "failed", "queue": "redis", "error": type(e).__name__}, status_code=503)
        return JSONResponse({"status": "ready", "queue": "redis", "queued": request.app.state.jobs.queue_depth})
    body = {"backend": settings.backend, "model": settings.model or "default", "ready": provider.ready}
    if provider.ready:
        return JSONResponse({"status": "ready", **body})
    return JSONResponse(
        {"status": "loading" if not provider.error else "failed", "error": provider.error, **body},
        status_code=503,
    )
