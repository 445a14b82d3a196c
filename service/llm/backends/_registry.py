"""What a backend declares, and the registry that holds them (see :mod:`service.llm.backends`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from service.errors import ModelNotReady

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from service.config import Settings


@dataclass(frozen=True)
class Built:
    """A backend's chat model for one model, ready to answer."""

    chat: BaseChatModel
    model: str  # the model's name as briefs and eval records report it
    close: Callable[[], None] | None = None  # stops what the backend started for it (an embedded server)


# (backend, settings, model or None for the backend's default) -> the chat model. Raises ModelNotReady when the
# settings lack what the backend needs, ModelFileError when a model file cannot be had.
Builder = Callable[["Backend", "Settings", "str | None"], Built]


@dataclass(frozen=True)
class Backend:
    """One LLM backend: its name, default model, how it builds its chat model, its prices and its quirks."""

    name: str  # as settings (CROSSBRIEF_BACKEND), CLI options, request options and brief metadata spell it
    default_model: str  # the model when none is given
    build: Builder
    description: str
    prices: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # model -> USD per 1M tokens in, out
    free: bool = False  # runs on this machine: every call costs 0.0, whatever the model
    uses_base_url: bool = False  # talks to the server at settings.base_url (part of an eval run's identity)
    base_url: str | None = None  # that server when settings.base_url is unset (None: the setting is required)
    # Whether a long structured reply that failed once (most often: cut at its token budget) is worth a re-ask.
    # Not on the embedded model, where it fails again at the same cost (measured: 2 x 2,048 tokens, minutes).
    reask_long_replies: bool = True
    default: bool = False  # the backend settings choose when CROSSBRIEF_BACKEND is unset (exactly one is)

    def server_url(self, settings: Settings) -> str | None:
        """The server this backend talks to under ``settings`` (None for one that talks to no configured server)."""
        return (settings.base_url or self.base_url) if self.uses_base_url else None


_BACKENDS: dict[str, Backend] = {}


def register(backend: Backend) -> Backend:
    """Add a backend (each backend module calls this once, when imported)."""
    if backend.name in _BACKENDS:
        raise ValueError(f"backend {backend.name!r} is registered twice")
    _BACKENDS[backend.name] = backend
    return backend


def find(name: str | None) -> Backend | None:
    """The backend called ``name``, or None."""
    return _BACKENDS.get(name) if name else None


def get(name: str) -> Backend:
    """The backend called ``name``; ModelNotReady for a name no backend has."""
    backend = _BACKENDS.get(name)
    if backend is None:
        raise ModelNotReady(f"unknown backend {name!r}")
    return backend


def names() -> tuple[str, ...]:
    """Every backend's name, in alphabetical order."""
    return tuple(sorted(_BACKENDS))


def default_name() -> str:
    """The name of the default backend."""
    (name,) = [b.name for b in _BACKENDS.values() if b.default]
    return name


def prices() -> dict[str, tuple[float, float]]:
    """Every backend's price table in one (model -> USD per 1M tokens in, out)."""
    return {model: price for name in names() for model, price in _BACKENDS[name].prices.items()}
