"""The synchronous client."""

from __future__ import annotations

import builtins
import logging
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Unpack

import httpx

from crossbrief._base import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    MAX_POLL_FAILURES,
    SYNC_BRIEF_TIMEOUT,
    TERMINAL_EVENTS,
    Articles,
    BaseClient,
    BriefWait,
    Deadline,
    Options,
    ProgressCallback,
    Send,
    poll_interval,
    synthetic_events,
)
from crossbrief._sse import SSEDecoder
from crossbrief.contract import Brief
from crossbrief.contract.jobs import FINISHED, Job, JobList, SourceArticle
from crossbrief.errors import APIConnectionError, APITimeoutError, WaitTimeout, error_from_response

log = logging.getLogger("crossbrief.client")


class Client(BaseClient):
    """A crossbrief API client (blocking; see ``AsyncClient`` for asyncio).

    ``api_key`` defaults to the ``CROSSBRIEF_CLIENT_KEY`` environment variable and is sent as a bearer token.
    GETs are retried up to ``max_retries`` times on 429 (after ``Retry-After``) and 503; POST and DELETE never are.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        http_client: httpx.Client | None = None,
        *,
        max_retries: int = 2,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(base_url, api_key, timeout, max_retries, headers)
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(timeout=self.timeout)

    def close(self) -> None:
        """Close the connections (an ``http_client`` you passed in stays open)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # briefs
    def brief(self, articles: Articles, **wait: Unpack[BriefWait]) -> Brief:
        """Brief the articles: submit a job, follow its progress, return the brief (``wait``: the keywords of
        ``submit_and_wait``). Raises ``JobFailed`` / ``JobCancelled`` when the job does not succeed,
        ``WaitTimeout`` after ``timeout`` s."""
        return self.brief_of(self.submit_and_wait(articles, **wait))

    def submit_and_wait(
        self,
        articles: Articles,
        *,
        options: Options = None,
        no_cache: bool = False,
        on_progress: ProgressCallback | None = None,
        timeout: float | None = None,
    ) -> Job:
        """As ``brief``, but returns the finished job (its ``id`` for the exports, ``cache_hit``, ``brief``)."""
        job = self.submit(articles, options=options, no_cache=no_cache)
        if on_progress is not None:
            on_progress("submitted", {"id": job.id, "status": job.status, "cache_hit": job.cache_hit})
        job = self.wait(job.id, on_progress=on_progress, timeout=timeout)
        if job.status == "done" and job.brief is None:
            job = self.job(job.id)
        return self.outcome(job)

    def submit(self, articles: Articles, options: Options = None, no_cache: bool = False) -> Job:
        """Queue a brief job (``202``); a repeat of a cached request comes back already ``done``."""
        headers = self.brief_headers(no_cache=no_cache, respond_async=True)
        response = self._request("POST", "/v1/briefs", json=self.brief_body(articles, options), headers=headers)
        return Job.model_validate(response.json())

    def brief_sync(
        self,
        articles: Articles,
        *,
        options: Options = None,
        no_cache: bool = False,
        timeout: float | httpx.Timeout | None = None,
    ) -> Brief:
        """Brief the articles in one request held open until the brief is written (no progress)."""
        headers = self.brief_headers(no_cache=no_cache, respond_async=False)
        response = self._request(
            "POST",
            "/v1/briefs",
            json=self.brief_body(articles, options),
            headers=headers,
            timeout=SYNC_BRIEF_TIMEOUT if timeout is None else timeout,
        )
        return Brief.model_validate(response.json())

    # jobs
    def job(self, job_id: str) -> Job:
        """The job's current state (with its brief once it is done)."""
        return Job.model_validate(self._request("GET", self.job_path(job_id), retry=True).json())

    def list(self, limit: int = 20) -> builtins.list[Job]:
        """Recent jobs, newest first, without their briefs."""
        response = self._request("GET", "/v1/briefs", params={"limit": limit}, retry=True)
        return JobList.model_validate(response.json()).jobs

    def cancel(self, job_id: str) -> Job:
        """Cancel a queued or running job (``ConflictError`` when it had already finished)."""
        return Job.model_validate(self._request("DELETE", self.job_path(job_id)).json())

    def articles(self, job_id: str) -> builtins.list[SourceArticle]:
        """The job's articles as ingested; citation offsets index into their ``text``."""
        response = self._request("GET", self.job_path(job_id, "/articles"), retry=True)
        return [SourceArticle.model_validate(a) for a in response.json()]

    def markdown(self, job_id: str) -> str:
        """The finished brief as Markdown."""
        return self._request("GET", self.job_path(job_id, ".md"), headers={"Accept": "text/markdown"}, retry=True).text

    def html(self, job_id: str) -> str:
        """The finished brief as a standalone HTML page."""
        return self._request("GET", self.job_path(job_id, ".html"), headers={"Accept": "text/html"}, retry=True).text

    def wait(self, job_id: str, on_progress: ProgressCallback | None = None, timeout: float | None = None) -> Job:
        """Follow the job's event stream until it is done, failed or cancelled, and return the finished job.
        ``on_progress(kind, data)`` sees every event; if the stream breaks, the job is polled instead."""
        deadline = Deadline(timeout)
        ended, status = self._follow(job_id, on_progress, deadline)
        if ended:  # the job is finished: only read its final state (the store may lag the event briefly)
            return self._poll(job_id, None, Deadline(10.0), status)
        return self._poll(job_id, on_progress, deadline, status)

    def _follow(self, job_id: str, on_progress: ProgressCallback | None, deadline: Deadline) -> tuple[bool, str | None]:
        """Read the event stream; (whether it ended with a terminal event, the last status seen)."""
        status: str | None = None
        headers = self.headers({"Accept": "text/event-stream"})
        url = self.url(self.job_path(job_id, "/events"))
        try:
            with self._http.stream("GET", url, headers=headers, timeout=self.stream_timeout(deadline.remaining())) as r:
                if not r.is_success:
                    r.read()
                    if r.status_code < 500 and r.status_code != 429:
                        raise error_from_response(r)
                    log.info("event stream for job %s answered %s; polling instead", job_id, r.status_code)
                    return False, status
                decoder = SSEDecoder()
                for line in r.iter_lines():  # keep-alive pings included: the deadline is checked often
                    if deadline.expired():
                        raise WaitTimeout(job_id, deadline.timeout or 0.0, status)
                    sse = decoder.feed(line)
                    if sse is None:
                        continue
                    data = sse.json()
                    if sse.event == "status":
                        status = str(data.get("status", status))
                    if on_progress is not None:
                        on_progress(sse.event, data)
                    if sse.event in TERMINAL_EVENTS:
                        return True, sse.event
        except (httpx.TransportError, httpx.StreamError) as exc:
            log.info("event stream for job %s broke (%s); polling instead", job_id, exc)
        return False, status

    def _poll(self, job_id: str, on_progress: ProgressCallback | None, deadline: Deadline, status: str | None) -> Job:
        n = failures = 0
        while True:
            try:
                job = self.job(job_id)
            except APIConnectionError:
                failures += 1
                if failures > MAX_POLL_FAILURES or deadline.expired():
                    raise
                time.sleep(deadline.sleep_for(poll_interval(n)))
                n += 1
                continue
            failures = 0
            if on_progress is not None:
                for kind, data in synthetic_events(status, job):
                    on_progress(kind, data)
            status = job.status
            if job.status in FINISHED:
                return job
            if deadline.expired():
                raise WaitTimeout(job_id, deadline.timeout or 0.0, job.status)
            time.sleep(deadline.sleep_for(poll_interval(n)))
            n += 1

    # health
    def health(self) -> bool:
        """Whether the server process is up."""
        try:
            return self._send("GET", "/healthz").is_success
        except APIConnectionError:
            return False

    def ready(self) -> bool:
        """Whether the server's model is loaded (False while it loads, after a load failure, or when unreachable)."""
        try:
            response = self._send("GET", "/readyz")
        except APIConnectionError:
            return False
        if response.status_code == 503:
            return False
        return self.check(response).is_success

    # transport
    def _request(self, method: str, path: str, *, retry: bool = False, **send: Unpack[Send]) -> httpx.Response:
        attempt = 0
        while True:
            response = self._send(method, path, **send)
            delay = self.retry_delay(response, attempt, retry)
            if delay is None:
                return self.check(response)
            log.info("%s %s answered %s; retry %d in %.1f s", method, path, response.status_code, attempt + 1, delay)
            time.sleep(delay)
            attempt += 1

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> httpx.Response:
        try:
            return self._http.request(
                method,
                self.url(path),
                json=json,
                params=params,
                headers=self.headers(headers),
                timeout=self.timeout if timeout is None else timeout,
            )
        except httpx.TimeoutException as exc:
            raise APITimeoutError(f"{method} {path} timed out: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise APIConnectionError(f"{method} {path} failed: {exc!r}") from exc
