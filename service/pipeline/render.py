"""Render a brief as JSON or Markdown."""

from __future__ import annotations

from collections.abc import Callable

from service.schemas import Brief, Fact


def to_json(brief: Brief) -> str:
    """The brief as indented JSON (the API's contract)."""
    return brief.model_dump_json(indent=2)


def to_markdown(brief: Brief) -> str:
    """The brief for editors: facts with sources, disagreements side by side, then the rest."""
    outlets = {a.id: a.outlet for a in brief.articles}

    def name(aid: str) -> str:
        return outlets.get(aid, aid)

    out = [f"# {brief.headline}", "", brief.summary, ""]
    out += balance_markdown(brief)
    out += _facts_markdown(brief, name)
    if brief.positions:
        out += ["", "## Positions", ""]
        out += [f"- **{p.party}**: {p.stance}" for p in brief.positions]
    if brief.quotes:
        out += ["", "## Quotes", ""]
        out += [f"- “{q.text}” — {q.speaker or 'unattributed'} ({name(q.article_id)})" for q in brief.quotes]
    if brief.timeline:
        out += ["", "## Timeline", ""]
        out += [f"- {t.date}: {t.event}" for t in brief.timeline]
    out += _framing_markdown(brief)
    if brief.open_questions:
        out += ["", "## Open questions", ""]
        out += [f"- {q}" for q in brief.open_questions]
    out += _audit_markdown(brief)
    return "\n".join(out) + "\n"


def _facts_markdown(brief: Brief, name: Callable[[str], str]) -> list[str]:
    """The facts with their status and outlets, then each disagreement as a table."""
    one_side = {fb.fact_id: fb.one_side for fb in brief.balance.facts if fb.one_side} if brief.balance else {}
    out = ["## Facts", ""]
    for f in brief.facts:
        srcs = ", ".join(dict.fromkeys(name(c.article_id) for c in f.citations))
        flag = f"; **{one_side[f.id]} only**" if f.id in one_side else ""
        out.append(f"- **{f.statement}** _({f.status}{_independent(f)}; {srcs}{flag})_")
    if brief.conflicts:
        out += ["", "## Where the outlets disagree", ""]
        for c in brief.conflicts:
            out += [f"### {c.topic}", "", "| figure | outlets | as written |", "|---|---|---|"]
            for p in c.positions:
                quote = p.quote.replace("|", "\\|").replace("\n", " ")
                out.append(f"| {p.value} | {', '.join(name(a) for a in p.article_ids)} | “{quote}” |")
            out.append("")
    return out


def _framing_markdown(brief: Brief) -> list[str]:
    """Per outlet: its distinctive naming, what only it reports, what it leaves out."""
    if not brief.framing:
        return []
    out = ["", "## Framing", ""]
    for fr in brief.framing:
        bits = []
        if fr.naming:
            bits.append("uses " + ", ".join(f"“{t}”" for t in fr.naming))
        if fr.stresses:
            bits.append(f"alone reports {len(fr.stresses)} fact(s)")
        if fr.omits:
            bits.append(f"leaves out {len(fr.omits)} widely reported fact(s)")
        out.append(f"- **{fr.outlet}**: " + ("; ".join(bits) or "nothing distinctive"))
    return out


def _audit_markdown(brief: Brief) -> list[str]:
    """What was left out and why (model text its sources do not support, planted lines), and the footer."""
    m = brief.meta
    out: list[str] = []
    refused = [c for c in m.checks if not c.supported]
    if refused:  # the audit trail an editor reads: what the model wrote that its sources do not support
        out += ["", "## Model text left out", ""]
        out += [f"- {c.item}: “{c.text}” — {c.reason} ({c.by})" for c in refused]
    if m.screened:  # planted lines: shown to the editor as what they are, never stated
        names = {a.id: a.outlet for a in brief.articles}
        out += ["", "## Left out as instructions to a model", ""]
        out += [f"- {names.get(x.article_id, x.article_id)}: “{x.text}” — {x.reason} ({x.by})" for x in m.screened]
    checked = f" · {len(m.checks)} model sentence(s) checked, {len(refused)} left out" if m.checks else ""
    out += [
        "",
        "---",
        f"_{m.strategy} strategy · {m.backend} · {m.model} · {m.tokens_in} tokens in, {m.tokens_out} out · "
        f"{m.seconds:.1f} s · {len(m.warnings)} warning(s){checked}_",
    ]
    return out


def _independent(f: Fact) -> str:
    """', 1 independent' when opinion pieces or press releases are among a fact's sources."""
    if f.independent_sources is None or f.independent_sources == f.sources:
        return ""
    return f", {f.independent_sources} independent"


def balance_markdown(brief: Brief) -> list[str]:
    """The coverage balance section: leans and kinds of the outlets, one-side-only facts, each side's framing."""
    b = brief.balance
    if b is None:
        return []
    statements = {f.id: f.statement for f in brief.facts}
    out = ["## Coverage balance", "", b.note, "", "| outlet | lean | kind |", "|---|---|---|"]
    for a in brief.articles:
        src = f" ({a.lean_source})" if a.lean_source and a.lean_source != "caller" else ""
        out.append(f"| {a.outlet.replace('|', '/')} | {a.lean}{src} | {a.kind} |")
    flagged = [(side, fid) for side, ids in b.one_side_only.items() for fid in ids]
    if flagged:
        out += ["", "**Reported by one side only**", ""]
        out += [f"- {side} only: {statements.get(fid, fid)} ({fid})" for side, fid in flagged]
    if b.framing and b.comparable:
        out += ["", "**How each side covered it**", ""]
        for sf in b.framing:
            leads = "; ".join(statements.get(fid, fid) for fid in sf.leads[:2])
            out.append(f"- {sf.sentence}" + (f" Leads with: {leads}" if leads else ""))
    if b.not_independent:
        outlets = {a.id: f"{a.outlet} ({a.kind})" for a in brief.articles}
        names = ", ".join(outlets.get(i, i) for i in b.not_independent)
        out += ["", f"Not counted as independent corroboration: {names}"]
    out += [f"\n_Leans from {src}: {text}._" for src, text in b.sources.items()]
    return out + [""]
