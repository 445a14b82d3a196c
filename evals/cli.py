"""``crossbrief eval run | compare | calibrate``. Exit codes: 0 ok, 1 a threshold failed, 2 usage or
dataset error."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import click

from evals import cli_run as run
from evals import compare as gates
from evals import screen_training
from evals.allsides import DEFAULT_CLUSTERS
from evals.cache import DEFAULT_CACHE_DIR, Cache
from evals.calibration import (
    DEFAULT_CALIBRATION,
    agreement_table,
    calibrate,
    load_calibration,
)
from evals.compare import RecordError, compare_text, load_record
from evals.dataset import DatasetError
from evals.judges import JUDGE_PROMPT, ModelJudge
from evals.llms import LazyLLM
from evals.report import markdown_table
from service.config import Settings, get_settings
from service.errors import CrossbriefError
from service.llm import LLMProvider, backends
from service.storage import Store

BACKENDS = click.Choice(backends.names())


def _injected(ctx: click.Context, key: str) -> Any:
    # Tests hand in settings and a provider with scripted models through ``obj``.
    return ctx.obj.get(key) if isinstance(ctx.obj, dict) else None


def _provider(ctx: click.Context, settings: Settings) -> LLMProvider:
    provider = _injected(ctx, "provider")
    return provider if isinstance(provider, LLMProvider) else LLMProvider(settings)


def _settings(ctx: click.Context, backend: str | None, model: str | None) -> Settings:
    base = _injected(ctx, "settings")
    base = base if isinstance(base, Settings) else get_settings()
    return base.model_copy(update={k: v for k, v in {"backend": backend, "model": model}.items() if v})


@click.group("eval")
def eval_group() -> None:
    """Score briefs against hand-labelled facts (evals/datasets)."""


@eval_group.command("run")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--backend", type=BACKENDS, default=None, help="Backend that writes briefs and judges (default: settings)."
)
@click.option("--model", default=None, help="Model alias, GGUF path or remote model name.")
@click.option("--strategy", type=click.Choice(["staged", "single"]), default=None, help="Default: settings.")
@click.option("--length", type=click.Choice(["short", "medium", "long"]), default="medium", show_default=True)
@click.option("--repeat", type=click.IntRange(1, 100), default=1, show_default=True, help="Briefs per case.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=1, show_default=True, help="Briefs at once.")
@click.option("--service-url", default=None, help="Get briefs from a running service (POST URL/v1/briefs).")
@click.option(
    "--workers",
    type=click.Choice(["local", "queue"]),
    default="local",
    show_default=True,
    help="queue: fan the briefs out as jobs on the Redis queue (REDIS_URL) to `crossbrief worker`s.",
)
@click.option(
    "--briefs",
    "briefs_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Score saved briefs DIR/<case-id>.json instead of writing them.",
)
@click.option("--judge-backend", type=BACKENDS, default=None, help="Judge backend (default: --backend).")
@click.option("--judge-model", default=None, help="Judge model (default: --model).")
@click.option(
    "--judge-prompt", default=JUDGE_PROMPT, show_default=True, help="Judge prompt version (prompts/judge/<v>.yaml)."
)
@click.option(
    "--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CACHE_DIR, show_default=True
)
@click.option("--no-cache", is_flag=True, help="Ignore and do not write the cache.")
@click.option(
    "--calibration",
    "calibration_file",
    type=click.Path(path_type=Path),
    default=DEFAULT_CALIBRATION,
    show_default=True,
    help="Judge calibration pairs: a file, or a folder of them.",
)
@click.option(
    "--calibration-limit", type=click.IntRange(1), default=None, help="Only N pairs, spread evenly over the file."
)
@click.option("--no-calibration", is_flag=True, help="Do not measure the judge's agreement.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Report folder (default: evals/runs/<time>-<commit>).",
)
@click.option("--fail-under", multiple=True, metavar="METRIC=VALUE", help="Exit 1 when METRIC's mean is below.")
@click.option("--fail-over", multiple=True, metavar="METRIC=VALUE", help="Exit 1 when METRIC's mean is above.")
@click.option("--baseline", type=click.Path(exists=True, path_type=Path), default=None, help="Earlier run.json.")
@click.option(
    "--max-drop", type=float, default=None, help="Exit 1 when a metric is worse than --baseline by more (default 0)."
)
@click.option(
    "--peers",
    default="",
    metavar="LIST",
    help="Also brief every case with these, scored side by side: single (one prompt, verified), baseline "
    "(one plain prompt, taken as written). E.g. --peers single,baseline.",
)
@click.option("--progress/--no-progress", default=True, show_default=True, help="Progress on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Same as --no-progress.")
@click.option("--store/--no-store", default=True, show_default=True, help="Also keep the run in the database.")
@click.pass_context
def run_cmd(ctx: click.Context, paths: tuple[Path, ...], **o: Any) -> None:
    """Run and score every case under PATH... and write run.json and report.html."""
    under, over, peers = run.check_options(o)
    cases, baseline, pairs = run.load_inputs(paths, o)
    settings = _settings(ctx, o["backend"], o["model"])
    if o["workers"] == "queue" and not settings.redis_url:
        raise click.UsageError("--workers queue needs a Redis queue: set REDIS_URL (or CROSSBRIEF_REDIS_URL)")
    options = run.run_options(o)
    provider = _provider(ctx, settings)
    cache = Cache(o["cache_dir"], enabled=not o["no_cache"])
    llm = LazyLLM(provider)
    judge_llm = (
        LazyLLM(provider, o["judge_backend"], o["judge_model"]) if (o["judge_backend"] or o["judge_model"]) else llm
    )
    judge = ModelJudge(judge_llm, cache, concurrency=max(2, o["concurrency"]), prompt=o["judge_prompt"])
    started = time.perf_counter()
    try:
        results, peer_results, calib = run.score(cases, peers, pairs, options, settings, judge, cache, llm, o)
    finally:
        provider.close()
    record = run.record_of(cases, results, calib, settings, options, llm, judge, cache, time.perf_counter() - started)
    run.add_peers(record, peer_results)
    out = run.write_report(record, o["out"])
    if o["store"]:
        run.store_run(record, out, settings)
    sys.exit(1 if run.gate(record, under, over, baseline, o["max_drop"]) else 0)


@eval_group.command("history")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@click.option("--metric", "metrics", multiple=True, default=("fact_recall", "conflict_recall", "citation_validity"))
def history_cmd(limit: int, metrics: tuple[str, ...]) -> None:
    """Eval runs kept in the database, newest first, with a few metrics."""
    store = Store(Settings().database_url)
    store.upgrade()
    click.echo("\t".join(["run", "commit", "model", *metrics]))
    for row in store.list_eval_runs(limit):
        means = [(row.metrics.get(m) or {}).get("mean") for m in metrics]
        values = ["-" if v is None else f"{v:.3f}" for v in means]
        click.echo("\t".join([row.id, (row.git_commit or "")[:7], row.model or "", *values]))
    store.close()


@eval_group.command("compare")
@click.argument("a", type=click.Path(exists=True, path_type=Path))
@click.argument("b", type=click.Path(exists=True, path_type=Path))
@click.option("--fail-under", multiple=True, metavar="METRIC=VALUE", help="Exit 1 when B's METRIC is below.")
@click.option("--fail-over", multiple=True, metavar="METRIC=VALUE", help="Exit 1 when B's METRIC is above.")
@click.option("--max-drop", type=float, default=None, help="Exit 1 when B is worse than A by more than this.")
def compare_cmd(
    a: Path, b: Path, fail_under: tuple[str, ...], fail_over: tuple[str, ...], max_drop: float | None
) -> None:
    """Per-metric and per-item differences from run A (baseline) to run B."""
    under, over = run.thresholds(fail_under), run.thresholds(fail_over)
    try:
        ra, rb = load_record(a), load_record(b)
    except RecordError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    click.echo(compare_text(ra, rb, str(a), str(b)))
    failures = gates.fail_under(rb, under) + gates.fail_over(rb, over)
    if max_drop is not None:
        failures += gates.max_drop(rb, ra, max_drop)
    for f in failures:
        click.echo(f"FAIL {f}", err=True)
    sys.exit(1 if failures else 0)


@eval_group.command("calibrate")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, path_type=Path),
    default=DEFAULT_CALIBRATION,
    show_default=True,
)
@click.option("--backend", type=BACKENDS, default=None)
@click.option("--model", default=None)
@click.option("--limit", type=click.IntRange(1), default=None, help="Only N pairs, spread evenly over the file.")
@click.option(
    "--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_CACHE_DIR, show_default=True
)
@click.option("--no-cache", is_flag=True)
@click.option("--show", type=click.IntRange(0), default=20, show_default=True, help="Disagreements to list.")
@click.option("--judge-prompt", default=JUDGE_PROMPT, show_default=True, help="Judge prompt version.")
@click.pass_context
def calibrate_cmd(
    ctx: click.Context,
    path: Path,
    backend: str | None,
    model: str | None,
    limit: int | None,
    cache_dir: Path,
    no_cache: bool,
    show: int,
    judge_prompt: str,
) -> None:
    """Measure the judge's agreement with the hand-labelled calibration pairs."""
    try:
        total = len(load_calibration(path).pairs)
    except DatasetError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    settings = _settings(ctx, backend, model)
    provider = _provider(ctx, settings)
    judge = ModelJudge(LazyLLM(provider), Cache(cache_dir, enabled=not no_cache), prompt=judge_prompt)
    try:
        with run.progress_display("calibration", min(total, limit or total), True) as display:
            result = asyncio.run(calibrate(path, judge, limit=limit, progress=lambda: display.item("pair")))
    except CrossbriefError as e:
        click.echo(f"error ({e.code}): {e.message}", err=True)
        sys.exit(1)
    finally:
        provider.close()
    click.echo(f"judge {judge.llm.identity['backend']}/{judge.llm.identity['model']}: {result.line()}")
    click.echo(agreement_table(result))
    for d in result.disagreements[:show]:
        click.echo(f"  {d.id} [{d.kind}] label {d.label}, judge {d.answer} ({d.by}): {d.reason}")


@eval_group.command("table")
@click.argument("run", type=click.Path(exists=True, path_type=Path))
@click.option("--metric", "metrics", multiple=True, help="Only these metrics (default: all).")
def table_cmd(run: Path, metrics: tuple[str, ...]) -> None:
    """A run's metrics per case (and its peers'), as a Markdown table."""
    try:
        record = load_record(run)
    except RecordError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    click.echo(markdown_table(record, list(metrics) or None))


@eval_group.command("train-screen")
@click.option(
    "--clusters",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_CLUSTERS,
    show_default=True,
    help="The AllSides clusters file (negatives: the stories no bench or eval uses).",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=screen_training.OUT, show_default=True)
def train_screen_cmd(clusters: Path, out: Path) -> None:
    """Train the injection screen's learnt layer on the development halves (a minute or two)."""
    screen_training.train(clusters, out, click.echo)
