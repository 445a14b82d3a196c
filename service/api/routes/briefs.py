"""POST /v1/briefs: articles in, a verified neutral brief out."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from service.api.deps import ProviderDep, RequestIdDep, SettingsDep
from service.errors import InputError
from service.llm import LLM
from service.pipeline import build_brief
from service.schemas import Brief, BriefRequest

router = APIRouter(prefix="/v1", tags=["briefs"])

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "Invalid input; `detail[].loc` names the field"},
    502: {"description": "The model backend failed or returned unusable output (typed, with request id)"},
    503: {"description": "The model is not loaded"},
    504: {"description": "The model backend timed out"},
}


async def _llm_for(request: Request, body: BriefRequest, provider: ProviderDep, settings: SettingsDep) -> LLM:
    opts = body.options
    if (opts.backend or opts.model) and not settings.allow_overrides:
        field = "backend" if opts.backend else "model"
        raise InputError("this server does not allow backend/model overrides", field=f"options.{field}")
    startup: asyncio.Task[None] | None = getattr(request.app.state, "startup", None)
    if startup is not None and not (opts.backend or opts.model):
        await asyncio.shield(startup)
    return await asyncio.to_thread(provider.get, opts.backend, opts.model)


@router.post("/briefs", response_model=Brief, responses=ERRORS, summary="Write a brief of 2 or more articles")
async def create_brief(
    request: Request,
    body: BriefRequest,
    provider: ProviderDep,
    settings: SettingsDep,
    request_id: RequestIdDep,
) -> Brief:
    """Ingest the articles (text or HTML), align them, let the model write small parts, verify every
    quote and number, and return the brief. Nothing reaches the model when the input is invalid."""
    llm = await _llm_for(request, body, provider, settings)
    return await build_brief(body, llm, settings, request_id=request_id)
