"""The ``ollama`` backend: a preset of openai-compatible for Ollama's OpenAI-compatible API on this machine
(``ollama serve``; structured output through ``response_format`` JSON schemas). CROSSBRIEF_BASE_URL points it at
another Ollama; CROSSBRIEF_MODEL names a model the server has pulled (``ollama pull qwen2.5-coder:1.5b``)."""

from __future__ import annotations

from service.llm.backends import openai_compatible
from service.llm.backends._registry import Backend, register

BACKEND = register(
    Backend(
        name="ollama",
        default_model="qwen2.5-coder:1.5b",
        build=openai_compatible.build,
        description="Ollama's OpenAI-compatible API (http://127.0.0.1:11434/v1 unless CROSSBRIEF_BASE_URL).",
        free=True,  # the model runs on the user's own machine
        uses_base_url=True,
        base_url="http://127.0.0.1:11434/v1",
    )
)
