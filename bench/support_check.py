"""How well the pipeline's meaning check (service/pipeline/support.py) agrees with people, on the judge
calibration pairs: each pair's statement is the source sentence, its claim the sentence to check, and the
hand label says whether the statement supports the claim. Prints agreement overall, by who decided (code or
the model) and per kind, false yes / false no, and the seconds a model verdict costs.

    python bench/support_check.py [--limit 150] [--model qwen2.5-coder-1.5b]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from evals.calibration import CalibrationPair, CalibrationSet
from service.config import REPO_ROOT, Settings
from service.llm import LLMProvider
from service.pipeline.support import SupportChecker
from service.pipeline.tasks import TaskLog

PAIRS = REPO_ROOT / "evals" / "calibration"


def load_pairs(folder: Path, limit: int | None) -> list[CalibrationPair]:
    """Every pair under ``folder``; with ``limit``, that many spread evenly over them."""
    pairs = [
        p
        for f in sorted(folder.glob("*.yaml"))
        for p in CalibrationSet.model_validate(yaml.safe_load(f.read_text())).pairs
    ]
    if limit and limit < len(pairs):
        step = len(pairs) / limit
        pairs = [pairs[int(i * step)] for i in range(limit)]
    return pairs


async def run(pairs: list[CalibrationPair], settings: Settings) -> None:
    provider = LLMProvider(settings)
    llm = provider.start()
    log = TaskLog()
    checker = SupportChecker(llm, asyncio.Semaphore(settings.llm_concurrency), log)
    started = time.perf_counter()
    try:
        verdicts = await asyncio.gather(*(checker.check(p.id, p.claim, [p.statement]) for p in pairs))
    finally:
        provider.close()
    wall = time.perf_counter() - started
    by: dict[str, Counter] = defaultdict(Counter)
    kinds: dict[str, Counter] = defaultdict(Counter)
    decided = {c.item: c.by for c in log.checks}  # checks finish out of order: match them by pair id
    for pair, ok in zip(pairs, verdicts, strict=True):
        label = pair.label == "yes"
        outcome = "agree" if ok == label else "false_yes" if ok else "false_no"
        for bucket in (by["all"], by[decided[pair.id]], kinds[pair.kind or "-"]):
            bucket[outcome] += 1
    calls = [c for c in log.calls if c.task == "support_check"]
    print(f"{len(pairs)} pairs, model {llm.model_name}, {wall:.0f} s wall, {len(calls)} model verdicts")
    if calls:
        print(
            f"model verdict: {sum(c.seconds for c in calls) / len(calls):.2f} s and "
            f"{sum(c.tokens_in + c.tokens_out for c in calls) / len(calls):.0f} tokens on average"
        )
    print(f"{'decided by':12} {'pairs':>5} {'agree':>7} {'false yes':>9} {'false no':>8}")
    for name in ("all", "code", "model"):
        c = by[name]
        n = sum(c.values())
        if n:
            print(f"{name:12} {n:5} {c['agree'] / n:7.1%} {c['false_yes']:9} {c['false_no']:8}")
    print("per kind:")
    for kind, c in sorted(kinds.items(), key=lambda kv: -sum(kv[1].values())):
        n = sum(c.values())
        print(f"  {kind:28} {n:4} {c['agree'] / n:7.1%}  fy {c['false_yes']:3}  fn {c['false_no']:3}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only N pairs, spread evenly")
    parser.add_argument("--model", default=None)
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    args = parser.parse_args()
    settings = Settings(model=args.model) if args.model else Settings()
    asyncio.run(run(load_pairs(args.pairs, args.limit), settings))


if __name__ == "__main__":
    main()
