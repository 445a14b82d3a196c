"""``crossbrief keys create|list|revoke``: API keys for the HTTP API (stored as SHA-256 only)."""

from __future__ import annotations

import sys

import click

from service.api.security import check_rate_limit, create_key
from service.config import get_settings
from service.storage import Store


def _store() -> Store:
    store = Store(get_settings().database_url)
    store.upgrade()
    return store


def _rate_limit(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    try:
        return check_rate_limit(value) if value else None
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


@click.group("keys")
def keys_group() -> None:
    """API keys: create (shown once), list, revoke."""


@keys_group.command("create")
@click.argument("name")
@click.option("--rate-limit", callback=_rate_limit, help="This key's limit, e.g. 30/minute (default: settings).")
def create(name: str, rate_limit: str | None) -> None:
    """Make a key for NAME and print it once; only its hash is stored."""
    store = _store()
    try:
        row, key = create_key(store, name, rate_limit)
    finally:
        store.close()
    click.echo(key)
    click.echo(f"id {row.id} ({name}): keep the key now, it cannot be shown again", err=True)


@keys_group.command("list")
def list_keys() -> None:
    """Every key: id, prefix, name, rate limit, created, revoked (never the key)."""
    store = _store()
    try:
        rows = store.list_keys()
    finally:
        store.close()
    click.echo("id\tprefix\tname\trate_limit\tcreated\trevoked")
    for r in rows:
        revoked = r.revoked_at.isoformat(timespec="seconds") if r.revoked_at else "-"
        created = r.created_at.isoformat(timespec="seconds")
        click.echo(f"{r.id}\t{r.prefix}_…\t{r.name}\t{r.rate_limit or 'default'}\t{created}\t{revoked}")


@keys_group.command("revoke")
@click.argument("key_id")
def revoke(key_id: str) -> None:
    """Revoke key KEY_ID at once (requests with it get 401)."""
    store = _store()
    try:
        done = store.revoke_key(key_id)
    finally:
        store.close()
    if not done:
        click.echo(f"no active key with id {key_id}", err=True)
        sys.exit(1)
    click.echo(f"revoked {key_id}")
