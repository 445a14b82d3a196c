"""How often code alone is right that a labelled fact is "reported by one side only", on the AllSides suite.

For each hand-labelled fact, the sentence of its first source article that best states it (one matching the
label's anchors, most like the claim) stands for the fact, as a brief's citation would; the fact is then
flagged the way the brief flags it, once from its citations alone and once with the check that another
side's article tells it in other words (``balance.ECHO_OVERLAP``). The label says one side only when every
source article is of one side. No model is involved, so the figures are deterministic.

    python bench/one_side.py [--overlap 0.3]
"""

from __future__ import annotations

import argparse
import re
import sys

from evals.dataset import load_suite
from service.config import REPO_ROOT
from service.pipeline import balance as bal
from service.pipeline.align import similarity_matrix
from service.pipeline.segment import segment
from service.pipeline.types import Article, Sentence
from service.schemas import Citation, Fact
from service.schemas_balance import SIDE_OF

SUITE = REPO_ROOT / "evals" / "datasets" / "allsides"


def stand_in(claim: str, anchors: list[str], sentences: list[Sentence]) -> Sentence:
    """The sentence that best states a labelled claim: one that matches an anchor, then most like the claim."""
    probe = Sentence(id="claim", article_id="", index=0, text=claim, start=0, end=0)
    sim = similarity_matrix([*sentences, probe])[-1]
    anchored = [i for i, s in enumerate(sentences) if any(re.search(a, s.text, re.I) for a in anchors)]
    best = max(anchored or range(len(sentences)), key=lambda i: sim[i])
    return sentences[best]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--overlap", type=float, default=bal.ECHO_OVERLAP)
    args = ap.parse_args(argv)
    bal.ECHO_OVERLAP = args.overlap
    right = {"citations": 0, "echo": 0}
    total = 0
    for loaded in load_suite([SUITE]):
        case = loaded.case
        articles = [Article(id=a.id, outlet=a.outlet, text=a.text, lean=a.lean) for a in case.articles]
        by_id = {a.id: a for a in articles}
        words = bal.sentence_words([s for a in articles for s in segment(a)])
        for f in case.facts:
            sentences = segment(by_id[f.sources[0]])
            s = stand_in(f.claim, f.anchors, sentences)
            fact = Fact(
                id=f.id, statement=s.text, status="single-source", sources=1,
                citations=[Citation(article_id=s.article_id, quote=s.text, start=s.start, end=s.end)],
            )
            sides = {SIDE_OF.get(by_id[a].lean) for a in f.sources}
            truth = next(iter(sides)) if len(sides) == 1 else None
            total += 1
            right["citations"] += bal.fact_balance(fact, by_id, True).one_side == truth
            right["echo"] += bal.fact_balance(fact, by_id, True, words).one_side == truth
    print(f"{total} labelled facts in {SUITE.name}")
    print(f"one-side flag right, citations alone:          {right['citations'] / total:.3f}")
    print(f"one-side flag right, with echo >= {args.overlap:.2f} overlap: {right['echo'] / total:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
