"""Python client for the crossbrief API: neutral multi-source news briefs.

import crossbrief

with crossbrief.Client("http://127.0.0.1:8000") as client:
    brief = client.brief(articles, on_progress=lambda kind, data: print(kind, data))
    print(brief.headline)

The names are imported on first use, so that the service, which imports the wire contract
(:mod:`crossbrief.contract`), does not load the HTTP client with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from crossbrief.contract.version import __version__

if TYPE_CHECKING:
    from crossbrief._async_client import AsyncClient
    from crossbrief._base import DEFAULT_BASE_URL, ProgressCallback
    from crossbrief._client import Client
    from crossbrief._sse import ServerSentEvent, SSEDecoder, aiter_sse, iter_sse
    from crossbrief.contract import ArticleIn, Brief, BriefOptions, BriefRequest, Job, JobError, Progress, SourceArticle
    from crossbrief.errors import (
        APIConnectionError,
        APITimeoutError,
        AuthenticationError,
        ConflictError,
        CrossbriefAPIError,
        CrossbriefClientError,
        InternalServerError,
        InvalidRequest,
        JobCancelled,
        JobFailed,
        ModelNotReady,
        NotFound,
        PayloadTooLarge,
        PermissionDenied,
        RateLimited,
        UpstreamError,
        UpstreamTimeout,
        WaitTimeout,
    )

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APITimeoutError",
    "ArticleIn",
    "AsyncClient",
    "AuthenticationError",
    "Brief",
    "BriefOptions",
    "BriefRequest",
    "Client",
    "ConflictError",
    "CrossbriefAPIError",
    "CrossbriefClientError",
    "InternalServerError",
    "InvalidRequest",
    "Job",
    "JobCancelled",
    "JobError",
    "JobFailed",
    "ModelNotReady",
    "NotFound",
    "PayloadTooLarge",
    "PermissionDenied",
    "Progress",
    "ProgressCallback",
    "RateLimited",
    "SSEDecoder",
    "ServerSentEvent",
    "SourceArticle",
    "UpstreamError",
    "UpstreamTimeout",
    "WaitTimeout",
    "__version__",
    "aiter_sse",
    "iter_sse",
]

# Where each name is defined: the client's own modules, the contract for the models, errors for the rest.
_HOMES = {
    "crossbrief._async_client": ("AsyncClient",),
    "crossbrief._base": ("DEFAULT_BASE_URL", "ProgressCallback"),
    "crossbrief._client": ("Client",),
    "crossbrief._sse": ("ServerSentEvent", "SSEDecoder", "aiter_sse", "iter_sse"),
    "crossbrief.contract": ("ArticleIn", "Brief", "BriefOptions", "BriefRequest", "Job", "JobError", "Progress",
                            "SourceArticle"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    if name not in __all__ or name == "__version__":
        raise AttributeError(f"module 'crossbrief' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME.get(name, "crossbrief.errors")), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
