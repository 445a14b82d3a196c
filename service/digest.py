"""Content digests that decide when a stored brief may be reused (service cache and eval cache)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

SERVICE_ROOT = Path(__file__).resolve().parent


def files_digest(root: Path, pattern: str, without: frozenset[str] = frozenset()) -> str:
    """SHA-256 over the relative paths and contents of the files under ``root`` matching ``pattern`` (less
    those in the top-level folders named in ``without``)."""
    h = hashlib.sha256()
    for path in sorted(root.rglob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts and path.relative_to(root).parts[0] not in without:
            h.update(str(path.relative_to(root)).encode())
            h.update(b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


@lru_cache
def code_digest() -> str:
    """Digest of the service code that writes briefs and of the word lists it reads (``text/lexicons/*.txt``):
    a change to either must not reuse stored briefs."""
    parts = files_digest(SERVICE_ROOT, "*.py") + files_digest(SERVICE_ROOT, "*.txt")
    return hashlib.sha256(parts.encode()).hexdigest()


@lru_cache
def prompts_digest(prompts_dir: Path, without: frozenset[str] = frozenset()) -> str:
    """Digest of every prompt file, less the tasks named in ``without`` (read once per process, like the
    prompts themselves)."""
    return files_digest(prompts_dir, "*.yaml", without)


def prompt_digest(prompts_dir: Path, task: str, version: str = "v1") -> str:
    """SHA-256 of one prompt file, ``<prompts_dir>/<task>/<version>.yaml``."""
    return hashlib.sha256((prompts_dir / task / f"{version}.yaml").read_bytes()).hexdigest()


def prompt_digests(prompts_dir: Path) -> dict[str, dict[str, str]]:
    """task → version → :func:`prompt_digest` of every prompt file."""
    return {
        task.name: {f.stem: prompt_digest(prompts_dir, task.name, f.stem) for f in sorted(task.glob("*.yaml"))}
        for task in sorted(prompts_dir.iterdir())
        if task.is_dir()
    }
