"""Scaling: time, tokens and memory of one brief of 2, 5, 10, 20 and 50 articles on one model.

python bench/scaling.py [--sizes 2,5,10,20,50] [--model ALIAS]

Articles come from the shipped eval cases (41 of them: the seed case first, then the fictional ones);
past 41 they repeat with new ids (near-duplicate wire copies, which alignment must fold together).
Prints wall seconds per stage, tokens, input characters, seconds per 1,000 input characters, and the
process's resident memory after each brief (peak and current)."""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import time
from pathlib import Path

from evals.dataset import load_case
from service.config import REPO_ROOT, Settings
from service.llm import LLMProvider
from service.pipeline import build_brief
from service.schemas import ArticleIn, BriefOptions, BriefRequest


def pool() -> list[ArticleIn]:
    files = sorted((REPO_ROOT / "evals" / "datasets").rglob("*.yaml"), key=lambda p: "seeds" not in p.parts)
    out: list[ArticleIn] = []
    for f in files:
        case = load_case(f).case
        out += [a.model_copy(update={"id": f"{case.id[:20]}-{a.id}"[:64]}) for a in case.articles_in()]
    return out


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2,5,10,20,50")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    settings = Settings(model=args.model) if args.model else Settings()
    articles = pool()
    provider = LLMProvider(settings)
    t0 = time.perf_counter()
    llm = provider.start()  # joins the model file only if it is not there yet, then loads it once
    load = time.perf_counter() - t0
    print(
        f"{os.cpu_count()} cores · model {llm.model_name} loaded in {load:.1f} s · {len(articles)} distinct"
        f" articles · RSS {rss_mb():.0f} MB"
    )
    head = f"{'n':>3} {'chars':>7} {'wall s':>7} {'s/1k ch':>7} {'tok in':>7} {'tok out':>7} {'calls':>5} "
    print(head + f"{'facts':>5} {'rss MB':>7} {'peak MB':>7}  seconds by stage")
    runner = asyncio.Runner()
    try:
        for n in [int(x) for x in args.sizes.split(",")]:
            chosen = [
                a if i < len(articles) else a.model_copy(update={"id": f"copy{i}-{a.id}"[:64]})
                for i, a in enumerate(articles[i % len(articles)] for i in range(n))
            ]
            chars = sum(len(a.text or a.html or "") for a in chosen)
            request = BriefRequest(articles=chosen, options=BriefOptions(strategy="staged"))
            t0 = time.perf_counter()
            brief = runner.run(build_brief(request, llm, settings))  # one event loop for every brief
            wall = time.perf_counter() - t0
            m = brief.meta
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            stages = ", ".join(f"{k} {v:.2f}" for k, v in m.stage_seconds.items())
            print(
                f"{n:>3} {chars:>7} {wall:>7.1f} {1000 * wall / chars:>7.2f} {m.tokens_in:>7} {m.tokens_out:>7} "
                f"{len(m.llm_calls):>5} {len(brief.facts):>5} {rss_mb():>7.0f} {peak:>7.0f}  {stages}",
                flush=True,
            )
    finally:
        runner.close()
        provider.close()


if __name__ == "__main__":
    main()
