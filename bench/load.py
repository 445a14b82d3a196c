"""Load: a burst of concurrent brief requests (mixed sync and async) against ONE `crossbrief serve` process.

python bench/load.py [--variants stub,limit,model] [--requests 200]

Variants, each on a fresh server and SQLite database:
  stub   the zero-latency model (tests/stub_server.py), rate limit raised out of the way: every
         request must be answered 200/202; --written briefs are written first and --repeats requests
         of the burst repeat them (cache hits), the rest are new article pairs.
  limit  the same with the default rate limit (120/minute per client): the surplus must be 429 with a
         Retry-After, nothing else.
  model  the 135M test model on the embedded llama.cpp (CROSSBRIEF_MODEL=smollm2-135m). A brief costs
         it a model call of ~300 tokens each way, so most of the burst repeats --model-written briefs
         and --model-new requests are new (all of them would take hours on two shared cores).
For each: answers by status, cache hits, async jobs done, jobs lost (accepted, then missing from the
database or not done / failed-with-a-reason), latency p50/p95 (sync answer, async 202, async submit to
done), wall time and the server's resident memory before and after the burst. Exits 1 if anything
was lost, unfinished, invalid or answered with an unintended status."""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from _harness import Server, Stub, stub_backend
from _mix import Summary, burst, plan, write

HIGH_LIMIT = "1000000/minute"


def variant(name: str, args: argparse.Namespace, tmp: Path) -> tuple[Summary, float, float]:
    """Run one variant; returns its summary and the server's RSS (MiB) before and after the burst."""
    folder = tmp / name
    folder.mkdir()
    db = f"sqlite:///{folder / 'crossbrief.db'}"
    settings = {"CROSSBRIEF_DATABASE_URL": db, "CROSSBRIEF_RATE_LIMIT": HIGH_LIMIT}
    new, written = args.requests - args.repeats, args.written
    with ExitStack() as stack:
        if name == "model":
            settings |= {"CROSSBRIEF_BACKEND": "local", "CROSSBRIEF_MODEL": args.model}
            new, written = args.model_new, args.model_written
        else:
            settings |= stub_backend(stack.enter_context(Stub(folder / "stub.log")).url)
        if name == "limit":
            settings.pop("CROSSBRIEF_RATE_LIMIT")
        server = stack.enter_context(Server(settings, folder / "server.log"))
        started = time.perf_counter()
        write(server.url, written)
        print(f"[{name}] wrote {written} briefs in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        before = server.rss_mb()
        reqs = plan(new, args.requests - new, first=written, written=written)
        slow = name == "model"
        summary = burst(server.url, db, reqs, allow_429=name == "limit", poll_s=1.0 if slow else 0.25, wait_s=args.wait)
        return summary, before, server.rss_mb()


def failures(s: Summary) -> list[str]:
    problems = [f"{len(s.unexpected)} unexpected answers, e.g. {s.unexpected[:3]}"] if s.unexpected else []
    if s.lost:
        problems.append(f"{len(s.lost)} jobs lost: {dict(list(s.lost.items())[:5])}")
    if s.async_unfinished:
        problems.append(f"{s.async_unfinished} async jobs unfinished")
    if s.sync_invalid_briefs:
        problems.append(f"{s.sync_invalid_briefs} sync answers are not valid briefs")
    if s.repeats_missed:
        problems.append(f"{s.repeats_missed} repeats of a written brief missed the cache")
    if s.rate_limited_without_retry_after:
        problems.append(f"{s.rate_limited_without_retry_after} 429s without Retry-After")
    return problems


def table(results: dict[str, tuple[Summary, float, float]]) -> str:
    def ms(pair: tuple[float, float]) -> str:
        return "-" if math.isnan(pair[0]) else f"{pair[0]:.0f} / {pair[1]:.0f}"

    rows: list[tuple[str, list[str]]] = [
        ("requests", [str(s.requests) for s, _, _ in results.values()]),
        ("answers by status", [" ".join(f"{k}:{v}" for k, v in s.statuses.items()) for s, _, _ in results.values()]),
        ("unexpected answers", [str(len(s.unexpected)) for s, _, _ in results.values()]),
        (
            "429 with Retry-After",
            [f"{s.rate_limited - s.rate_limited_without_retry_after}/{s.rate_limited}" for s, _, _ in results.values()],
        ),
        (
            "sync 200, valid briefs",
            [f"{s.sync_ok - s.sync_invalid_briefs}/{s.sync_ok}" for s, _, _ in results.values()],
        ),
        ("cache hits (repeats missed)", [f"{s.cache_hits} ({s.repeats_missed})" for s, _, _ in results.values()]),
        ("async done / accepted", [f"{s.async_done}/{s.async_accepted}" for s, _, _ in results.values()]),
        ("async failed", [str(s.async_failed) for s, _, _ in results.values()]),
        ("jobs lost", [str(len(s.lost)) for s, _, _ in results.values()]),
        *[
            (f"{k} p50/p95 ms", [ms(s.latency_ms[k]) for s, _, _ in results.values()])
            for k in ("sync 200", "async 202", "async to done")
        ],
        ("wall s", [f"{s.wall_s:.1f}" for s, _, _ in results.values()]),
        ("server RSS before MiB", [f"{b:.0f}" for _, b, _ in results.values()]),
        ("server RSS after MiB", [f"{a:.0f}" for _, _, a in results.values()]),
    ]
    width = max(24, *(len(v) + 2 for _, vs in rows for v in vs))
    lines = [f"{'':<26}" + "".join(f"{n:>{width}}" for n in results)]
    lines += [f"{label:<26}" + "".join(f"{v:>{width}}" for v in values) for label, values in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default="stub,limit,model")
    parser.add_argument("--requests", type=int, default=200, help="requests in the burst (all at once)")
    parser.add_argument("--repeats", type=int, default=40, help="stub variants: requests that repeat a brief")
    parser.add_argument("--written", type=int, default=20, help="stub variants: briefs written before the burst")
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--model-new", type=int, default=12, help="model variant: new article pairs in the burst")
    parser.add_argument("--model-written", type=int, default=4, help="model variant: briefs written first")
    parser.add_argument("--wait", type=float, default=3600.0, help="longest wait for one answer or job, seconds")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="crossbrief-load-"))
    results: dict[str, tuple[Summary, float, float]] = {}
    for name in args.variants.split(","):
        results[name] = variant(name, args, tmp)
        print(f"[{name}] done in {results[name][0].wall_s:.1f} s", file=sys.stderr, flush=True)
    print(table(results))
    problems = [f"{name}: {p}" for name, (s, _, _) in results.items() for p in failures(s)]
    print("\n".join(problems) if problems else "OK: no unintended status, no job lost, every async job finished")
    print(f"(logs and databases in {tmp})")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
