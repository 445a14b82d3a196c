"""Train the injection screen's learnt layer (:mod:`service.pipeline.screen_learnt`): ``crossbrief eval
train-screen``. Features: word and character n-grams (TF-IDF) and each text's sentence vector
(:mod:`service.text.sentence_vectors`).

Training data, all development data:
- positives: the planted lines of the development halves of ``evals/datasets/injection`` (``TRAIN_HALVES``);
- negatives: those halves' near misses; every sentence of the AllSides stories the eval suite
  (``evals/datasets/allsides``) does not use, the injection set's 20 host stories included, since the planted
  lines are about those stories and without their real sentences the classifier learns topic words as signs of
  a planted line. The bench's false alarms on real sentences are therefore unseen sentences only for the eval
  suite's 36 stories (``bench/injection.py`` gives that figure apart).

The held-out halves (``test``, ``holdout10``, ``holdout11``, ``holdout12``) are never read here. The regularisation
and the thresholds are chosen by leave-one-half-out cross-validation on the development halves (each fold also holds out
a quarter of the AllSides training stories): for English and for the other languages apart (:data:`GROUPS`), the
highest recall whose false alarms stay at or under ``MAX_FALSE_ALARMS``; the cross-validated figures go into the
file beside the weights.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pysbd
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from service.config import REPO_ROOT
from service.text.sentence_vectors import vector

TRAIN_HALVES = (
    "dev",
    "holdout",
    "holdout2",
    "holdout3",
    "holdout4",
    "holdout5",
    "holdout6",
    "holdout7",
    "holdout8",
    "holdout9",
    "train_b",
    "train_c",
    "train_d",
    "train_e",
    "train_f",
    "train_g",
)
SET = REPO_ROOT / "evals" / "datasets" / "injection"
SUITE = REPO_ROOT / "evals" / "datasets" / "allsides"
OUT = REPO_ROOT / "service" / "text" / "lexicons" / "instruction_screen.json.gz"
PARTS: tuple[dict[str, Any], ...] = (
    {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "sublinear_tf": True},
    {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2, "sublinear_tf": True},
)
# C and the vector's weight are chosen at the edge of these grids (C=10, scale 1); a wider grid (C 1-30, scale 1-4,
# 2026-12-02, 57 min on a shared CPU) chose the same pair, so the training keeps the short one.
CS = (10.0, 30.0, 100.0)
# Weight of the sentence vector (all-MiniLM-L6-v2, by meaning) beside the n-grams' TF-IDF (by wording): each
# block has unit norm, so this sets how much the classifier may lean on meaning. Chosen with C by cross-validation.
SCALES = (0.5, 1.0)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97)
# Of near misses and real sentences together, cross-validated: half of the 1 % the whole screen may cost (#16), so
# that code's rules and a new half's harder near misses have room. (It was 0.2 % up to 2026-12-02, when the learnt
# layer caught 75 % of the training halves' lines alone; at 0.5 % it caught 84 %, chosen on those figures alone.)
MAX_FALSE_ALARMS = 0.005
# The threshold is chosen per group of languages: English, whose negatives are near misses and real AllSides news,
# and the other languages, whose only negatives are near misses (no non-English news is in the data). At one pooled
# threshold the non-English near misses drew 2.6 times the English rate of false alarms (out of fold, at 0.85: 17/894
# against 11/1350), because the easy English news sentences carried the pooled rate under the bar.
GROUPS = ("en", "other")
SEED = 0


def _rows(name: str) -> list[dict[str, Any]]:
    lines = (SET / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [r for r in map(json.loads, filter(None, lines)) if r["split"] in TRAIN_HALVES]


def real_sentences(clusters: Path) -> tuple[dict[int, list[str]], list[str]]:
    """Story id → its sentences, for the AllSides stories no bench or eval uses; and the sentences of the
    injection set's host stories, the planted lines' own topics (without them as negatives the classifier
    learns the hosts' topic words — "truce", "Blue Origin" — as signs of a planted line)."""
    hosts = {json.loads(line)["id"] for line in (SET / "hosts.jsonl").read_text(encoding="utf-8").splitlines()}
    suite = {int(m.group(1)) for p in SUITE.glob("*.yaml") if (m := re.match(r"allsides-(\d+)", p.name))}
    seg = pysbd.Segmenter(language="en", clean=False)
    out, topical = {}, []
    for line in clusters.read_text(encoding="utf-8").splitlines():
        story = json.loads(line)
        if story["id"] in suite:
            continue
        paragraphs = [p for a in story["articles"].values() for p in a["paragraphs"]]
        sentences = [s.strip() for p in paragraphs for s in seg.segment(p) if s.strip()]
        if story["id"] in hosts:
            topical += sentences
        else:
            out[story["id"]] = sentences
    return out, topical


def _features() -> FeatureUnion:
    return FeatureUnion([(p["analyzer"], TfidfVectorizer(**p)) for p in PARTS])  # type: ignore[arg-type]


_VECTORS: dict[str, np.ndarray] = {}  # every training text's vector, once: the folds reuse them (more texts
# than :func:`vector`'s own cache holds, read in the same order each fold, would miss it every time)


def _vectors(texts: list[str]) -> np.ndarray:
    for t in texts:
        if t not in _VECTORS:
            _VECTORS[t] = vector(t)
    return np.stack([_VECTORS[t] for t in texts])


def _stack(ngrams: csr_matrix, vectors: np.ndarray, scale: float) -> csr_matrix:
    """The classifier's input: the n-grams' TF-IDF beside the sentence vectors weighted by ``scale``."""
    return hstack([ngrams, csr_matrix(scale * vectors)]).tocsr()


def _fit(
    pos: list[str], neg: list[str], grid: tuple[tuple[float, float], ...]
) -> tuple[FeatureUnion, list[LogisticRegression]]:
    """The n-gram features fitted once on ``pos`` + ``neg``, and a classifier for each (C, vector scale) in
    ``grid`` over those n-grams and the texts' sentence vectors."""
    union = _features()
    x, v = union.fit_transform(pos + neg), _vectors(pos + neg)
    y = np.array([1] * len(pos) + [0] * len(neg))
    fit = [LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=SEED) for c, _ in grid]
    return union, [clf.fit(_stack(x, v, scale), y) for clf, (_, scale) in zip(fit, grid, strict=True)]


def features(union: FeatureUnion, texts: list[str], scale: float) -> csr_matrix:
    return _stack(union.transform(texts), _vectors(texts), scale)


def group(row: dict[str, Any]) -> str:
    """A dataset row's group of languages (:data:`GROUPS`)."""
    return "en" if row["language"] == "en" else "other"


def cross_validate(
    planted: list[dict[str, Any]], near: list[dict[str, Any]], real: dict[int, list[str]], topical: list[str]
) -> dict:
    """Per (C, vector scale, threshold) and group of languages: planted lines caught and false alarms, each half
    held out in turn (with a quarter of the real stories, all English; the host stories' sentences are always
    trained on)."""
    ids = sorted(real)
    fold = {sid: k % len(TRAIN_HALVES) for k, sid in enumerate(ids)}
    grid = tuple((c, a) for c in CS for a in SCALES)
    # caught, planted, alarms, negatives
    table = {(c, a, t): {g: [0, 0, 0, 0] for g in GROUPS} for c, a in grid for t in THRESHOLDS}
    for k, held in enumerate(TRAIN_HALVES):
        pos = [r["text"] for r in planted if r["split"] != held]
        neg = [r["text"] for r in near if r["split"] != held] + [s for i in ids if fold[i] != k for s in real[i]]
        neg += topical
        test_pos = [(r["text"], group(r)) for r in planted if r["split"] == held]
        test_neg = [(r["text"], group(r)) for r in near if r["split"] == held]
        test_neg += [(s, "en") for i in ids if fold[i] == k for s in real[i]]
        union, clfs = _fit(pos, neg, grid)
        x_pos, x_neg = union.transform([t for t, _ in test_pos]), union.transform([t for t, _ in test_neg])
        v_pos, v_neg = _vectors([t for t, _ in test_pos]), _vectors([t for t, _ in test_neg])
        g_pos, g_neg = np.array([g for _, g in test_pos]), np.array([g for _, g in test_neg])
        for (c, a), clf in zip(grid, clfs, strict=True):
            pp = clf.predict_proba(_stack(x_pos, v_pos, a))[:, 1]
            pn = clf.predict_proba(_stack(x_neg, v_neg, a))[:, 1]
            for t in THRESHOLDS:
                for g in GROUPS:
                    row = table[(c, a, t)][g]
                    row[0] += int((pp[g_pos == g] >= t).sum())
                    row[1] += int((g_pos == g).sum())
                    row[2] += int((pn[g_neg == g] >= t).sum())
                    row[3] += int((g_neg == g).sum())
    return table


def _pooled(rows: dict[str, list[int]]) -> list[int]:
    return [sum(r[i] for r in rows.values()) for i in range(4)]


def choose(table: dict) -> tuple[float, float, dict[str, float]]:
    """(C, vector scale, threshold per group): for each group the threshold that catches the most of its planted
    lines with its false alarms at or under :data:`MAX_FALSE_ALARMS`, at the (C, scale) that catches the most in
    all."""
    best: tuple[int, int, float, float, dict[str, float]] | None = None
    for c, a in sorted({(c, a) for c, a, _ in table}):
        chosen, caught, alarms = {}, 0, 0
        for g in GROUPS:
            rows = [(t, v[g]) for (ci, ai, t), v in table.items() if (ci, ai) == (c, a)]
            ok = [(t, r) for t, r in rows if r[3] and r[2] / r[3] <= MAX_FALSE_ALARMS] or [max(rows)]
            t, r = max(ok, key=lambda tr: (tr[1][0], -tr[1][2], tr[0]))
            chosen[g], caught, alarms = t, caught + r[0], alarms + r[2]
        if best is None or (caught, -alarms) > (best[0], best[1]):
            best = (caught, -alarms, c, a, chosen)
    assert best is not None
    return best[2], best[3], best[4]


def export(
    union: FeatureUnion, clf: LogisticRegression, scale: float, threshold: float, meta: dict[str, Any]
) -> dict[str, Any]:
    coef = clf.coef_[0]
    parts, offset = [], 0
    for spec, (_, vec) in zip(PARTS, union.transformer_list, strict=True):
        vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
        n = len(vocab)
        parts.append(
            {
                "params": {**spec, "ngram_range": list(spec["ngram_range"])},
                "vocabulary": vocab,
                "idf": [round(float(v), 6) for v in vec.idf_],
                "weights": [round(float(v), 6) for v in coef[offset : offset + n]],
            }
        )
        offset += n
    # the scale is folded into the weights: the scorer dots the unit sentence vector with them
    vector_weights = [round(float(v) * scale, 6) for v in coef[offset:]]
    return {
        "parts": parts,
        "vector": {"model": "all-MiniLM-L6-v2", "weights": vector_weights},
        "intercept": float(clf.intercept_[0]),
        "threshold": threshold,
        "meta": meta,
    }


def train(clusters: Path, out: Path = OUT, log: Any = print) -> dict[str, Any]:
    """Cross-validate, fit on all development data, write ``out``; returns the file's ``meta``."""
    planted, near = _rows("planted"), _rows("near_miss")
    real, topical = real_sentences(clusters)
    log(
        f"{len(planted)} planted lines, {len(near)} near misses, {sum(map(len, real.values()))} real sentences, "
        f"{len(topical)} of the host stories"
    )
    table = cross_validate(planted, near, real, topical)
    c, a, thresholds = choose(table)
    for (ci, ai, ti), by_group in sorted(table.items()):
        star = {g: " *" if (ci, ai, ti) == (c, a, thresholds[g]) else "" for g in GROUPS}
        figures = ", ".join(
            f"{g} caught {v[0]}/{v[1]}, false alarms {v[2]}/{v[3]}{star[g]}" for g, v in by_group.items()
        )
        log(f"  C={ci:g} vector scale={ai:g} t={ti:g}: {figures}")
    by_group = {g: table[(c, a, thresholds[g])][g] for g in GROUPS}
    best = _pooled(by_group)
    pos = [r["text"] for r in planted]
    neg = [r["text"] for r in near] + [s for ss in real.values() for s in ss] + topical
    union, (clf,) = _fit(pos, neg, ((c, a),))
    probes = pos[:: max(1, len(pos) // 10)] + neg[:: max(1, len(neg) // 10)]
    meta = {
        "trained_on": {"halves": list(TRAIN_HALVES), "planted": len(pos), "negatives": len(neg)},
        "C": c,
        "vector_scale": a,
        "cross_validated": {"caught": best[0], "planted": best[1], "false_alarms": best[2], "negatives": best[3]},
        "cross_validated_by_language": {
            g: {"threshold": thresholds[g], "caught": v[0], "planted": v[1], "false_alarms": v[2], "negatives": v[3]}
            for g, v in by_group.items()
        },
        # every threshold's cross-validated figures at the chosen C, all languages: a lower bar (the lead guard's) is
        # chosen on them
        "by_threshold": {f"{ti:g}": _pooled(v) for (ci, ai, ti), v in sorted(table.items()) if (ci, ai) == (c, a)},
        "checks": [
            [x, round(float(p), 6)]
            for x, p in zip(probes, clf.predict_proba(features(union, probes, a))[:, 1], strict=True)
        ],
    }
    data = export(union, clf, a, thresholds["en"], meta)
    data["thresholds"] = thresholds
    out.write_bytes(gzip.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), mtime=0))
    log(
        f"wrote {out} ({out.stat().st_size // 1024} KiB): C={c:g}, vector scale {a:g}, thresholds {thresholds}, "
        f"cross-validated caught "
        f"{best[0]}/{best[1]}, false alarms {best[2]}/{best[3]}"
    )
    return meta
