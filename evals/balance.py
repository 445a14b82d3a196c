"""The one-side-only metric: does the brief flag a fact "reported by one side only" exactly when the labels
say only one side's outlets report it?

A case's sides come from its articles' ``lean`` labels (left and lean-left are the left side, and so on). A
labelled fact is one side's only when every article in its ``sources`` is of that side; the brief's flag is
``balance.facts[].one_side`` of the fact that states it (the statement the fact-recall judge matched). Facts
the brief does not state as a fact are unscored: there is no flag to check."""

from __future__ import annotations

from evals.dataset import Case
from evals.scorers import ItemVerdict, Score
from service.schemas import Brief
from service.schemas_balance import SIDE_OF


def label_sides(case: Case) -> dict[str, str]:
    """Article id → side, for the case's articles with a known lean."""
    return {a.id: SIDE_OF[a.lean] for a in case.articles if a.lean in SIDE_OF}


def one_side_flags(case: Case, brief: Brief, recall: Score) -> Score:
    """Share of the labelled facts the brief states whose one-side flag matches the labels."""
    sides = label_sides(case)
    if len(set(sides.values())) < 2:
        return Score(value=None)  # the case has no two sides to compare
    flags = {fb.fact_id: fb.one_side for fb in brief.balance.facts} if brief.balance else None
    items = []
    matched = {i.id: i for i in recall.items}
    for f in case.facts:
        source_sides = {sides.get(s) for s in f.sources}
        truth = next(iter(source_sides)) if len(source_sides) == 1 and None not in source_sides else None
        label = f"{truth} only" if truth else f"reported by {', '.join(sorted(str(s) for s in source_sides))}"
        m = matched.get(f.id)
        where = m.where if m is not None and m.verdict == "hit" else None
        if where is None or not where.startswith("facts["):
            reason = "not stated as a fact of the brief" if where is None else f"stated only in {where} (no flag)"
            items.append(ItemVerdict(id=f.id, verdict="unscored", reason=reason, claim=f.claim))
            continue
        fid = where[len("facts[") : -1]
        if flags is None:
            items.append(ItemVerdict(id=f.id, verdict="miss", reason="the brief has no balance", claim=f.claim))
            continue
        flag = flags.get(fid)
        shown = f"{flag} only" if flag else "not flagged"
        verdict = "hit" if flag == truth else "miss"
        items.append(
            ItemVerdict(
                id=f.id, verdict=verdict, reason=f"label: {label}; brief {fid}: {shown}", claim=f.claim,
                statement=m.statement if m else None, where=where,
            )
        )
    scored = [i for i in items if i.verdict != "unscored"]
    value = sum(i.verdict == "hit" for i in scored) / len(scored) if scored else None
    return Score(value=value, items=items)
