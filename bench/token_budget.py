"""Token budget of the seed brief: tokens in and out per task, deterministic at temperature 0, so a CI guard
can catch a prompt or pipeline change that makes the model read or write more than it did.

    python bench/token_budget.py --model smollm2-135m                     # print the counts
    python bench/token_budget.py --model smollm2-135m --record FILE       # write them as the budget
    python bench/token_budget.py --model smollm2-135m --check FILE        # exit 1 past the budget +10 %

With --fail-on-truncation the check also fails when a call was cut at its token limit (tokens spent on output
that is thrown away); use it on the default model, not on the 135M test model, which rambles past limits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from evals.dataset import load_case
from service.config import REPO_ROOT, Settings
from service.llm import LLMProvider
from service.pipeline import build_brief
from service.schemas import BriefRequest

SEED_CASE = REPO_ROOT / "evals" / "datasets" / "seeds" / "gaza-truce-2023-12.yaml"
SLACK = 0.10


async def measure(settings: Settings) -> dict[str, Any]:
    """Tokens of one seed brief, in all and per task."""
    provider = LLMProvider(settings)
    try:
        llm = provider.start()
        brief = await build_brief(BriefRequest(articles=load_case(SEED_CASE).case.articles_in()), llm, settings)
    finally:
        provider.close()
    per_task: dict[str, dict[str, int]] = {}
    for c in brief.meta.llm_calls:
        row = per_task.setdefault(c.task, {"calls": 0, "tokens_in": 0, "tokens_out": 0})
        row["calls"] += 1
        row["tokens_in"] += c.tokens_in
        row["tokens_out"] += c.tokens_out
    truncated = [w for w in brief.meta.warnings if "truncated" in w]
    return {
        "model": brief.meta.model,
        "tokens_in": brief.meta.tokens_in,
        "tokens_out": brief.meta.tokens_out,
        "calls": len(brief.meta.llm_calls),
        "per_task": per_task,
        "truncated": truncated,
    }


def over_budget(
    got: dict[str, Any], budget: dict[str, Any], slack: float = SLACK, truncation: bool = False
) -> list[str]:
    """What grew past the budget by more than ``slack`` (and, with ``truncation``, any call cut at its limit:
    on the default model that is output thrown away; the 135M test model rambles past limits by nature)."""
    problems = [f"a call was cut at its token limit: {w}" for w in got["truncated"]] if truncation else []
    for key in ("tokens_in", "tokens_out"):
        if got[key] > budget[key] * (1 + slack):
            problems.append(f"{key} {got[key]} > budget {budget[key]} + {slack:.0%}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--record", type=Path, help="write the measured counts as the budget")
    parser.add_argument("--check", type=Path, help="compare with a recorded budget")
    parser.add_argument("--fail-on-truncation", action="store_true", help="also fail when a call was cut off")
    args = parser.parse_args()
    got = asyncio.run(measure(Settings(backend="local", model=args.model)))
    print(json.dumps(got, indent=1))
    if args.record:
        args.record.parent.mkdir(parents=True, exist_ok=True)
        args.record.write_text(json.dumps({k: v for k, v in got.items() if k != "truncated"}, indent=1) + "\n")
        print(f"budget written to {args.record}")
    if args.check:
        budget = json.loads(args.check.read_text())
        problems = over_budget(got, budget, truncation=args.fail_on_truncation)
        for p in problems:
            print(f"OVER BUDGET: {p}", file=sys.stderr)
        if problems:
            sys.exit(1)
        print(f"within budget ({budget['tokens_in']} in, {budget['tokens_out']} out, +{SLACK:.0%})")


if __name__ == "__main__":
    main()
