"""Command line: ``crossbrief brief FILE...`` and ``crossbrief serve``."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

import click
from pydantic import ValidationError

from evals.cli import eval_group
from service.config import Settings, get_settings
from service.errors import CrossbriefError
from service.keys_cli import keys_group
from service.llm import LLMProvider
from service.pipeline import build_brief
from service.pipeline.render import to_json, to_markdown
from service.schemas import ArticleIn, BriefOptions, BriefRequest


def outlet_from_path(path: Path) -> str:
    """'al-jazeera.txt' → 'Al Jazeera'."""
    words = path.stem.replace("_", " ").replace("-", " ").split()
    if len(words) == 1 and len(words[0]) <= 4:
        return words[0].upper()  # 'cnn' → 'CNN'
    return " ".join(w.capitalize() for w in words) or path.name


def read_article(path: Path, outlet: str | None) -> ArticleIn:
    """An article from a .txt/.md (text) or .html/.htm (HTML) file."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    body = {"html": raw} if path.suffix.lower() in (".html", ".htm") else {"text": raw}
    return ArticleIn(outlet=outlet or outlet_from_path(path), **body)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def main(verbose: bool) -> None:
    """crossbrief: neutral multi-source news briefs."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )


@main.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--outlet", "outlets", multiple=True, help="Outlet of each file, in order (default: file name)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True
)
@click.option("--strategy", type=click.Choice(["staged", "single"]), default=None, help="Default: settings.")
@click.option("--length", type=click.Choice(["short", "medium", "long"]), default="medium", show_default=True)
@click.option("--backend", type=click.Choice(["local", "openai", "openai-compatible"]), default=None)
@click.option("--model", default=None, help="Model alias, GGUF path or remote model name.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
def brief(
    files: tuple[Path, ...],
    outlets: tuple[str, ...],
    fmt: str,
    strategy: str | None,
    length: str,
    backend: str | None,
    model: str | None,
    output: Path | None,
) -> None:
    """Write a brief of FILE... (two or more articles about one event)."""
    if outlets and len(outlets) != len(files):
        raise click.UsageError(f"--outlet given {len(outlets)} times for {len(files)} files")
    base = get_settings()
    settings = base.model_copy(update={k: v for k, v in {"backend": backend, "model": model}.items() if v})
    try:
        request = BriefRequest(
            articles=[read_article(f, outlets[i] if outlets else None) for i, f in enumerate(files)],
            options=BriefOptions(strategy=strategy, length=length),  # type: ignore[arg-type]
        )
    except ValidationError as e:
        raise click.UsageError(str(e)) from e
    provider = LLMProvider(settings)
    try:
        llm = provider.start()
        result = asyncio.run(build_brief(request, llm, settings))
    except CrossbriefError as e:
        click.echo(f"error ({e.code}): {e.message}", err=True)
        sys.exit(2 if e.status_code == 422 else 1)
    finally:
        provider.close()
    text = to_json(result) if fmt == "json" else to_markdown(result)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text)


@main.command()
@click.option("--host", default=None, help="Default: CROSSBRIEF_HOST or 127.0.0.1.")
@click.option("--port", type=int, default=None, help="Default: CROSSBRIEF_PORT or 8000.")
def serve(host: str | None, port: int | None) -> None:
    """Run the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from service.main import create_app
    from service.observability import configure_logging

    settings: Settings = get_settings()
    if host:  # auth "auto" decides by the address actually bound
        settings = settings.model_copy(update={"host": host})
    configure_logging(settings)
    uvicorn.run(
        create_app(settings), host=settings.host, port=port or settings.port, log_config=None, access_log=False
    )


@main.command()
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Jobs at once (CROSSBRIEF_WORKER_JOBS).")
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
@click.option("--check", is_flag=True, help="Health check: exit 0 if a worker on this host is alive, else 1.")
@click.option(
    "--metrics-port", type=click.IntRange(1, 65535), default=None,
    help="Serve Prometheus /metrics on this port (CROSSBRIEF_WORKER_METRICS_PORT), bound to CROSSBRIEF_HOST.",
)
def worker(jobs: int | None, burst: bool, check: bool, metrics_port: int | None) -> None:
    """Run brief jobs from the Redis queue (needs REDIS_URL and a shared DATABASE_URL)."""
    from service.jobs import worker as jobs_worker
    from service.observability import configure_logging

    settings: Settings = get_settings()
    if not settings.redis_url:
        raise click.UsageError("crossbrief worker needs a Redis queue: set REDIS_URL (or CROSSBRIEF_REDIS_URL)")
    if check:
        sys.exit(jobs_worker.check(settings))
    if jobs:
        settings = settings.model_copy(update={"worker_jobs": jobs})
    if metrics_port:
        settings = settings.model_copy(update={"worker_metrics_port": metrics_port})
    configure_logging(settings)
    jobs_worker.make_worker(settings, burst=burst).run()


@main.command("prepare-model")
@click.option("--model", default=None, help="Alias or GGUF path (default: settings).")
def prepare_model(model: str | None) -> None:
    """Join and verify the embedded model file once (the server and CLI reuse it)."""
    from service.llm.models import resolve_model

    settings = get_settings()
    try:
        found = resolve_model(model or settings.model, settings.cache_dir)
    except CrossbriefError as e:
        click.echo(f"error ({e.code}): {e.message}", err=True)
        sys.exit(1)
    click.echo(f"{found.name}: {found.path}")


@main.command("settings")
def show_settings() -> None:
    """Print the effective settings (secrets hidden)."""
    click.echo(json.dumps(get_settings().model_dump(mode="json"), indent=2, default=str))


main.add_command(eval_group)
main.add_command(keys_group)


if __name__ == "__main__":
    main()
