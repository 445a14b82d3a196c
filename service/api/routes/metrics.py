"""GET /metrics: Prometheus text exposition of this app's metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api.responses import UNAUTHORIZED
from service.observability import Metrics

router = APIRouter(tags=["health"])


@router.get("/metrics", summary="Prometheus metrics", response_class=Response, responses=UNAUTHORIZED)
async def metrics(request: Request) -> Response:
    """Requests, latency by route, pipeline stage seconds, tokens, cache hits, queue depth, errors, jobs."""
    registry: Metrics = request.app.state.metrics
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
