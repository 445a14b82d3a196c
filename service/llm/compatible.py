"""The ``openai-compatible`` backend: any server speaking OpenAI chat completions (vLLM, Ollama,
llama.cpp server, LiteLLM) at a base URL."""

from __future__ import annotations

from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from service.config import Settings
from service.errors import ModelNotReady
from service.llm.retry import capped_http_clients


def compatible_chat(settings: Settings, model: str | None) -> tuple[ChatOpenAI, str]:
    """A chat model at ``settings.base_url`` with JSON-schema structured output."""
    if not settings.base_url:
        raise ModelNotReady(
            "backend 'openai-compatible' needs CROSSBRIEF_BASE_URL (e.g. http://host:8000/v1)"
        )
    name = model or "default"
    sync_client, async_client = capped_http_clients(settings.max_retry_after_s)
    chat = ChatOpenAI(
        model=name,
        base_url=settings.base_url,
        api_key=settings.api_key or SecretStr("none"),
        temperature=0,
        timeout=settings.request_timeout_s,
        max_retries=settings.max_retries,  # the SDK's retries: see service/llm/retry.py
        http_client=sync_client,
        http_async_client=async_client,
    )
    return chat, name
