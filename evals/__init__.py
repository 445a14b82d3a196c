"""The eval harness: labelled cases (dataset), judges, scorers, runner, reports, CLI (``crossbrief eval``)."""

from evals.dataset import Case, DatasetError, LoadedCase, load_case, load_suite
from evals.judges import ModelJudge
from evals.scorers import METRICS, ItemVerdict, Score
from evals.scoring import score_brief

__all__ = [
    "METRICS",
    "Case",
    "DatasetError",
    "ItemVerdict",
    "LoadedCase",
    "ModelJudge",
    "Score",
    "load_case",
    "load_suite",
    "score_brief",
]
