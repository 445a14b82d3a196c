"""The ``openai-compatible`` backend: any server speaking OpenAI chat completions (vLLM, Ollama, llama.cpp
server, LiteLLM) at CROSSBRIEF_BASE_URL. Presets for one such server (ollama.py) reuse its ``build``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from service.errors import ModelNotReady
from service.llm.backends._registry import Backend, Built, register
from service.llm.backends._remote import remote_chat

if TYPE_CHECKING:
    from service.config import Settings


def build(backend: Backend, settings: Settings, model: str | None) -> Built:
    """A chat model at the backend's server (``settings.base_url``, else the backend's own default)."""
    base_url = backend.server_url(settings)
    if not base_url:
        raise ModelNotReady(f"backend {backend.name!r} needs CROSSBRIEF_BASE_URL (e.g. http://host:8000/v1)")
    name = model or backend.default_model
    api_key = settings.api_key or SecretStr("none")
    return Built(remote_chat(settings, model=name, api_key=api_key, base_url=base_url), name)


BACKEND = register(
    Backend(
        name="openai-compatible",
        default_model="default",
        build=build,
        description="Any OpenAI-compatible chat server at CROSSBRIEF_BASE_URL (…/v1), key CROSSBRIEF_API_KEY.",
        uses_base_url=True,
    )
)
