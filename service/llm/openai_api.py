"""The ``openai`` backend: OpenAI's API with OPENAI_API_KEY."""

from __future__ import annotations

from langchain_openai import ChatOpenAI

from service.config import Settings
from service.errors import ModelNotReady
from service.llm.retry import capped_http_clients

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


def openai_chat(settings: Settings, model: str | None) -> tuple[ChatOpenAI, str]:
    """A chat model on api.openai.com; SDK retries only retryable statuses and honours Retry-After."""
    if settings.openai_api_key is None:
        raise ModelNotReady("backend 'openai' needs OPENAI_API_KEY (or CROSSBRIEF_OPENAI_API_KEY)")
    name = model or DEFAULT_OPENAI_MODEL
    sync_client, async_client = capped_http_clients(settings.max_retry_after_s)
    chat = ChatOpenAI(
        model=name,
        api_key=settings.openai_api_key,
        temperature=0,
        timeout=settings.request_timeout_s,
        max_retries=settings.max_retries,  # the SDK's retries: see service/llm/retry.py
        http_client=sync_client,
        http_async_client=async_client,
    )
    return chat, name
