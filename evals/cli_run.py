"""The steps of ``crossbrief eval run`` (evals/cli.py keeps its options): check the options, load the cases,
brief and score them (with peers and the judge's calibration), write the record and the report, store it,
and apply the thresholds."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, cast

import click

from evals import compare as gates
from evals.cache import Cache
from evals.calibration import CalibrationResult, calibrate, load_calibration
from evals.compare import RecordError, load_record, parse_threshold
from evals.dataset import DatasetError, LoadedCase, load_suite
from evals.judges import ModelJudge
from evals.llms import LazyLLM
from evals.record import PeerRecord, RunRecord, git_info, judge_info, now, public_settings, summarise
from evals.report import summary_text, write_html, write_json
from evals.runner import CaseResult, Runner, RunOptions, Source
from service import progress
from service.cli_progress import ProgressDisplay, pick_mode
from service.config import Settings
from service.digest import prompt_digests
from service.errors import CrossbriefError
from service.storage import EvalRunRow, Store

Peer = Literal["staged", "single", "baseline"]
PEERS = {"staged", "single", "baseline"}


def thresholds(specs: tuple[str, ...]) -> list[tuple[str, float]]:
    """``METRIC=VALUE`` options as (metric, value) pairs; a bad one is a usage error."""
    try:
        return [parse_threshold(s) for s in specs]
    except ValueError as e:
        raise click.UsageError(str(e)) from e


@contextmanager
def progress_display(title: str, total: int, show: bool) -> Iterator[ProgressDisplay]:
    """The progress display on stderr (live on a terminal, key=value lines otherwise, nothing when not shown),
    fed by the pipeline's and the judge's events and one ``item`` event per case or calibration pair."""
    with ProgressDisplay(pick_mode(not show), title, total=total) as display, progress.sink(display):
        yield display


def check_options(o: dict[str, Any]) -> tuple[list[tuple[str, float]], list[tuple[str, float]], list[Peer]]:
    """The --fail-under and --fail-over thresholds and the peers; options that do not go together are a
    usage error."""
    under, over = thresholds(o["fail_under"]), thresholds(o["fail_over"])
    elsewhere = o["service_url"] or o["briefs_dir"] or o["workers"] == "queue"
    if sum(map(bool, (o["service_url"], o["briefs_dir"], o["workers"] == "queue"))) > 1:
        raise click.UsageError("give at most one of --service-url, --briefs and --workers queue")
    if o["max_drop"] is not None and o["baseline"] is None:
        raise click.UsageError("--max-drop needs --baseline")
    peers = [p.strip() for p in o["peers"].split(",") if p.strip()]
    if set(peers) - PEERS:
        raise click.UsageError(f"--peers takes staged, single and baseline, not {o['peers']!r}")
    if peers and elsewhere:
        raise click.UsageError("--peers writes briefs with the pipeline: not with --service-url, --briefs or --workers")
    return under, over, cast(list[Peer], peers)


def load_inputs(paths: tuple[Path, ...], o: dict[str, Any]) -> tuple[list[LoadedCase], RunRecord | None, int]:
    """The cases, the --baseline run and how many calibration pairs there are; exits 2 on a bad file."""
    try:
        cases = load_suite(list(paths))
        baseline = load_record(o["baseline"]) if o["baseline"] else None
        pairs = 0 if o["no_calibration"] else len(load_calibration(o["calibration_file"]).pairs)
    except (DatasetError, RecordError) as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    return cases, baseline, pairs


def run_options(o: dict[str, Any]) -> RunOptions:
    """Where the briefs come from and how they are asked for."""
    source: Source = "service" if o["service_url"] else "briefs" if o["briefs_dir"] else "pipeline"
    if not (o["service_url"] or o["briefs_dir"]) and o["workers"] == "queue":
        source = "queue"
    return RunOptions(
        source=source,
        service_url=o["service_url"],
        briefs_dir=o["briefs_dir"],
        strategy=o["strategy"],
        length=o["length"],
        repeat=o["repeat"],
        concurrency=o["concurrency"],
    )


def score(
    cases: list[LoadedCase],
    peers: list[Peer],
    pairs: int,
    options: RunOptions,
    settings: Settings,
    judge: ModelJudge,
    cache: Cache,
    llm: LazyLLM,
    o: dict[str, Any],
) -> tuple[list[CaseResult], dict[str, list[CaseResult]], CalibrationResult | None]:
    """Brief and score every case (and with each peer), then measure the judge on the calibration pairs,
    with progress shown; a model failure exits 1 (2 for bad input)."""
    runner = Runner(options, settings, judge, cache, llm if options.source == "pipeline" else None)
    n_pairs = 0 if o["no_calibration"] else min(pairs, o["calibration_limit"] or pairs)
    peer_results: dict[str, list[CaseResult]] = {}

    async def everything(tick: Any) -> tuple[list[CaseResult], CalibrationResult | None]:
        results = await runner.run(cases, tick)
        for peer in peers:
            peer_runner = Runner(replace(options, strategy=peer), settings, judge, cache, llm)
            peer_results[peer] = await peer_runner.run(cases, tick)
        if o["no_calibration"]:
            return results, None
        return results, await calibrate(o["calibration_file"], judge, limit=o["calibration_limit"], progress=tick)

    try:
        total = len(cases) * options.repeat * (1 + len(peers)) + n_pairs
        with progress_display(f"eval of {len(cases)} cases", total, o["progress"] and not o["quiet"]) as display:
            results, calib = asyncio.run(everything(lambda *a: display.item(str(a[0]) if a else "calibration")))
    except CrossbriefError as e:
        click.echo(f"error ({e.code}): {e.message}", err=True)
        sys.exit(2 if e.status_code == 422 else 1)
    return results, peer_results, calib


def record_of(
    cases: list[LoadedCase],
    results: list[CaseResult],
    calib: CalibrationResult | None,
    settings: Settings,
    options: RunOptions,
    llm: LazyLLM,
    judge: ModelJudge,
    cache: Cache,
    seconds: float,
) -> RunRecord:
    """The run's record: what was run, on what, with which code, prompts and data, and every score."""
    metrics, records = summarise(results)
    briefs = sum(len(c.repeats) for c in results)
    brief_hits = sum(r.cached for c in results for r in c.repeats)
    pipeline = options.source == "pipeline"
    return RunRecord(
        created=now(),
        command=sys.argv,
        git=git_info(),
        source=options.source if pipeline else f"{options.source}: {options.service_url or options.briefs_dir}",
        options={
            "strategy": options.strategy or settings.strategy,
            "length": options.length,
            "repeat": options.repeat,
            "concurrency": options.concurrency,
        },
        backend=llm.identity["backend"] if pipeline else None,
        model=llm.identity["model"] if pipeline else None,
        judge=judge_info(judge.llm.identity, judge.llm.prompt_digest("judge", judge.prompt), judge.stats, judge.prompt),
        settings=public_settings(settings),
        prompts=prompt_digests(settings.prompts_dir),
        datasets=[{"id": c.case.id, "suite": c.suite, "file": c.file, "sha256": c.sha256} for c in cases],
        calibration=calib,
        metrics=metrics,
        cache={
            "dir": str(cache.root),
            "enabled": cache.enabled,
            "briefs": briefs,
            "brief_hits": brief_hits,
            "judge_hits": judge.stats.cached,
        },
        seconds=round(seconds, 2),
        cases=records,
    )


def add_peers(record: RunRecord, peer_results: dict[str, list[CaseResult]]) -> None:
    """Each peer's metrics and cases, beside the run's own."""
    for peer, peer_cases in peer_results.items():
        metrics, peer_records = summarise(peer_cases)
        record.peers[peer] = PeerRecord(strategy=peer, metrics=metrics, cases=peer_records)


def write_report(record: RunRecord, out: Path | None) -> Path:
    """run.json and report.html in ``out`` (default evals/runs/<time>-<commit>), and the summary on stdout."""
    commit = (record.git.get("commit") or "nogit")[:7]
    out = out or Path("evals") / "runs" / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{commit}"
    out.mkdir(parents=True, exist_ok=True)
    write_json(record, out / "run.json")
    write_html(record, out / "report.html")
    click.echo(summary_text(record))
    click.echo(f"wrote {out / 'run.json'} and {out / 'report.html'}")
    return out


def store_run(record: RunRecord, out: Path, settings: Settings) -> None:
    """Keep the run in the service's database (settings.database_url) next to briefs and jobs."""
    try:
        store = Store(settings.database_url)
        store.upgrade()
        store.add_eval_run(
            EvalRunRow(
                id=f"{dt.datetime.now():%Y%m%d-%H%M%S}-{out.name}"[:64],
                git_commit=record.git.get("commit"),
                model=record.model,
                metrics={k: v.model_dump(mode="json") for k, v in record.metrics.items()},
                record=record.model_dump(mode="json"),
            )
        )
        store.close()
        click.echo(f"stored the run in the database ({settings.database_url.split('://')[0]})")
    except Exception as e:  # the files are written; a database problem must not fail the run
        click.echo(f"warning: run not stored in the database: {e}", err=True)


def gate(
    record: RunRecord,
    under: list[tuple[str, float]],
    over: list[tuple[str, float]],
    baseline: RunRecord | None,
    max_drop: float | None,
) -> list[str]:
    """The thresholds the run fails (each printed as FAIL on stderr)."""
    failures = gates.fail_under(record, under) + gates.fail_over(record, over)
    if baseline is not None:
        failures += gates.max_drop(record, baseline, max_drop or 0.0)
    for f in failures:
        click.echo(f"FAIL {f}", err=True)
    return failures
