"""The ``openai`` backend: OpenAI's API with OPENAI_API_KEY."""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.errors import ModelNotReady
from service.llm.backends._registry import Backend, Built, register
from service.llm.backends._remote import remote_chat

if TYPE_CHECKING:
    from service.config import Settings


def build(backend: Backend, settings: Settings, model: str | None) -> Built:
    """A chat model on api.openai.com."""
    if settings.openai_api_key is None:
        raise ModelNotReady(f"backend {backend.name!r} needs OPENAI_API_KEY (or CROSSBRIEF_OPENAI_API_KEY)")
    name = model or backend.default_model
    return Built(remote_chat(settings, model=name, api_key=settings.openai_api_key), name)


BACKEND = register(
    Backend(
        name="openai",
        default_model="gpt-4o-mini",
        build=build,
        description="OpenAI's API (OPENAI_API_KEY).",
        # Example prices (USD per 1M input, output tokens; OpenAI list prices as of 2025, check before relying on them).
        prices={
            "gpt-4o-mini": (0.15, 0.60),
            "gpt-4o": (2.50, 10.00),
            "gpt-4.1-mini": (0.40, 1.60),
            "gpt-4.1": (2.00, 8.00),
        },
    )
)
