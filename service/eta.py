"""How long a brief will take, from how long the last ones took on the same model (``timings.json`` in the
cache directory). An estimate, not a promise: none until one brief has finished on that model."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

KEEP = 10  # last briefs remembered per model
FILE = "timings.json"


class Timings:
    """Seconds per 1,000 characters of input of the last briefs, per backend/model."""

    def __init__(self, cache_dir: Path, model_key: str) -> None:
        self.path = Path(cache_dir) / FILE
        self.key = model_key

    def _load(self) -> dict[str, list[float]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def estimate(self, chars: int) -> float | None:
        """Expected seconds for a brief of ``chars`` characters of articles, or None with no history."""
        rates = [r for r in self._load().get(self.key, []) if isinstance(r, int | float) and r > 0]
        return statistics.median(rates) * max(chars, 1) / 1000 if rates else None

    def record(self, chars: int, seconds: float) -> None:
        """Remember one finished brief (never raises: timings are a convenience)."""
        try:
            data = self._load()
            rates = [*data.get(self.key, []), round(seconds * 1000 / max(chars, 1), 4)][-KEEP:]
            data[self.key] = rates
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:
            pass
