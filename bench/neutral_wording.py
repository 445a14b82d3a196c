"""Can the model tell whether a sentence may stand in the brief's own voice? Measured against the AllSides
cases' hand-labelled loaded terms: sentences of the case articles that use a labelled term outside quotes
and attribution ("loaded") against a sample of sentences that use none ("plain"), a batch of numbered
sentences per call (``prompts/neutral_check/v1.yaml``, one required yes/no field per sentence).

    python bench/neutral_wording.py [--batch 8] [--model qwen2.5-coder-1.5b]

The labels are incomplete (a "plain" sentence may still carry a word nobody labelled), so read the false
alarms as an upper bound.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from typing import Any

from pydantic import Field, create_model

from evals.dataset import load_case
from service.config import REPO_ROOT, Settings
from service.llm import LLMProvider
from service.pipeline.ingest import ingest
from service.pipeline.segment import segment
from service.pipeline.verify import unattributed_terms

SUITE = REPO_ROOT / "evals" / "datasets" / "allsides"


def labelled_sentences(seed: int = 1) -> list[tuple[str, bool]]:
    """(sentence, loaded?) for the suite: every loaded sentence and three plain ones for each."""
    loaded, plain = [], []
    for path in sorted(SUITE.glob("*.yaml")):
        case = load_case(path).case
        terms = list(case.loaded_terms)
        for article in ingest(case.articles_in(), Settings()):
            for s in segment(article):
                if not 6 <= len(s.text.split()) <= 45:
                    continue
                if terms and unattributed_terms(s.text, terms):
                    loaded.append(s.text)
                elif not any(t.lower() in s.text.lower() for t in terms):
                    plain.append(s.text)
    rng = random.Random(seed)
    items = [(t, True) for t in loaded] + [(t, False) for t in rng.sample(plain, min(len(plain), 3 * len(loaded)))]
    rng.shuffle(items)
    return items


async def run(items: list[tuple[str, bool]], settings: Settings, batch: int) -> None:
    provider = LLMProvider(settings)
    llm = provider.start()
    caught = missed = alarms = quiet = tokens = 0
    started = time.perf_counter()
    try:
        for i in range(0, len(items), batch):
            chunk = items[i : i + batch]
            ids = [f"s{k + 1}" for k in range(len(chunk))]
            fields: dict[str, Any] = {sid: (bool, Field(..., description="true when neutral")) for sid in ids}
            schema = create_model("Neutral", **fields)
            block = "\n".join(f"{sid}. {text}" for sid, (text, _) in zip(ids, chunk, strict=True))
            answer = await llm.ask("neutral_check", {"sentences": block}, schema, max_tokens=8 * len(chunk) + 10)
            tokens += answer.call.tokens_in + answer.call.tokens_out
            got = answer.value.model_dump()
            for sid, (_, is_loaded) in zip(ids, chunk, strict=True):
                neutral = got[sid]
                caught += is_loaded and not neutral
                missed += is_loaded and neutral
                alarms += (not is_loaded) and not neutral
                quiet += (not is_loaded) and neutral
    finally:
        provider.close()
    n_loaded, n_plain = caught + missed, alarms + quiet
    print(
        f"model {llm.model_name}, {len(items)} sentences in batches of {batch}: {time.perf_counter() - started:.0f} s, "
        f"{tokens} tokens"
    )
    print(f"loaded sentences flagged: {caught}/{n_loaded}; plain sentences flagged (false alarms): {alarms}/{n_plain}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    settings = Settings(model=args.model) if args.model else Settings()
    asyncio.run(run(labelled_sentences(), settings, args.batch))


if __name__ == "__main__":
    main()
