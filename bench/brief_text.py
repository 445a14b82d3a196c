"""Write the staged brief's text (headline, summary, fact statements), tokens and seconds for some cases to a
JSON file, so two commits can be compared: run it from each checkout (e.g. a `git worktree` of the older one,
with PYTHONPATH pointing at it) and diff the files.

    python bench/brief_text.py out.json evals/datasets/seeds/gaza-truce-2023-12.yaml evals/datasets/allsides/*.yaml
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from evals.dataset import load_case
from service.config import Settings
from service.llm import LLMProvider
from service.pipeline import build_brief
from service.schemas import BriefRequest


async def main(out: Path, cases: list[Path]) -> None:
    settings = Settings()
    provider = LLMProvider(settings)
    llm = provider.get()
    result: dict[str, Any] = {}
    try:
        for path in cases:
            lc = load_case(path)
            b = await build_brief(BriefRequest(articles=lc.case.articles_in()), llm, settings)
            result[lc.case.id] = {
                "headline": b.headline,
                "summary": b.summary,
                "facts": [f.statement for f in b.facts],
                "tokens": b.meta.tokens_in + b.meta.tokens_out,
                "seconds": b.meta.seconds,
                "calls": [f"{c.task} {c.tokens_in}+{c.tokens_out} tok {c.seconds:.1f} s" for c in b.meta.llm_calls],
                "provenance": b.meta.provenance,
                "checks": [
                    f"{c.item} {'ok' if c.supported else 'NO'} by {c.by}: {c.reason} | {c.text}" for c in b.meta.checks
                ],
                "warnings": b.meta.warnings,
            }
            print(f"{lc.case.id}: {result[lc.case.id]['tokens']} tokens, {b.meta.seconds:.1f} s")
    finally:
        provider.close()
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]))
