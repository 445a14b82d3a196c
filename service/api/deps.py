"""Dependencies shared by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.config import Settings
from service.llm import LLMProvider


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_provider(request: Request) -> LLMProvider:
    """The process's LLM provider (models loaded once, shared by every request)."""
    provider: LLMProvider = request.app.state.provider
    return provider


def get_request_id(request: Request) -> str:
    """This request's id (from X-Request-ID when the client sent a usable one)."""
    return str(request.state.request_id)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ProviderDep = Annotated[LLMProvider, Depends(get_provider)]
RequestIdDep = Annotated[str, Depends(get_request_id)]
