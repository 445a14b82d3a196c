"""Pairs of one brief's facts that the word rule of ``lead_order.retells`` does not call retellings (and no
figure tells apart), by
the cosine of their sentence vectors, highest first: the figures to choose ``RETELLS_MEANING`` on (read the
pairs around it: above it they should tell the same news, below it different news).

    python bench/brief_text.py briefs.json evals/datasets/seeds/*.yaml evals/datasets/allsides/*.yaml
    python bench/retells.py briefs.json [--top 40]
"""

from __future__ import annotations

import argparse
import json
from itertools import combinations
from pathlib import Path

from service.pipeline.lead_order import RETELLS_MEANING, meaning_similarity, retells_in_words, same_figures
from service.schemas import Fact


def fact(n: int, statement: str) -> Fact:
    return Fact(id=f"f{n}", statement=statement, status="single-source", sources=1, citations=[])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("briefs", type=Path, help="bench/brief_text.py's output")
    ap.add_argument("--top", type=int, default=40, help="pairs to print")
    args = ap.parse_args()
    briefs = json.loads(args.briefs.read_text())
    rows = []
    for case, b in briefs.items():
        facts = [fact(n, s) for n, s in enumerate(b["facts"], 1) if not s.startswith("Reports differ")]
        for x, y in combinations(facts, 2):
            if retells_in_words(x, y) or not same_figures(x, y):
                continue  # the word rule already calls it a retelling, or a figure tells them apart
            rows.append((meaning_similarity(x.statement, y.statement), case, x.statement, y.statement))
    rows.sort(reverse=True)
    above = sum(1 for r in rows if r[0] >= RETELLS_MEANING)
    print(f"{len(rows)} pairs the word rule does not join; {above} at or above RETELLS_MEANING={RETELLS_MEANING}")
    for cos, case, a, b in rows[: args.top]:
        print(f"\n{cos:.3f} {case}\n  - {a}\n  - {b}")


if __name__ == "__main__":
    main()
