"""The LLM backends: each is one module in this package that registers a :class:`Backend` when imported (its
name, default model, how it builds its chat model, its price table and its quirks), as simonw/llm's plugins
register models. This package imports every module beside it, so adding a backend is adding a module (and its
test): the settings' and the CLI's choices, the request's ``options.backend``, an eval run's model identity, cost
estimates and the pipeline's per-backend decisions all read the registry."""

from __future__ import annotations

import importlib
import pkgutil

from service.llm.backends._registry import (
    Backend,
    Builder,
    Built,
    default_name,
    find,
    get,
    names,
    prices,
    register,
)

__all__ = ["Backend", "Builder", "Built", "default_name", "find", "get", "names", "prices", "register"]


def _import_all() -> None:
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")):
        importlib.import_module(f"{__name__}.{module}")


_import_all()
