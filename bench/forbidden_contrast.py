"""How often the eval judge cannot tell a forbidden claim from the true fact it distorts (evals.judges.
match_forbidden): for every must-not-claim item of the real suites with a near labelled fact whose anchors it
matches, the strict judge is asked whether the forbidden claim itself states that fact. A yes means a brief
that stated the forbidden claim in those words would be cleared by the contrast, so the scorer keeps the
strict yes for those items. Prints one line per item and the counts; the judge's answers are cached.

    python bench/forbidden_contrast.py [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from evals.cache import Cache
from evals.dataset import load_case
from evals.judges import ModelJudge, anchor_spans, nearest_fact
from evals.llms import LazyLLM
from service.config import REPO_ROOT, get_settings
from service.llm import LLMProvider

SUITES = [REPO_ROOT / "evals" / "datasets" / "allsides", REPO_ROOT / "evals" / "datasets" / "seeds"]


async def main(cache_dir: Path) -> None:
    provider = LLMProvider(get_settings())
    judge = ModelJudge(LazyLLM(provider), Cache(cache_dir))
    counts = {"forbidden": 0, "near fact": 0, "asked": 0, "judge reads it as the fact": 0}
    try:
        for path in sorted(p for suite in SUITES for p in suite.glob("*.yaml")):
            case = load_case(path).case
            facts = [(f.id, f.claim, f.anchors) for f in case.facts]
            for c in case.must_not_claim:
                counts["forbidden"] += 1
                true = nearest_fact(c.claim, facts)
                if true is None:
                    continue
                counts["near fact"] += 1
                if anchor_spans(c.claim, true[2]) is None:
                    continue
                counts["asked"] += 1
                j = await judge.judge(true[1], c.claim, strict=True)
                counts["judge reads it as the fact"] += j.answer == "yes"
                print(f"{case.id[:40]:40} {c.id:28} {true[0]:32} {j.answer:4} {j.reason[:60]}")
    finally:
        provider.close()
    print("; ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "crossbrief" / "evals")
    asyncio.run(main(parser.parse_args().cache_dir))
