"""Python client for the crossbrief API: neutral multi-source news briefs.

import crossbrief

with crossbrief.Client("http://127.0.0.1:8000") as client:
    brief = client.brief(articles, on_progress=lambda kind, data: print(kind, data))
    print(brief.headline)
"""

from crossbrief._async_client import AsyncClient
from crossbrief._base import DEFAULT_BASE_URL, ProgressCallback
from crossbrief._client import Client
from crossbrief._sse import ServerSentEvent, SSEDecoder, aiter_sse, iter_sse
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
from service import __version__
from service.jobs.schemas import Job, JobError, Progress, SourceArticle
from service.schemas import ArticleIn, Brief, BriefOptions, BriefRequest

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
