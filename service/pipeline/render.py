"""Render a brief as JSON or Markdown."""

from __future__ import annotations

from service.schemas import Brief


def to_json(brief: Brief) -> str:
    """The brief as indented JSON (the API's contract)."""
    return brief.model_dump_json(indent=2)


def to_markdown(brief: Brief) -> str:
    """The brief for editors: facts with sources, disagreements side by side, then the rest."""
    outlets = {a.id: a.outlet for a in brief.articles}
    def name(aid: str) -> str:
        return outlets.get(aid, aid)
    out = [f"# {brief.headline}", "", brief.summary, "", "## Facts", ""]
    for f in brief.facts:
        srcs = ", ".join(dict.fromkeys(name(c.article_id) for c in f.citations))
        out.append(f"- **{f.statement}** _({f.status}; {srcs})_")
    if brief.conflicts:
        out += ["", "## Where the outlets disagree", ""]
        for c in brief.conflicts:
            out += [f"### {c.topic}", "", "| figure | outlets | as written |", "|---|---|---|"]
            for p in c.positions:
                quote = p.quote.replace("|", "\\|").replace("\n", " ")
                out.append(f"| {p.value} | {', '.join(name(a) for a in p.article_ids)} | “{quote}” |")
            out.append("")
    if brief.positions:
        out += ["", "## Positions", ""]
        out += [f"- **{p.party}**: {p.stance}" for p in brief.positions]
    if brief.quotes:
        out += ["", "## Quotes", ""]
        out += [f"- “{q.text}” — {q.speaker or 'unattributed'} ({name(q.article_id)})" for q in brief.quotes]
    if brief.timeline:
        out += ["", "## Timeline", ""]
        out += [f"- {t.date}: {t.event}" for t in brief.timeline]
    if brief.framing:
        out += ["", "## Framing", ""]
        for fr in brief.framing:
            bits = []
            if fr.naming:
                bits.append("uses " + ", ".join(f"“{t}”" for t in fr.naming))
            if fr.stresses:
                bits.append(f"alone reports {len(fr.stresses)} fact(s)")
            if fr.omits:
                bits.append(f"leaves out {len(fr.omits)} widely reported fact(s)")
            out.append(f"- **{fr.outlet}**: " + ("; ".join(bits) or "nothing distinctive"))
    if brief.open_questions:
        out += ["", "## Open questions", ""]
        out += [f"- {q}" for q in brief.open_questions]
    m = brief.meta
    refused = [c for c in m.checks if not c.supported]
    if refused:  # the audit trail an editor reads: what the model wrote that its sources do not support
        out += ["", "## Model text left out", ""]
        out += [f"- {c.item}: “{c.text}” — {c.reason} ({c.by})" for c in refused]
    checked = f" · {len(m.checks)} model sentence(s) checked, {len(refused)} left out" if m.checks else ""
    out += [
        "",
        "---",
        f"_{m.strategy} strategy · {m.backend} · {m.model} · {m.tokens_in} tokens in, {m.tokens_out} out · "
        f"{m.seconds:.1f} s · {len(m.warnings)} warning(s){checked}_",
    ]
    return "\n".join(out) + "\n"
