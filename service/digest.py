"""Content digests that decide when a stored brief may be reused (service cache and eval cache)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

SERVICE_ROOT = Path(__file__).resolve().parent


def files_digest(root: Path, pattern: str) -> str:
    """SHA-256 over the relative paths and contents of the files under ``root`` matching ``pattern``."""
    h = hashlib.sha256()
    for path in sorted(root.rglob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode())
            h.update(b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


@lru_cache
def code_digest() -> str:
    """Digest of the service code that writes briefs (a code change must not reuse stored briefs)."""
    return files_digest(SERVICE_ROOT, "*.py")


@lru_cache
def prompts_digest(prompts_dir: Path) -> str:
    """Digest of every prompt file (read once per process, like the prompts themselves)."""
    return files_digest(prompts_dir, "*.yaml")
