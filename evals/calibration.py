"""Judge calibration: run the judge on hand-labelled claim/statement pairs and measure its agreement
with the labels. Printed in every report, so a score is read next to how far its judge can be trusted."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.dataset import DatasetError
from evals.judges import ModelJudge
from service.config import REPO_ROOT

DEFAULT_CALIBRATION = REPO_ROOT / "evals" / "calibration"
TRUSTED = 0.85  # agreement below this on a kind of pair is called out in every report


class CalibrationPair(BaseModel):
    """A claim, a statement and whether a careful human says the statement states the claim."""

    model_config = ConfigDict(extra="forbid")

    id: str
    claim: str
    statement: str
    label: Literal["yes", "no"]
    kind: str | None = None
    source: Literal["real", "written"] = Field(
        "written", description="real: drawn from real news sentences (AllSides); written: composed here."
    )


class CalibrationSet(BaseModel):
    """A calibration file."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    pairs: list[CalibrationPair] = Field(..., min_length=1)


class Disagreement(BaseModel):
    """A pair where the judge's answer differs from the label (or is unscored)."""

    id: str
    kind: str | None
    claim: str
    statement: str
    label: str
    answer: str
    reason: str
    by: str
    source: str = "written"


class Agreement(BaseModel):
    """Agreement on one group of pairs (a kind, or a source)."""

    pairs: int
    scored: int
    agree: int
    false_yes: int
    false_no: int
    agreement: float | None


class CalibrationResult(BaseModel):
    """The judge's agreement with the human labels."""

    file: str
    sha256: str
    pairs: int
    scored: int
    agree: int
    unscored: int
    by_code: int = Field(..., description="Pairs settled by code (figures, near-exact wording).")
    agreement: float | None = Field(..., description="agree / scored; None when nothing was scored.")
    true_yes: int
    false_yes: int
    true_no: int
    false_no: int
    disagreements: list[Disagreement]
    sampled: bool = Field(False, description="Only some of the file's pairs were judged (--calibration-limit).")
    by_kind: dict[str, Agreement] = Field(default_factory=dict, description="Agreement per kind of pair.")
    by_source: dict[str, Agreement] = Field(
        default_factory=dict, description="Agreement per source: real (AllSides sentences) or written here."
    )

    def weak(self) -> list[str]:
        """Kinds whose agreement is below ``TRUSTED`` (with at least 5 scored pairs)."""
        return [
            f"{k} {a.agreement:.0%}"
            for k, a in self.by_kind.items()
            if a.agreement is not None and a.scored >= 5 and a.agreement < TRUSTED
        ]

    def line(self) -> str:
        """One line for reports."""
        if self.agreement is None:
            return f"judge agreement: not measured ({self.unscored} of {self.pairs} pairs unscored)"
        sources = ", ".join(f"{k} {a.agreement:.1%} of {a.scored}" for k, a in self.by_source.items() if a.agreement)
        weak = self.weak()
        return (
            f"judge agreement with human labels: {self.agreement:.1%} ({self.agree}/{self.scored} scored, "
            f"{self.unscored} unscored; false yes {self.false_yes}, false no {self.false_no}) on {Path(self.file).name}"
            + (f", {self.pairs} of its pairs" if self.sampled else "")
            + (f"; by source: {sources}" if sources else "")
            + (f"; BELOW {TRUSTED:.0%} on: {', '.join(weak)}" if weak else "")
        )


def _agreement(rows: list[tuple[str, str]]) -> Agreement:
    """(label, answer) rows → agreement counts."""
    scored = [(lab, ans) for lab, ans in rows if ans != "unscored"]
    agree = sum(lab == ans for lab, ans in scored)
    return Agreement(
        pairs=len(rows),
        scored=len(scored),
        agree=agree,
        false_yes=sum(lab == "no" and ans == "yes" for lab, ans in scored),
        false_no=sum(lab == "yes" and ans == "no" for lab, ans in scored),
        agreement=round(agree / len(scored), 4) if scored else None,
    )


def calibration_files(path: Path) -> list[Path]:
    """The calibration files at ``path``: the file itself, or every ``*.yaml`` in the folder."""
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


def load_calibration(path: Path) -> CalibrationSet:
    """Read and validate a calibration file, or every file in a folder (pair ids unique across them);
    raises DatasetError naming the file and the field."""
    files = calibration_files(path)
    if not files:
        raise DatasetError(path, "-", "no calibration files (*.yaml) here")
    sets = [_load_one(f) for f in files]
    pairs = [p for cs in sets for p in cs.pairs]
    seen: dict[str, Path] = {}
    for f, cs in zip(files, sets, strict=True):
        for i, p in enumerate(cs.pairs):
            if p.id in seen:
                raise DatasetError(f, f"pairs[{i}].id", f"duplicate id {p.id!r} (also in {seen[p.id].name})")
            seen[p.id] = f
    return CalibrationSet(pairs=pairs)


def _load_one(path: Path) -> CalibrationSet:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise DatasetError(path, "-", f"cannot read: {e}") from e
    try:
        data = CalibrationSet.model_validate(raw)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        field = ".".join(str(p) for p in err["loc"]) or "-"
        raise DatasetError(path, field, "unknown key" if err["type"] == "extra_forbidden" else err["msg"]) from e
    seen: set[str] = set()
    for i, p in enumerate(data.pairs):
        if p.id in seen:
            raise DatasetError(path, f"pairs[{i}].id", f"duplicate id {p.id!r}")
        seen.add(p.id)
    return data


def spread(pairs: list[CalibrationPair], n: int) -> list[CalibrationPair]:
    """``n`` pairs taken evenly across the list (files group pairs by case: the first n would be one case)."""
    if n >= len(pairs):
        return pairs
    return [pairs[i * len(pairs) // n] for i in range(n)]


async def calibrate(
    path: Path, judge: ModelJudge, *, limit: int | None = None, progress: Callable[[], None] | None = None
) -> CalibrationResult:
    """Judge every pair (``limit`` of them, spread evenly over the file, when given) and count agreements."""
    data = load_calibration(path)
    pairs = spread(data.pairs, limit) if limit else data.pairs

    async def one(p: CalibrationPair) -> tuple[CalibrationPair, str, str, str]:
        j = await judge.judge(p.claim, p.statement)
        if progress:
            progress()
        return p, j.answer, j.reason, j.by

    judged = await asyncio.gather(*(one(p) for p in pairs))
    kinds: dict[str, list[tuple[str, str]]] = {}
    sources: dict[str, list[tuple[str, str]]] = {}
    for p, answer, _, _ in judged:
        kinds.setdefault(p.kind or "-", []).append((p.label, answer))
        sources.setdefault(p.source, []).append((p.label, answer))
    counts, unscored, by_code, disagreements = _count(judged)
    scored = len(pairs) - unscored
    agree = counts["yy"] + counts["nn"]
    return CalibrationResult(
        file=str(path),
        sha256=hashlib.sha256(b"".join(f.read_bytes() for f in calibration_files(path))).hexdigest(),
        pairs=len(pairs),
        scored=scored,
        agree=agree,
        unscored=unscored,
        by_code=by_code,
        agreement=agree / scored if scored else None,
        true_yes=counts["yy"],
        false_yes=counts["ny"],
        true_no=counts["nn"],
        false_no=counts["yn"],
        disagreements=disagreements,
        sampled=len(pairs) < len(data.pairs),
        by_kind={k: _agreement(v) for k, v in sorted(kinds.items())},
        by_source={k: _agreement(v) for k, v in sorted(sources.items())},
    )


def _count(
    judged: list[tuple[CalibrationPair, str, str, str]],
) -> tuple[dict[str, int], int, int, list[Disagreement]]:
    """Label/answer counts ("yy", "ny", "nn", "yn"), unscored pairs, pairs decided by code, disagreements."""
    counts = {"yy": 0, "ny": 0, "nn": 0, "yn": 0}  # label+answer initials
    unscored = by_code = 0
    disagreements = []
    for p, answer, reason, by in judged:
        by_code += by == "code"
        if answer == "unscored":
            unscored += 1
        else:
            counts[p.label[0] + answer[0]] += 1
        if answer != p.label:
            disagreements.append(
                Disagreement(
                    id=p.id,
                    kind=p.kind,
                    claim=p.claim,
                    statement=p.statement,
                    label=p.label,
                    answer=answer,
                    reason=reason,
                    by=by,
                    source=p.source,
                )
            )
    return counts, unscored, by_code, disagreements


def agreement_table(result: CalibrationResult) -> str:
    """Agreement, false yes and false no per source and per kind, as aligned text."""
    lines = [f"  {'group':28} {'agreement':>9} {'scored':>6} {'false yes':>9} {'false no':>8}"]
    groups = [(f"source {k}", a) for k, a in result.by_source.items()]
    groups += [(f"kind {k}", a) for k, a in result.by_kind.items()]
    for name, a in groups:
        value = "-" if a.agreement is None else f"{a.agreement:.1%}"
        flag = "  < 85%" if a.agreement is not None and a.scored >= 5 and a.agreement < TRUSTED else ""
        lines.append(f"  {name:28} {value:>9} {a.scored:>6} {a.false_yes:>9} {a.false_no:>8}{flag}")
    return "\n".join(lines)
