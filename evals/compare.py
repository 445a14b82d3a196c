"""Compare two run records and gate CI on thresholds: ``--fail-under``, ``--fail-over`` and
``--baseline FILE --max-drop X``."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from evals.record import RunRecord
from evals.scorers import METRICS


class RecordError(Exception):
    """A run record cannot be read."""


def load_record(path: Path) -> RunRecord:
    """A run record from ``run.json`` or a run folder holding one."""
    file = path / "run.json" if path.is_dir() else path
    try:
        return RunRecord.model_validate_json(file.read_text(encoding="utf-8"))
    except OSError as e:
        raise RecordError(f"{file}: cannot read: {e}") from e
    except ValidationError as e:
        raise RecordError(f"{file}: not a crossbrief eval run record: {e.errors(include_url=False)[0]['msg']}") from e


def parse_threshold(spec: str) -> tuple[str, float]:
    """'fact_recall=0.6' → ('fact_recall', 0.6); ValueError naming what is wrong."""
    name, sep, value = spec.partition("=")
    name = name.strip()
    if not sep or name not in METRICS:
        raise ValueError(f"{spec!r}: expected METRIC=VALUE with METRIC one of {', '.join(METRICS)}")
    try:
        return name, float(value)
    except ValueError as e:
        raise ValueError(f"{spec!r}: {value!r} is not a number") from e


def fail_under(record: RunRecord, limits: list[tuple[str, float]]) -> list[str]:
    """Failures: metrics whose mean is below the limit (or has no value)."""
    return _outside(record, limits, below=True)


def fail_over(record: RunRecord, limits: list[tuple[str, float]]) -> list[str]:
    """Failures: metrics whose mean is above the limit (or has no value)."""
    return _outside(record, limits, below=False)


def _outside(record: RunRecord, limits: list[tuple[str, float]], *, below: bool) -> list[str]:
    """Failures: metrics with no value, or whose mean is below (``below``) or above the limit."""
    need, fails = (">=", "<") if below else ("<=", ">")
    out = []
    for name, limit in limits:
        mean = record.metrics[name].mean if name in record.metrics else None
        if mean is None:
            out.append(f"{name} has no value (needed {need} {limit:g})")
        elif (mean < limit) if below else (mean > limit):
            out.append(f"{name} = {mean:.4g} {fails} {limit:g}")
    return out


def max_drop(record: RunRecord, baseline: RunRecord, drop: float) -> list[str]:
    """Failures: quality metrics (not costs) that got worse than the baseline by more than ``drop``."""
    out = []
    for name, info in METRICS.items():
        if info.kind == "cost":
            continue
        old = baseline.metrics.get(name)
        new = record.metrics.get(name)
        if old is None or old.mean is None:
            continue
        if new is None or new.mean is None:
            out.append(f"{name}: baseline {old.mean:.4g}, now no value")
            continue
        worse = old.mean - new.mean if info.better == "higher" else new.mean - old.mean
        if worse > drop + 1e-9:
            out.append(f"{name}: {old.mean:.4g} → {new.mean:.4g} (worse by {worse:.4g} > {drop:g})")
    return out


def _hit_rates(record: RunRecord, metric: str) -> dict[tuple[str, str], tuple[int, int]]:
    rates: dict[tuple[str, str], tuple[int, int]] = {}
    for c in record.cases:
        for r in c.repeats:
            score = r.scores.get(metric)
            for i in score.items if score else []:
                hits, scored = rates.get((c.id, i.id), (0, 0))
                rates[(c.id, i.id)] = (hits + (i.verdict == "hit"), scored + (i.verdict != "unscored"))
    return rates


def _rate(hs: tuple[int, int] | None) -> str:
    if hs is None:
        return "absent"
    return f"{hs[0]}/{hs[1]}" if hs[1] else "unscored"


def compare_text(a: RunRecord, b: RunRecord, a_name: str = "A", b_name: str = "B") -> str:
    """Per-metric and per-item differences between two runs, as text."""
    lines = [
        f"A: {a_name} ({a.created}, commit {str(a.git.get('commit'))[:10]}, {a.backend}/{a.model})",
        f"B: {b_name} ({b.created}, commit {str(b.git.get('commit'))[:10]}, {b.backend}/{b.model})",
        "",
        f"{'metric':28} {'A':>10} {'B':>10} {'B-A':>9}  better",
    ]
    for name, info in METRICS.items():
        x, y = a.metrics.get(name), b.metrics.get(name)
        xm, ym = (x.mean if x else None), (y.mean if y else None)
        delta = f"{ym - xm:+.4g}" if xm is not None and ym is not None else ""
        lines.append(f"{name:28} {_num(xm):>10} {_num(ym):>10} {delta:>9}  {info.better}")
    only_a = sorted({c.id for c in a.cases} - {c.id for c in b.cases})
    only_b = sorted({c.id for c in b.cases} - {c.id for c in a.cases})
    if only_a or only_b:
        lines += ["", f"cases only in A: {', '.join(only_a) or '-'}; only in B: {', '.join(only_b) or '-'}"]
    for metric in ("fact_recall", "conflict_recall", "must_not_claim_violations", "party_coverage"):
        ra, rb = _hit_rates(a, metric), _hit_rates(b, metric)
        shared = {c.id for c in a.cases} & {c.id for c in b.cases}
        changed = [
            (k, ra.get(k), rb.get(k))
            for k in sorted(set(ra) | set(rb))
            if k[0] in shared and _share(ra.get(k)) != _share(rb.get(k))
        ]
        lines += ["", f"{metric}: {len(changed)} item(s) changed (hits/scored repeats)"]
        lines += [f"  {case}/{item}: {_rate(x)} → {_rate(y)}" for (case, item), x, y in changed]
    return "\n".join(lines)


def _share(hs: tuple[int, int] | None) -> float | None:
    return hs[0] / hs[1] if hs and hs[1] else None


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.4g}"
