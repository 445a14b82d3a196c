"""The JSON run record: what was run (git commit, datasets, prompts, backend, model, settings), every
verdict, and each metric's mean and spread over repeats."""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from evals.calibration import CalibrationResult
from evals.judges import STRICT_PROMPT, JudgeStats
from evals.runner import CaseResult
from evals.scorers import METRICS
from service.config import REPO_ROOT, Settings

FORMAT = "crossbrief-eval-run/1"


class Stat(BaseModel):
    """A metric over repeats: mean, sample standard deviation (None for one repeat), range, count."""

    mean: float | None
    stdev: float | None
    min: float | None
    max: float | None
    n: int


class CaseRecord(CaseResult):
    """A case's repeats with each metric summarised over them."""

    metrics: dict[str, Stat]


class PeerRecord(BaseModel):
    """The same cases briefed another way (the single strategy, the plain one-prompt baseline), scored by the
    same judge, so a run is read against its peers."""

    strategy: str
    metrics: dict[str, Stat]
    cases: list[CaseRecord]


class RunRecord(BaseModel):
    """Everything one ``crossbrief eval run`` did and found."""

    format: str = FORMAT
    created: str
    command: list[str]
    git: dict[str, Any]
    source: str
    options: dict[str, Any]
    backend: str | None
    model: str | None
    judge: dict[str, Any]
    settings: dict[str, Any]
    prompts: dict[str, dict[str, str]] = Field(..., description="task → version → sha256 of the file.")
    datasets: list[dict[str, str]]
    calibration: CalibrationResult | None
    metrics: dict[str, Stat] = Field(..., description="Per repeat the mean over cases; then over repeats.")
    cache: dict[str, Any]
    seconds: float
    cases: list[CaseRecord]
    peers: dict[str, PeerRecord] = Field(default_factory=dict, description="strategy → its run on the same cases.")


def stat(values: list[float | None]) -> Stat:
    """Mean, spread and range of the values that are not None."""
    xs = [v for v in values if v is not None]
    if not xs:
        return Stat(mean=None, stdev=None, min=None, max=None, n=0)
    return Stat(
        mean=round(statistics.fmean(xs), 4),
        stdev=round(statistics.stdev(xs), 4) if len(xs) > 1 else None,
        min=round(min(xs), 4),
        max=round(max(xs), 4),
        n=len(xs),
    )


def summarise(cases: list[CaseResult]) -> tuple[dict[str, Stat], list[CaseRecord]]:
    """Run-level metrics (mean over cases per repeat, then stats over repeats) and per-case stats."""
    records = [
        CaseRecord(
            **c.model_dump(),
            metrics={m: stat([r.scores[m].value for r in c.repeats if m in r.scores]) for m in METRICS},
        )
        for c in cases
    ]
    repeats = max((len(c.repeats) for c in cases), default=0)
    run: dict[str, Stat] = {}
    for m in METRICS:
        per_repeat: list[float | None] = []
        for i in range(repeats):
            values = [c.repeats[i].scores[m].value for c in cases if i < len(c.repeats) and m in c.repeats[i].scores]
            per_repeat.append(stat(values).mean)
        run[m] = stat(per_repeat)
    return run, records


def git_info(root: Path = REPO_ROOT) -> dict[str, Any]:
    """Commit and whether the working tree has changes (None when git is unavailable)."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip()

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def public_settings(settings: Settings) -> dict[str, Any]:
    """Settings without secrets."""
    return settings.model_dump(mode="json", exclude={"api_key", "openai_api_key"})


def now() -> str:
    """UTC time stamp for records."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def judge_info(
    identity: dict[str, Any], prompt_sha256: str, stats: JudgeStats, prompt: str = "v1", rules: bool = True
) -> dict[str, Any]:
    """The judge's model, prompt, whether code's meaning checks ran first, and its cost."""
    return {
        **identity,
        "prompt": f"judge/{prompt}",
        "prompt_sha256": prompt_sha256,
        "code_rules": rules,
        "strict_prompt": f"judge/{STRICT_PROMPT}",
        "stats": stats.__dict__,
    }
