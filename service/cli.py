"""Command line: ``crossbrief brief FILE...`` and ``crossbrief serve``.

Heavy modules (the pipeline, the model backends, the eval harness) are imported when a command needs them,
so ``crossbrief brief`` can show its progress display within a second of the start."""

from __future__ import annotations

import asyncio
import importlib
import importlib.metadata
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from service.cli_progress import ProgressDisplay, pick_mode
from service.config import Settings, get_settings
from service.errors import CrossbriefError
from service.llm import backends

if TYPE_CHECKING:
    from service.schemas import ArticleIn

LAZY_COMMANDS = {"keys": "service.keys_cli:keys_group"}
# Commands other packages add to `crossbrief` (the evals' `crossbrief eval`), as entry points in this group of their
# distribution's metadata ("module:attribute"): the service names no package that builds on it.
COMMANDS_ENTRY_POINTS = "crossbrief.commands"


class _Commands(dict[str, click.Command]):
    """A group's commands, where the lazy ones (``own``, and those of the entry points) are imported on first use."""

    def __init__(self, own: dict[str, str]) -> None:
        super().__init__()
        self._own = own
        self._lazy: dict[str, str] | None = None

    @property
    def lazy(self) -> dict[str, str]:
        """Name -> "module:attribute" of every lazy command (entry points read once, when first needed)."""
        if self._lazy is None:
            found = importlib.metadata.entry_points(group=COMMANDS_ENTRY_POINTS)
            self._lazy = {**{ep.name: ep.value for ep in found}, **self._own}
        return self._lazy

    def __missing__(self, name: str) -> click.Command:
        if name not in self.lazy:
            raise KeyError(name)
        module, attr = self.lazy[name].split(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        self[name] = command
        return command

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name) or name in self.lazy

    def __iter__(self) -> Any:
        return iter(sorted({*super().keys(), *self.lazy}))


class LazyGroup(click.Group):
    """A click group whose listed sub-groups load when they are called (or listed in --help)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands(LAZY_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self.commands[cmd_name] if cmd_name in self.commands else None


def outlet_from_path(path: Path) -> str:
    """'al-jazeera.txt' → 'Al Jazeera'."""
    words = path.stem.replace("_", " ").replace("-", " ").split()
    if len(words) == 1 and len(words[0]) <= 4:
        return words[0].upper()  # 'cnn' → 'CNN'
    return " ".join(w.capitalize() for w in words) or path.name


def read_article(path: Path, outlet: str | None, lean: str | None = None, kind: str | None = None) -> ArticleIn:
    """An article from a .txt/.md (text) or .html/.htm (HTML) file."""
    from service.schemas import ArticleIn

    raw = path.read_text(encoding="utf-8", errors="replace")
    body = {"html": raw} if path.suffix.lower() in (".html", ".htm") else {"text": raw, "title": text_title(raw)}
    return ArticleIn(outlet=outlet or outlet_from_path(path), lean=lean, kind=kind, **body)  # type: ignore[arg-type]


def text_title(raw: str) -> str | None:
    """A text file's title: its first line when that line stands alone (a blank line after it), is at most 20
    words and does not end like a sentence ("Israel and Hamas negotiations for a new pause in fighting")."""
    first, sep, _ = raw.strip().partition("\n\n")
    first = first.strip()
    if not sep or "\n" in first or len(first.split()) > 20 or first.endswith((".", "!", "?", ":", '"', "”")):
        return None
    return first or None


@click.group(cls=LazyGroup)
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
    "--lean",
    "leans",
    multiple=True,
    type=click.Choice(["left", "lean-left", "center", "lean-right", "right", "unknown"]),
    help="Lean of each file's outlet, in order (default: the outlet table, else unknown).",
)
@click.option(
    "--kind", "kinds", multiple=True, type=click.Choice(["news", "opinion", "wire", "press-release", "state-media"]),
    help="Kind of each file, in order (opinion pieces and press releases never count as corroboration).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True
)
@click.option("--strategy", type=click.Choice(["staged", "single"]), default=None, help="Default: settings.")
@click.option("--length", type=click.Choice(["short", "medium", "long"]), default="medium", show_default=True)
@click.option("--backend", type=click.Choice(backends.names()), default=None)
@click.option("--model", default=None, help="Model alias, GGUF path or remote model name.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr (errors only).")
def brief(
    files: tuple[Path, ...],
    outlets: tuple[str, ...],
    leans: tuple[str, ...],
    kinds: tuple[str, ...],
    fmt: str,
    strategy: str | None,
    length: str,
    backend: str | None,
    model: str | None,
    output: Path | None,
    quiet: bool,
) -> None:
    """Write a brief of FILE... (two or more articles about one event). Progress goes to stderr: a live
    display on a terminal, one key=value line per event otherwise, nothing with --quiet."""
    for name, given in (("--outlet", outlets), ("--lean", leans), ("--kind", kinds)):
        if given and len(given) != len(files):
            raise click.UsageError(f"{name} given {len(given)} times for {len(files)} files")
    base = get_settings()
    settings = base.model_copy(update={k: v for k, v in {"backend": backend, "model": model}.items() if v})
    chars = sum(f.stat().st_size for f in files)
    display = ProgressDisplay(
        pick_mode(quiet), f"brief of {len(files)} articles", estimate=lambda: _estimate(settings, chars)
    )
    with display:
        result = _write_brief(display, settings, files, outlets, leans, kinds, strategy, length)
    if result is None:
        sys.exit(display.exit_code)
    _timings(settings).record(chars, display.elapsed())
    from service.pipeline.render import to_json, to_markdown

    text = to_json(result) if fmt == "json" else to_markdown(result)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text)


def _timings(settings: Settings) -> Any:
    from service.eta import Timings

    return Timings(settings.cache_dir, f"{settings.backend}/{settings.model}")


def _estimate(settings: Settings, chars: int) -> float | None:
    return _timings(settings).estimate(chars)  # type: ignore[no-any-return]


def _write_brief(
    display: ProgressDisplay,
    settings: Settings,
    files: tuple[Path, ...],
    outlets: tuple[str, ...],
    leans: tuple[str, ...],
    kinds: tuple[str, ...],
    strategy: str | None,
    length: str,
) -> Any:
    """Import the pipeline, load the model and write the brief, every step shown; None (with the error on
    stderr and ``display.exit_code`` set) when it fails."""
    display.step("startup", "started")
    from pydantic import ValidationError

    from service import progress
    from service.llm import LLMProvider
    from service.pipeline import build_brief
    from service.schemas import BriefOptions, BriefRequest

    display.step("startup", "finished")
    try:
        def nth(values: tuple[str, ...], i: int) -> str | None:
            return values[i] if values else None

        articles = [read_article(f, nth(outlets, i), nth(leans, i), nth(kinds, i)) for i, f in enumerate(files)]
        request = BriefRequest(
            articles=articles, options=BriefOptions(strategy=strategy, length=length)  # type: ignore[arg-type]
        )
    except ValidationError as e:
        raise click.UsageError(str(e)) from e
    provider = LLMProvider(settings)
    try:
        with progress.sink(display):
            display.step("model", "started")
            llm = provider.start()
            display.step("model", "finished")
            return asyncio.run(build_brief(request, llm, settings))
    except CrossbriefError as e:
        display.error = f"error ({e.code}): {e.message}"
        display.exit_code = 2 if e.status_code == 422 else 1
        return None
    finally:
        provider.close()


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
    from service.briefing import job_steps

    jobs_worker.make_worker(settings, job_steps, burst=burst).run()


@main.command("prepare-model")
@click.option("--model", default=None, help="Alias or GGUF path (default: settings).")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr (errors only).")
def prepare_model(model: str | None, quiet: bool) -> None:
    """Join and verify the embedded model file once (the server and CLI reuse it)."""
    from service import progress
    from service.llm.models import resolve_model

    settings = get_settings()
    display = ProgressDisplay(pick_mode(quiet), "prepare model")
    with display, progress.sink(display):
        display.step("model", "started")
        try:
            found = resolve_model(model or settings.model, settings.cache_dir)
        except CrossbriefError as e:
            display.error, display.exit_code = f"error ({e.code}): {e.message}", 1
        else:
            display.step("model", "finished")
    if display.exit_code:
        sys.exit(display.exit_code)
    click.echo(f"{found.name}: {found.path}")


@main.command("settings")
def show_settings() -> None:
    """Print the effective settings (secrets hidden)."""
    click.echo(json.dumps(get_settings().model_dump(mode="json"), indent=2, default=str))


if __name__ == "__main__":
    main()
