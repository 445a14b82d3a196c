"""Brief the seed articles with each strategy on one model in one run; print wall time and tokens.

python bench/seed_brief.py [--model qwen2.5-coder-1.5b] [--strategies staged,single] [--out DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path

from evals.dataset import load_case
from service.config import REPO_ROOT, Settings
from service.errors import CrossbriefError
from service.llm import LLMProvider
from service.pipeline import build_brief
from service.pipeline.render import to_json, to_markdown
from service.schemas import BriefOptions, BriefRequest

SEED_CASE = REPO_ROOT / "evals" / "datasets" / "seeds" / "gaza-truce-2023-12.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None, help="model alias or GGUF path (default: settings)")
    parser.add_argument("--strategies", default="staged,single")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    settings = Settings(model=args.model) if args.model else Settings()
    articles = load_case(SEED_CASE).case.articles_in()
    provider = LLMProvider(settings)
    t0 = time.perf_counter()
    llm = provider.start()
    load = time.perf_counter() - t0
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    runner = asyncio.Runner()
    try:
        for strategy in args.strategies.split(","):
            request = BriefRequest(articles=articles, options=BriefOptions(strategy=strategy))  # type: ignore[arg-type]
            started = time.perf_counter()
            try:
                brief = runner.run(build_brief(request, llm, settings))  # one loop: the client is bound to it
            except CrossbriefError as e:
                spent = time.perf_counter() - started
                print(f"{strategy}: failed after {spent:.1f} s: {e.code}: {e.message}", flush=True)
                continue
            wall = time.perf_counter() - started
            (args.out / f"seeds-{strategy}.md").write_text(to_markdown(brief))
            (args.out / f"seeds-{strategy}.json").write_text(to_json(brief))
            m = brief.meta
            rows.append(
                (
                    strategy,
                    wall,
                    m.tokens_in,
                    m.tokens_out,
                    len(m.llm_calls),
                    len(brief.facts),
                    len(brief.conflicts),
                    len(m.warnings),
                )
            )
    finally:
        runner.close()
        provider.close()
    print(f"model {llm.model_name} · {os.cpu_count()} cores · model load {load:.1f} s")
    print(
        f"{'strategy':<9} {'wall s':>7} {'tok in':>7} {'tok out':>7} {'calls':>5} {'facts':>5} {'confl':>5} {'warn':>5}"
    )
    for r in rows:
        print(f"{r[0]:<9} {r[1]:>7.1f} {r[2]:>7} {r[3]:>7} {r[4]:>5} {r[5]:>5} {r[6]:>5} {r[7]:>5}")
    print(f"briefs written to {args.out}/seeds-<strategy>.md|json")


if __name__ == "__main__":
    main()
