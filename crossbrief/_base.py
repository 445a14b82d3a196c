"""What the sync and async clients share: configuration, request bodies and headers, retry policy, job outcomes."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict
from urllib.parse import quote

import httpx

from crossbrief.contract import ArticleIn, Brief, BriefOptions
from crossbrief.contract.jobs import FINISHED, Job
from crossbrief.contract.version import __version__
from crossbrief.errors import CrossbriefAPIError, JobCancelled, JobFailed, RateLimited, error_from_response, job_error

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
# A synchronous brief holds the request open while the model writes it (about a minute on a small CPU).
SYNC_BRIEF_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
# The event stream may be quiet while one model call runs; after this long without a line, poll instead.
STREAM_READ_TIMEOUT = 120.0
RETRY_STATUSES = frozenset({429, 503})
MAX_RETRY_WAIT = 30.0  # a longer Retry-After is not waited out: the error is raised at once
MAX_POLL_FAILURES = 5  # connection failures in a row while polling (a server restart) before giving up
POLL_INTERVALS = (0.25, 0.5, 1.0, 2.0, 3.0)  # then 3.0 s between polls

Articles = Sequence[ArticleIn | Mapping[str, Any]]
Options = BriefOptions | Mapping[str, Any] | None
# on_progress(event_kind, data): "submitted" (client-side, the new job), then the server's events
# ("status", "stage", "tokens") and one terminal event ("done", "failed" or "cancelled").
ProgressCallback = Callable[[str, dict[str, Any]], Any]


class Send(TypedDict, total=False):
    """The parts of one HTTP request besides its method and path (the keywords of ``_send``)."""

    json: Any  # the JSON body
    params: Mapping[str, Any] | None  # query parameters
    headers: Mapping[str, str] | None  # headers added to the client's own
    timeout: float | httpx.Timeout | None  # instead of the client's timeout


class BriefWait(TypedDict, total=False):
    """How ``brief`` asks for a brief and waits for it (the keywords of ``submit_and_wait``)."""

    options: Options  # strategy, length, ... (a BriefOptions or a mapping)
    no_cache: bool  # brief again even when the same articles and options were briefed before
    on_progress: ProgressCallback | None  # called with each event of the job
    timeout: float | None  # seconds to wait before ``WaitTimeout``


class BaseClient:
    """Settings and helpers both clients use; no I/O here."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.api_key = api_key if api_key is not None else os.environ.get("CROSSBRIEF_CLIENT_KEY") or None
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout, connect=5.0)
        self.max_retries = max(0, max_retries)
        self.default_headers = {
            "User-Agent": f"crossbrief-python/{__version__}",
            "Accept": "application/json",
            **(headers or {}),
        }
        if self.api_key:
            self.default_headers["Authorization"] = f"Bearer {self.api_key}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    # building requests
    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {**self.default_headers, **(extra or {})}

    def stream_timeout(self, remaining: float | None) -> httpx.Timeout:
        read = STREAM_READ_TIMEOUT if remaining is None else max(0.1, min(STREAM_READ_TIMEOUT, remaining))
        return httpx.Timeout(self.timeout.connect, connect=self.timeout.connect, read=read)

    @staticmethod
    def job_path(job_id: str, suffix: str = "") -> str:
        return f"/v1/briefs/{quote(job_id, safe='')}{suffix}"

    @staticmethod
    def brief_body(articles: Articles, options: Options) -> dict[str, Any]:
        """The JSON body of ``POST /v1/briefs``. Dicts are sent as given: the server validates (422 names the field)."""
        items = [
            a.model_dump(mode="json", exclude_none=True) if isinstance(a, ArticleIn) else dict(a) for a in articles
        ]
        body: dict[str, Any] = {"articles": items}
        if isinstance(options, BriefOptions):
            body["options"] = options.model_dump(mode="json", exclude_none=True)
        elif options is not None:
            body["options"] = dict(options)
        return body

    @staticmethod
    def brief_headers(*, no_cache: bool, respond_async: bool) -> dict[str, str]:
        headers: dict[str, str] = {}
        if respond_async:
            headers["Prefer"] = "respond-async"
        if no_cache:
            headers["Cache-Control"] = "no-cache"
        return headers

    # responses
    def retry_delay(self, response: httpx.Response, attempt: int, retry: bool) -> float | None:
        """Seconds to wait before retrying this response, or None to not retry it."""
        if not retry or response.status_code not in RETRY_STATUSES or attempt >= self.max_retries:
            return None
        error = error_from_response(response)
        wait = error.retry_after if isinstance(error, RateLimited) else None
        if wait is None:
            return min(MAX_RETRY_WAIT, 0.5 * 2**attempt) * (0.75 + random.random() / 2)
        return wait if wait <= MAX_RETRY_WAIT else None

    @staticmethod
    def check(response: httpx.Response) -> httpx.Response:
        """The response when it succeeded, else its typed error (the body must have been read)."""
        if response.is_success:
            return response
        raise error_from_response(response)

    @staticmethod
    def brief_of(job: Job) -> Brief:
        """The brief of a done job."""
        if job.brief is None:
            raise CrossbriefAPIError(None, "no_brief", f"job {job.id} is {job.status} but has no brief", job.request_id)
        return job.brief

    @staticmethod
    def outcome(job: Job) -> Job:
        """A done job as it is; the typed error of a failed or cancelled one."""
        error: JobFailed | JobCancelled | None = job_error(job)
        if error is not None:
            raise error
        return job


def poll_interval(n: int) -> float:
    """Seconds before the n-th poll of a job's state."""
    return POLL_INTERVALS[min(n, len(POLL_INTERVALS) - 1)]


def synthetic_events(before: str | None, job: Job) -> list[tuple[str, dict[str, Any]]]:
    """Progress events made from a polled job state (when the event stream broke): a status change and,
    once the job finished, its terminal event, shaped as the server's events are."""
    events: list[tuple[str, dict[str, Any]]] = []
    if job.status != before and job.status in ("queued", "running"):
        events.append(("status", {"status": job.status}))
    if job.status in FINISHED:
        if job.status == "done":
            events.append(("done", {"tokens_in": job.progress.tokens_in, "tokens_out": job.progress.tokens_out}))
        elif job.status == "failed":
            events.append(("failed", {"error": job.error.model_dump() if job.error else {}}))
        else:
            events.append(("cancelled", {}))
    return events


TERMINAL_EVENTS = frozenset({"done", "failed", "cancelled"})


class Deadline:
    """An optional time limit for waiting on a job."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self._end = None if timeout is None else time.monotonic() + timeout

    def remaining(self) -> float | None:
        return None if self._end is None else max(0.0, self._end - time.monotonic())

    def expired(self) -> bool:
        return self._end is not None and time.monotonic() >= self._end

    def sleep_for(self, seconds: float) -> float:
        """``seconds``, or less when the deadline comes sooner."""
        left = self.remaining()
        return seconds if left is None else min(seconds, left)
