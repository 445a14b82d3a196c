"""LLM backends behind one interface (:class:`LLM`), owned by one :class:`LLMProvider` per process; the backends
themselves register in :mod:`service.llm.backends`.

``LLM``, ``Answer`` and ``LLMProvider`` are imported on first use: settings read the backend registry, and that
must not load LangChain and the OpenAI SDK (the CLI shows its progress display before they load)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.llm.base import LLM, Answer
    from service.llm.provider import LLMProvider

__all__ = ["LLM", "Answer", "LLMProvider"]
_HOME = {"LLM": "service.llm.base", "Answer": "service.llm.base", "LLMProvider": "service.llm.provider"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'service.llm' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value
