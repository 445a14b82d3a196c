"""Every metric for one brief: the coverage and citation metrics of :mod:`evals.scorers` and the metrics
on the brief's own text of :mod:`evals.quality`."""

from __future__ import annotations

from evals.balance import one_side_flags
from evals.dataset import Case
from evals.judges import ModelJudge, brief_statements
from evals.quality import false_conflicts, headline_quality, model_text_share, statement_support, summary_coverage
from evals.scorers import (
    Score,
    citation_validity,
    conflict_recall,
    costs,
    empty_brief,
    fact_recall,
    loaded_terms,
    must_not_claim,
    party_coverage,
    schema_validity,
    unsupported_statements,
)
from service.pipeline.types import Article
from service.schemas import Brief


async def score_brief(
    case: Case, brief: Brief | None, problem: str | None, articles: dict[str, Article], judge: ModelJudge
) -> dict[str, Score]:
    """Every metric for one brief. ``brief`` None (unusable) scores as an empty brief with schema 0."""
    b = brief if brief is not None else empty_brief()
    scores = await coverage_scores(case, b, problem if brief is None else None, articles, judge)
    scores["one_side_flags"] = one_side_flags(case, b, scores["fact_recall"])
    scores.update(await text_scores(case, b, articles, judge))
    scores.update(costs(b))
    return scores


async def coverage_scores(
    case: Case, b: Brief, problem: str | None, articles: dict[str, Article], judge: ModelJudge
) -> dict[str, Score]:
    """What the brief covers of the labels, and whether its citations and figures hold."""
    statements = brief_statements(b)
    return {
        "fact_recall": await fact_recall(case, statements, judge),
        "conflict_recall": conflict_recall(case, b),
        "must_not_claim_violations": await must_not_claim(case, statements, judge),
        "citation_validity": citation_validity(b, articles),
        "unsupported_statements": unsupported_statements(b, articles),
        "unattributed_loaded_terms": loaded_terms(case, b),
        "party_coverage": party_coverage(case, b),
        "schema_validity": schema_validity(problem),
    }


async def text_scores(case: Case, b: Brief, articles: dict[str, Article], judge: ModelJudge) -> dict[str, Score]:
    """What an editor sees first: support of every sentence, the summary, the headline, who wrote them,
    and whether the conflicts are real."""
    return {
        "statement_support": await statement_support(b, articles, judge),
        "summary_coverage": await summary_coverage(case, b, judge),
        "headline_quality": headline_quality(case, b),
        "model_text_share": model_text_share(b),
        "false_conflicts": false_conflicts(case, b),
    }
