"""A mixed load on the brief API, shared by bench/load.py, bench/soak.py and tests/test_load.py: distinct
fictional article pairs (so the cache cannot answer them) plus repeats of briefs already written (which it
should), half synchronous and half async; every async job is polled to its end, then every accepted job
is looked up in the database. A job is lost when it was accepted (a 200 with ``X-Brief-Id`` or a 202)
and its row is missing or is not ``done`` or ``failed`` with a code and message."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass

import httpx
from pydantic import ValidationError

from service.schemas import Brief
from service.storage import Store

TOWNS = ["Brindle", "Harrowgate", "Velmouth", "Oakhollow", "Dunmere", "Lissford", "Penhallow", "Wyckham"]
FINISHED = ("done", "failed", "cancelled")


def article_pair(n: int) -> list[dict[str, str]]:
    """Two short fictional reports of one council vote; ``n`` makes the figures (so the input) unique."""
    town, budget, schools = TOWNS[n % len(TOWNS)], 100 + n, 3 + n % 5
    return [
        {
            "id": "one",
            "outlet": "Daily One",
            "text": f"The council of {town} approved a budget of {budget} million crowns on Tuesday. "
            f"Mayor Ada Crane said the plan would pay for {schools} new schools. "
            "Opposition members called the vote rushed and said they would appeal.",
        },
        {
            "id": "two",
            "outlet": "Evening Two",
            "text": f"{town}'s council passed a {budget} million crown budget on Tuesday, officials said. "
            f"The plan funds {schools} schools, according to the finance office. "
            "Critics said the debate lasted less than an hour.",
        },
    ]


@dataclass
class Req:
    n: int  # which article pair
    mode: str  # sync | async
    repeat: bool = False  # its brief was written before: the cache should answer


def plan(new: int, repeats: int, first: int = 0, written: int = 0) -> list[Req]:
    """``new`` requests for fresh pairs numbered from ``first`` and ``repeats`` for the ``written`` pairs
    0 … written-1 whose briefs exist already, evenly interleaved, alternately sync and async."""
    fresh = [((i + 0.5) / new, Req(first + i, "sync" if i % 2 == 0 else "async")) for i in range(new)]
    again = [
        ((j + 0.25) / repeats, Req(j % max(1, written), "async" if j % 2 else "sync", repeat=True))
        for j in range(repeats)
    ]
    return [req for _, req in sorted(fresh + again, key=lambda pair: pair[0])]


@dataclass
class Outcome:
    req: Req
    status: int = 0  # 0: no HTTP answer (transport error)
    seconds: float = 0.0
    job_id: str | None = None
    cache_hit: bool = False
    retry_after: str | None = None
    error: str | None = None  # transport error or error code
    brief_ok: bool | None = None  # a sync 200: its body is a valid Brief
    final: str | None = None  # an async job: its last status seen
    done_seconds: float | None = None  # an async job: submit to done


async def send(client: httpx.AsyncClient, req: Req) -> Outcome:
    """One POST /v1/briefs; a sync 200's body is checked against the Brief schema."""
    out = Outcome(req)
    headers = {"Prefer": "respond-async"} if req.mode == "async" else {}
    started = time.perf_counter()
    try:
        r = await client.post("/v1/briefs", json={"articles": article_pair(req.n)}, headers=headers)
    except httpx.HTTPError as e:
        out.seconds, out.error = time.perf_counter() - started, f"{type(e).__name__}: {e}"
        return out
    out.seconds, out.status = time.perf_counter() - started, r.status_code
    out.retry_after = r.headers.get("retry-after")
    if r.status_code == 200:
        out.job_id, out.cache_hit = r.headers.get("x-brief-id"), r.headers.get("x-cache") == "hit"
        try:
            Brief.model_validate(r.json())
            out.brief_ok = True
        except (ValidationError, ValueError):
            out.brief_ok = False
    elif r.status_code == 202:
        job = r.json()
        out.job_id, out.cache_hit, out.final = job["id"], bool(job["cache_hit"]), job["status"]
        if out.final == "done":
            out.done_seconds = out.seconds
    else:
        try:
            out.error = r.json().get("error", {}).get("code") or str(r.json())[:200]
        except ValueError:
            out.error = r.text[:200]
    return out


async def follow(client: httpx.AsyncClient, out: Outcome, deadline: float, every: float, started: float) -> None:
    """Poll an accepted async job until it finishes or the deadline passes."""
    while out.final not in FINISHED and time.perf_counter() < deadline:
        await asyncio.sleep(every)
        try:
            r = await client.get(f"/v1/briefs/{out.job_id}")
        except httpx.HTTPError:
            continue
        if r.status_code == 200:
            out.final = r.json()["status"]
            if out.final == "done":
                out.done_seconds = time.perf_counter() - started


async def run(
    client: httpx.AsyncClient, reqs: list[Req], *, poll_s: float = 0.25, wait_s: float = 120.0
) -> list[Outcome]:
    """Send every request at once, then follow each accepted async job to its end (or ``wait_s``)."""

    async def one(req: Req) -> Outcome:
        started = time.perf_counter()
        out = await send(client, req)
        if out.status == 202 and out.final not in FINISHED:
            await follow(client, out, started + wait_s, poll_s, started)
        return out

    return list(await asyncio.gather(*(one(r) for r in reqs)))


def write(url: str, pairs: int, timeout: float = 1800.0) -> None:
    """Write the briefs of pairs 0 … pairs-1 one after another (synchronous requests), so repeats hit."""
    with httpx.Client(base_url=url, timeout=timeout) as client:
        for n in range(pairs):
            r = client.post("/v1/briefs", json={"articles": article_pair(n)})
            if r.status_code != 200:
                raise RuntimeError(f"writing brief {n}: {r.status_code} {r.text[:300]}")


def burst(
    url: str,
    database_url: str,
    reqs: list[Req],
    *,
    allow_429: bool = False,
    poll_s: float = 0.25,
    wait_s: float = 120.0,
) -> Summary:
    """All of ``reqs`` at once on one connection each, every async job followed to its end, then the
    accepted jobs looked up in the database."""

    async def go() -> tuple[list[Outcome], float]:
        limits = httpx.Limits(max_connections=len(reqs) + 8, max_keepalive_connections=len(reqs) + 8)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=wait_s) as client:
            started = time.perf_counter()
            outcomes = await run(client, reqs, poll_s=poll_s, wait_s=wait_s)
            return outcomes, time.perf_counter() - started

    outcomes, wall = asyncio.run(go())
    return summarize(outcomes, lost_jobs(database_url, outcomes), wall, allow_429)


def lost_jobs(database_url: str, outcomes: list[Outcome]) -> dict[str, str]:
    """Accepted jobs whose row is missing or did not end done / failed-with-a-reason: id → what was found."""
    store = Store(database_url)
    lost: dict[str, str] = {}
    try:
        for job_id in {o.job_id for o in outcomes if o.job_id and o.status in (200, 202)}:
            row = store.get_job(job_id)
            if row is None:
                lost[job_id] = "no row"
            elif row.status == "failed" and not (row.error and row.error.get("code") and row.error.get("message")):
                lost[job_id] = f"failed without a reason: {row.error}"
            elif row.status not in ("done", "failed"):
                lost[job_id] = row.status
    finally:
        store.close()
    return lost


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values`` in milliseconds; NaN when empty."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return 1000 * values[0]
    return 1000 * statistics.quantiles(values, n=100, method="inclusive")[min(98, max(0, round(q * 100) - 1))]


@dataclass
class Summary:
    """What one burst did."""

    requests: int
    statuses: dict[int, int]
    unexpected: list[str]  # answers other than 200/202 (and 429 where allowed), with their error
    sync_ok: int
    sync_invalid_briefs: int
    cache_hits: int
    repeats_missed: int  # repeats of a written brief that the cache did not answer
    async_accepted: int
    async_done: int
    async_failed: int
    async_unfinished: int
    rate_limited: int
    rate_limited_without_retry_after: int
    lost: dict[str, str]
    latency_ms: dict[str, tuple[float, float]]  # sync / async 202 / async done: (p50, p95)
    wall_s: float


def summarize(outcomes: list[Outcome], lost: dict[str, str], wall_s: float, allow_429: bool) -> Summary:
    allowed = {200, 202, 429} if allow_429 else {200, 202}
    unexpected = [f"{o.req.mode} {o.status}: {o.error}" for o in outcomes if o.status not in allowed]
    sync = [o for o in outcomes if o.req.mode == "sync" and o.status == 200]
    accepted = [o for o in outcomes if o.req.mode == "async" and o.status == 202]
    limited = [o for o in outcomes if o.status == 429]
    return Summary(
        requests=len(outcomes),
        statuses=dict(sorted(Counter(o.status for o in outcomes).items())),
        unexpected=unexpected,
        sync_ok=len(sync),
        sync_invalid_briefs=sum(1 for o in sync if not o.brief_ok),
        cache_hits=sum(1 for o in outcomes if o.cache_hit),
        repeats_missed=sum(1 for o in outcomes if o.req.repeat and o.status in (200, 202) and not o.cache_hit),
        async_accepted=len(accepted),
        async_done=sum(1 for o in accepted if o.final == "done"),
        async_failed=sum(1 for o in accepted if o.final == "failed"),
        async_unfinished=sum(1 for o in accepted if o.final not in FINISHED),
        rate_limited=len(limited),
        rate_limited_without_retry_after=sum(1 for o in limited if not (o.retry_after or "").isdigit()),
        lost=lost,
        latency_ms={
            "sync 200": (pct([o.seconds for o in sync], 0.5), pct([o.seconds for o in sync], 0.95)),
            "async 202": (pct([o.seconds for o in accepted], 0.5), pct([o.seconds for o in accepted], 0.95)),
            "async to done": (
                pct([o.done_seconds for o in accepted if o.done_seconds is not None], 0.5),
                pct([o.done_seconds for o in accepted if o.done_seconds is not None], 0.95),
            ),
        },
        wall_s=wall_s,
    )
