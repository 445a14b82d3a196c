"""The ``openai`` backend: OpenAI's API with OPENAI_API_KEY."""

from __future__ import annotations

from langchain_openai import ChatOpenAI

from service.config import Settings
from service.errors import ModelNotReady

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


def openai_chat(settings: Settings, model: str | None) -> tuple[ChatOpenAI, str]:
    """A chat model on api.openai.com; SDK retries only retryable statuses and honours Retry-After."""
    if settings.openai_api_key is None:
        raise ModelNotReady("backend 'openai' needs OPENAI_API_KEY (or CROSSBRIEF_OPENAI_API_KEY)")
    name = model or DEFAULT_OPENAI_MODEL
    chat = ChatOpenAI(
        model=name,
        api_key=settings.openai_api_key,
        temperature=0,
        timeout=settings.request_timeout_s,
        max_retries=settings.max_retries,
    )
    return chat, name
