"""The coverage balance section of the HTML export: a balance bar (articles by lean), the outlets' leans and
kinds, the facts only one side reports and how each side covered the story. Escaped like the rest."""

from __future__ import annotations

from html import escape
from urllib.parse import quote as urlquote

from service.schemas import Brief
from service.schemas_balance import LEANS

CSS = """
.balance-bar{display:flex;height:1.6rem;border-radius:.4rem;overflow:hidden;border:1px solid var(--line);margin:.5rem 0}
.balance-bar span{display:flex;align-items:center;justify-content:center;color:#fff;font-size:.8rem;min-width:1.5rem}
.lean-left{background:#1f5fbf}.lean-lean-left{background:#6b9be0}.lean-center{background:#7a5ea8}
.lean-lean-right{background:#e0786b}.lean-right{background:#b8322a}.lean-unknown{background:#8c959f}
.one-side{display:inline-block;padding:0 .45rem;border-radius:1rem;border:1px solid #9a6700;color:#9a6700;
font-size:.8rem}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def balance_bar(counts: dict[str, int]) -> str:
    """One segment per lean with articles, as wide as its share; each says its lean and count in words too."""
    total = sum(counts.values()) or 1
    parts = [
        f'<span class="lean-{_e(lean)}" style="flex:{n}" title="{_e(lean)}: {n}">{_e(lean)} {n}</span>'
        for lean in LEANS
        if (n := counts.get(lean, 0))
    ]
    label = ", ".join(f"{counts[lean]} {lean}" for lean in LEANS if counts.get(lean))
    aria = f"Articles by lean: {label} of {total}"
    return f'<div class="balance-bar" role="img" aria-label="{_e(aria)}">{"".join(parts)}</div>'


def balance_section(brief: Brief) -> str:
    """The section, or '' for a brief made before balance was computed."""
    b = brief.balance
    if b is None:
        return ""
    statements = {f.id: f.statement for f in brief.facts}
    rows = "".join(
        f'<tr><th scope="row">{_e(a.outlet)}</th><td><span class="status lean-tag">{_e(a.lean)}</span>'
        f'{f" <span class=muted>({_e(a.lean_source)})</span>" if a.lean_source else ""}</td><td>{_e(a.kind)}</td></tr>'
        for a in brief.articles
    )
    parts = [
        '<section id="balance"><h2>Coverage balance</h2>',
        balance_bar({str(k): v for k, v in b.leans.items()}),
        f"<p>{_e(b.note)}</p>",
        '<table><thead><tr><th scope="col">Outlet</th><th scope="col">Lean</th><th scope="col">Kind</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>",
    ]
    flagged = [(side, fid) for side, ids in b.one_side_only.items() for fid in ids]
    if flagged:
        items = "".join(
            f'<li><span class="one-side">{_e(side)} only</span> '
            f'<a href="#fact-{_e(urlquote(fid, safe=""))}">{_e(statements.get(fid, fid))}</a></li>'
            for side, fid in flagged
        )
        parts.append(f"<h3>Reported by one side only</h3><ul>{items}</ul>")
    if b.framing and b.comparable:
        items = "".join(f"<li>{_e(sf.sentence)}</li>" for sf in b.framing)
        parts.append(f"<h3>How each side covered it</h3><ul>{items}</ul>")
    if b.not_independent:
        kinds = {a.id: f"{a.outlet} ({a.kind})" for a in brief.articles}
        names = ", ".join(_e(kinds.get(i, i)) for i in b.not_independent)
        parts.append(f"<p>Not counted as independent corroboration: {names}</p>")
    parts += [f'<p class="muted">Leans from {_e(src)}: {_e(text)}.</p>' for src, text in b.sources.items()]
    return "".join(parts) + "</section>"


def one_side_tag(brief: Brief, fact_id: str) -> str:
    """'left only' after a fact that only one side reports, else ''."""
    if brief.balance is None:
        return ""
    side = next((fb.one_side for fb in brief.balance.facts if fb.fact_id == fact_id and fb.one_side), None)
    return f' <span class="one-side">{_e(side)} only</span>' if side else ""
