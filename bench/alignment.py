"""Alignment by wording against alignment by meaning, on the AllSides suite's hand-labelled facts (no model call).

A labelled fact that several articles report (its ``sources``) should become one fact group: its sentence in
each source article (the stand-in: one matching the label's anchors, most like the claim, as in
``bench/one_side.py``) should link to its sentence in the others. Stand-ins of two different labelled facts in
two articles should not. For each similarity — the TF-IDF cosine that ``align.align`` links on (IDF from the
case's own sentences) and the cosine of the sentences' vectors (:mod:`service.text.sentence_vectors`) — this
prints how many same-fact pairs reach a threshold (recall) and how many different-fact pairs do (false links),
and each one's recall at the false-link rate of the other's threshold.

Caveat: the stand-in is picked by anchors first and then by wording, which can only favour the TF-IDF cosine.

    python bench/alignment.py [--vector-thresholds 0.6,0.7,0.8]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from one_side import SUITE, stand_in

from evals.dataset import load_suite
from service.pipeline.align import LINK_THRESHOLD, similarity_matrix
from service.pipeline.segment import segment
from service.pipeline.types import Article, Sentence
from service.text.sentence_vectors import vector


def pairs() -> tuple[list[tuple[float, float]], list[tuple[float, float]], int]:
    """(TF-IDF cosine, vector cosine) of each same-fact pair and each different-fact pair; and the facts."""
    same, different, n_facts = [], [], 0
    for loaded in load_suite([SUITE]):
        case = loaded.case
        articles = {a.id: Article(id=a.id, outlet=a.outlet, text=a.text, lean=a.lean) for a in case.articles}
        by_article = {aid: segment(a) for aid, a in articles.items()}
        every = [s for ss in by_article.values() for s in ss]
        index = {(s.article_id, s.index): k for k, s in enumerate(every)}
        tfidf = similarity_matrix(every)
        stands: list[tuple[str, Sentence]] = []  # (fact id, its sentence in one source article)
        for f in case.facts:
            n_facts += 1
            stands += [(f.id, stand_in(f.claim, f.anchors, by_article[a])) for a in f.sources if a in by_article]
        for i, (fa, sa) in enumerate(stands):
            for fb, sb in stands[i + 1 :]:
                if sa.article_id == sb.article_id or sa.text == sb.text:
                    continue
                lexical = float(tfidf[index[(sa.article_id, sa.index)], index[(sb.article_id, sb.index)]])
                meaning = float(vector(sa.text) @ vector(sb.text))
                (same if fa == fb else different).append((lexical, meaning))
    return same, different, n_facts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vector-thresholds", default="0.6,0.7,0.8")
    args = ap.parse_args(argv)
    same, different, n_facts = pairs()
    s, d = np.array(same), np.array(different)
    print(f"{n_facts} labelled facts in {SUITE.name}: {len(s)} same-fact pairs across articles, "
          f"{len(d)} different-fact pairs")

    def row(name: str, col: int, t: float) -> float:
        recall, false = (s[:, col] >= t).mean(), (d[:, col] >= t).mean()
        print(f"  {name:<22} >= {t:<5g} recall {recall:.3f} ({int((s[:, col] >= t).sum())}/{len(s)}), "
              f"false links {false:.4f} ({int((d[:, col] >= t).sum())}/{len(d)})")
        return float(false)

    def at_rate(col: int, rate: float) -> str:
        t = float(np.quantile(d[:, col], 1 - rate)) if rate > 0 else float(d[:, col].max()) + 1e-9
        return f"{(s[:, col] > t).mean():.3f}"

    false_lexical = row("TF-IDF cosine (align)", 0, LINK_THRESHOLD)
    for t in (float(x) for x in args.vector_thresholds.split(",")):
        false_vector = row("sentence vectors", 1, t)
        print(f"    at {false_vector:.4f} false links: TF-IDF recall {at_rate(0, false_vector)}, "
              f"vectors {at_rate(1, false_vector)}")
    print(f"  at TF-IDF's {false_lexical:.4f} false links: vectors' recall {at_rate(1, false_lexical)}, "
          f"TF-IDF {at_rate(0, false_lexical)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
