"""A content-addressed cache of model outputs (briefs and judge answers), one JSON file per entry.

A key is the SHA-256 of everything that decides the output: the case content, the options, the
backend and model, the prompt files and the pipeline code. Re-running unchanged inputs costs no model
call; changing any of them misses the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

DEFAULT_CACHE_DIR = Path.home() / ".cache" / "crossbrief" / "evals"


def content_key(*parts: Any) -> str:
    """SHA-256 of the parts as canonical JSON."""
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Cache:
    """JSON values stored under ``<root>/<kind>/<key[:2]>/<key>.json``; ``enabled=False`` stores nothing."""

    def __init__(self, root: Path, *, enabled: bool = True) -> None:
        self.root = Path(root).expanduser()
        self.enabled = enabled
        self.hits = 0
        self.misses = 0

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.json"

    def get(self, kind: str, key: str) -> Any | None:
        """The stored value, or None when absent, unreadable or the cache is disabled."""
        if not self.enabled:
            return None
        try:
            value = json.loads(self._path(kind, key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store ``value`` atomically (a crash never leaves half a file)."""
        if not self.enabled:
            return
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(value, f, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
