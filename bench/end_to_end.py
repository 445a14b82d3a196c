"""End to end on one model: every strategy over the seed case and the eval cases, in one run, with the
eval scores of each, so speed is never bought with quality.

python bench/end_to_end.py [--strategies staged,single] [--baseline single] [--model ALIAS] [--datasets PATH]

Each strategy is one `crossbrief eval run` (briefs and judge answers cached in --cache-dir: a second
run of unchanged code costs no model call and reports the seconds measured when each brief was made).
Prints, per strategy: the seed brief's wall seconds and tokens by task, totals over all cases, the
metric means, and ratios against --baseline."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

SEED = "gaza-truce-2023-12"
METRICS = [
    "fact_recall",
    "conflict_recall",
    "citation_validity",
    "unsupported_statements",
    "must_not_claim_violations",
    "unattributed_loaded_terms",
    "party_coverage",
    "schema_validity",
]


def run(strategy: str, args: argparse.Namespace) -> dict[str, Any]:
    out = args.out / strategy
    cmd = ["crossbrief", "eval", "run", *args.datasets, "--strategy", strategy, "--no-progress", "--no-store"]
    cmd += ["--cache-dir", str(args.cache_dir), "--out", str(out)]
    cmd += ["--no-calibration"] if not args.calibration else []
    cmd += ["--model", args.model] if args.model else []
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    record: dict[str, Any] = json.loads((out / "run.json").read_text())
    return record


def summarise(record: dict[str, Any]) -> dict[str, Any]:
    seed: dict[str, Any] = {}
    total = {"seconds": 0.0, "tokens_in": 0, "tokens_out": 0, "failed": 0}
    for case in record["cases"]:
        for rep in case["repeats"]:
            brief = rep.get("brief")
            if brief is None:
                total["failed"] += 1
                continue
            meta = brief["meta"]
            total["seconds"] += meta["seconds"]
            total["tokens_in"] += meta["tokens_in"]
            total["tokens_out"] += meta["tokens_out"]
            if case["id"] == SEED and not seed:
                by_task: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
                for call in meta["llm_calls"]:
                    by_task[call["task"]][0] += call["tokens_in"]
                    by_task[call["task"]][1] += call["tokens_out"]
                    by_task[call["task"]][2] += 1
                seed = {
                    "seconds": meta["seconds"],
                    "tokens_in": meta["tokens_in"],
                    "tokens_out": meta["tokens_out"],
                    "stages": meta["stage_seconds"],
                    "tasks": dict(by_task),
                }
    metrics = {m: (record["metrics"].get(m) or {}).get("mean") for m in METRICS}
    return {"seed": seed, "total": total, "metrics": metrics, "cases": len(record["cases"])}


def fmt(v: float | None, spec: str = ".3f") -> str:
    return "-" if v is None else format(v, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strategies", default="staged,single")
    parser.add_argument("--baseline", default="single", help="strategy the ratios are taken against")
    parser.add_argument("--model", default=None)
    parser.add_argument("--datasets", nargs="+", default=["evals/datasets"])
    parser.add_argument("--cache-dir", type=Path, default=Path(".cache/bench"))
    parser.add_argument("--out", type=Path, default=Path("bench/out/end_to_end"))
    parser.add_argument("--calibration", action="store_true", help="also measure the judge's agreement")
    args = parser.parse_args()
    rows = {s: summarise(run(s, args)) for s in args.strategies.split(",")}

    print(f"{os.cpu_count()} cores · model {args.model or 'default'} · datasets {' '.join(args.datasets)}")
    print("\nSeed brief (5 articles)")
    print(
        f"{'strategy':<9} {'wall s':>7} {'tok in':>7} {'tok out':>7}  tokens in/out (calls) by task; seconds by stage"
    )
    for s, r in rows.items():
        seed = r["seed"]
        if not seed:
            print(f"{s:<9} failed")
            continue
        tasks = ", ".join(f"{t} {a[0]}/{a[1]} ({a[2]})" for t, a in seed["tasks"].items())
        stages = ", ".join(f"{k} {v:.1f}" for k, v in seed["stages"].items())
        print(f"{s:<9} {seed['seconds']:>7.1f} {seed['tokens_in']:>7} {seed['tokens_out']:>7}  {tasks}; {stages}")
    print(f"\nAll cases ({next(iter(rows.values()))['cases']})")
    head = f"{'strategy':<9} {'wall s':>7} {'tok in':>7} {'tok out':>7} {'failed':>6} "
    print(head + " ".join(f"{m[:12]:>12}" for m in METRICS))
    for s, r in rows.items():
        t = r["total"]
        line = f"{s:<9} {t['seconds']:>7.1f} {t['tokens_in']:>7} {t['tokens_out']:>7} {t['failed']:>6} "
        print(line + " ".join(f"{fmt(r['metrics'][m]):>12}" for m in METRICS))
    base = rows.get(args.baseline)
    if base and base["seed"]:
        print(f"\nRatios against {args.baseline} (seed brief: wall, prompt tokens)")
        for s, r in rows.items():
            if s != args.baseline and r["seed"]:
                wall = r["seed"]["seconds"] / base["seed"]["seconds"]
                tok = r["seed"]["tokens_in"] / max(1, base["seed"]["tokens_in"])
                print(f"{s:<9} wall ×{wall:.2f}  prompt tokens ×{tok:.2f}")


if __name__ == "__main__":
    main()
