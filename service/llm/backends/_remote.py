"""The chat model of a backend on a remote OpenAI-style server (openai, openai-compatible and its presets)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    from service.config import Settings


def remote_chat(settings: Settings, *, model: str, api_key: SecretStr, base_url: str | None = None) -> ChatOpenAI:
    """A chat model at ``base_url`` (OpenAI's API when None) with JSON-schema structured output; the SDK retries
    only retryable statuses and honours Retry-After up to ``settings.max_retry_after_s`` (service.llm.retry)."""
    from langchain_openai import ChatOpenAI

    from service.llm.retry import capped_http_clients

    sync_client, async_client = capped_http_clients(settings.max_retry_after_s)
    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=api_key,
        temperature=0,
        timeout=settings.request_timeout_s,
        max_retries=settings.max_retries,  # the SDK's retries: see service/llm/retry.py
        http_client=sync_client,
        http_async_client=async_client,
    )
