"""What a model-text share of 0.8 would cost on the model that wrote a saved eval run: for each brief, how many
more of its headline, summary sentences and fact statements the model would have to write, at the output
tokens a model-written fact statement took in that run, and the seconds that costs at that run's own cost per
token (a least-squares fit of every model call's seconds on its tokens in and out). Compare the seconds with
the one-prompt baseline measured on the same machine (``python bench/seed_brief.py --strategies
staged,single``): issue #13 asks for a seed brief in a quarter of that.

    python bench/model_share_budget.py RUN.json [--share 0.8] [--case gaza]
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np


def _briefs(run: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(c["id"], r["brief"]) for c in run["cases"] for r in c["repeats"] if r.get("brief")]


def main(path: Path, share: float, case: str) -> None:
    briefs = _briefs(json.loads(path.read_text()))
    calls = [c for _, b in briefs for c in b["meta"].get("llm_calls", []) if c.get("seconds")]
    x = np.array([[c["tokens_in"], c["tokens_out"]] for c in calls], dtype=float)
    y = np.array([c["seconds"] for c in calls], dtype=float)
    (per_in, per_out), *_ = np.linalg.lstsq(x, y, rcond=None)
    written = sum(1 for _, b in briefs for k in b["meta"].get("checks", []) if k["item"].startswith("facts[g"))
    out = sum(c["tokens_out"] for c in calls if c["task"] == "fact_statements")
    per_statement = out / written if written else float("nan")
    print(f"{len(calls)} model calls: {per_in * 1000:.1f} ms a token in, {per_out * 1000:.1f} ms a token out")
    print(f"fact_statements: {written} statements, {out} tokens out = {per_statement:.1f} tokens a statement")
    print(f"{'case':42} {'items':>5} {'model':>5} {'more':>5} {'+tokens':>7} {'+s':>6} {'brief s':>7}")
    totals = [0.0, 0.0]
    for cid, b in briefs:
        if case not in cid:
            continue
        prov = b["meta"].get("provenance") or {}
        model = sum(v == "model" for v in prov.values())
        more = max(0, math.ceil(share * len(prov)) - model)
        tokens = more * per_statement
        seconds = tokens * per_out
        totals[0] += seconds
        took = b["meta"].get("seconds") or 0.0
        totals[1] += took
        print(f"{cid[:42]:42} {len(prov):5} {model:5} {more:5} {tokens:7.0f} {seconds:6.1f} {took:7.1f}")
    print(f"total: {totals[0]:.0f} s more output time over {totals[1]:.0f} s of briefs (output tokens only, no prompt)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("--share", type=float, default=0.8)
    ap.add_argument("--case", default="")
    a = ap.parse_args()
    main(a.run, a.share, a.case)
