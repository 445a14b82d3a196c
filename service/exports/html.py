"""A brief as one standalone HTML document: inline CSS, no scripts, no external assets.

Every citation is a numbered link ``#a-<article>-<start>`` to a ``<mark>`` around the cited span in the full
article texts printed at the end; ``:target`` highlights the span a reader jumped to. Everything that comes
from the articles or the brief is escaped: article text is untrusted input.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from urllib.parse import quote as urlquote

from service import __version__
from service.exports.balance import CSS as BALANCE_CSS
from service.exports.balance import balance_section, one_side_tag
from service.pipeline.types import Article
from service.schemas import Brief, Citation

Span = tuple[int, int]

CSS = """
:root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--accent:#0b5cad;
--hl:#fff3b0;--target:#ffd54f;--ok:#116329;--single:#7d4e00;--disputed:#a40e26}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:62rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.9rem;line-height:1.25;margin:.25rem 0 .75rem}
h2{font-size:1.3rem;margin:2.25rem 0 .75rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:1.25rem 0 .5rem}
a{color:var(--accent)}
.kicker,.muted{color:var(--muted);font-size:.9rem}
.summary{font-size:1.1rem}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.9rem}
.facts li{margin:.6rem 0}
.fact-meta{font-size:.85rem;color:var(--muted)}
.status{display:inline-block;padding:0 .45rem;border-radius:1rem;border:1px solid currentColor;font-size:.8rem}
.status-corroborated{color:var(--ok)}.status-single-source{color:var(--single)}.status-disputed{color:var(--disputed)}
a.cite{display:inline-block;margin:0 .15rem;padding:0 .35rem;border-radius:.3rem;background:var(--soft);
border:1px solid var(--line);font-size:.8rem;text-decoration:none;white-space:nowrap}
a.cite:hover,a.cite:focus{background:#e7f0fa}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.95rem}
th,td{border:1px solid var(--line);padding:.45rem .6rem;text-align:left;vertical-align:top}
thead th{background:var(--soft)}
table.conflict{table-layout:fixed}table.conflict thead td{width:7.5rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
blockquote{margin:.5rem 0;padding:.25rem .9rem;border-left:4px solid var(--line)}
.article{border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;margin:1rem 0}
.article h3{margin-top:.25rem}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
mark{background:var(--hl);color:inherit;scroll-margin-top:4rem}
mark:target,span.anchor:target{background:var(--target);outline:3px solid #c77700;outline-offset:1px}
footer{margin-top:3rem;padding-top:1rem;border-top:1px solid var(--line);color:var(--muted);font-size:.85rem}
@media print{nav{display:none}a.cite{border:0;background:none}}
"""


def brief_html(brief: Brief, articles: list[Article]) -> str:
    """The brief as a self-contained HTML page, with the full articles and every cited span marked."""
    texts = {a.id: a.text for a in articles}
    outlets = {a.id: a.outlet for a in brief.articles} | {a.id: a.outlet for a in articles}
    spans = _spans(brief, texts)
    ids = _anchor_ids(spans)
    r = _Renderer(outlets, texts, ids)
    body = [
        "<header>",
        '<p class="kicker">crossbrief · neutral multi-source brief</p>',
        f"<h1>{_e(brief.headline)}</h1>",
        f'<p class="summary">{_e(brief.summary)}</p>',
        f'<p class="muted">From {len(articles)} article(s): {_e(", ".join(a.outlet for a in articles))}</p>',
        "</header>",
        _nav(brief),
        balance_section(brief),
        r.facts(brief),
        r.conflicts(brief),
        r.positions(brief),
        r.quotes(brief),
        r.framing(brief),
        r.timeline(brief),
        _list_section("open-questions", "Open questions", brief.open_questions),
        r.coverage(brief),
        _articles_section(articles, spans, ids),
        _footer(brief),
    ]
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="crossbrief {_e(__version__)}">\n'
        f"<title>{_e(brief.headline)}</title>\n<style>{CSS}{BALANCE_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(part for part in body if part)
        + "\n</main>\n</body>\n</html>\n"
    )


def _e(value: object) -> str:
    return escape(str(value), quote=True)


# ---------------------------------------------------------------- spans and anchors


def _spans(brief: Brief, texts: dict[str, str]) -> dict[str, list[Span]]:
    """Per article, every span the brief cites that really is in the text (offsets checked against the quote)."""
    found: dict[str, set[Span]] = {aid: set() for aid in texts}

    def add(aid: str, start: int, end: int, quote: str) -> None:
        text = texts.get(aid)
        if text is not None and 0 <= start < end <= len(text) and text[start:end] == quote:
            found[aid].add((start, end))

    for c in _citations(brief):
        add(c.article_id, c.start, c.end, c.quote)
    for q in brief.quotes:
        add(q.article_id, q.start, q.end, q.text)
    for k in brief.conflicts:
        for p in k.positions:
            span = _find(texts, p.article_ids, p.quote)
            if span:
                add(span[0], span[1], span[2], p.quote)
    return {aid: sorted(s, key=lambda x: (x[0], -x[1])) for aid, s in found.items()}


def _citations(brief: Brief) -> Iterable[Citation]:
    for f in brief.facts:
        yield from f.citations
    for p in brief.positions:
        yield from p.citations
    for t in brief.timeline:
        yield from t.citations


def _find(texts: dict[str, str], article_ids: list[str], quote: str) -> tuple[str, int, int] | None:
    """Where a conflict position's quote (text of its first article, without offsets) is."""
    for aid in article_ids[:1]:
        at = texts.get(aid, "").find(quote) if quote else -1
        if at >= 0:
            return aid, at, at + len(quote)
    return None


def _anchor_ids(spans: dict[str, list[Span]]) -> dict[tuple[str, int, int], str]:
    """``a-<article>-<start>`` for each span; a shorter span starting at the same offset gets ``-<end>`` too."""
    ids: dict[tuple[str, int, int], str] = {}
    for aid, items in spans.items():
        taken: set[int] = set()
        for start, end in items:  # longest first at each start
            ids[(aid, start, end)] = f"a-{aid}-{start}" if start not in taken else f"a-{aid}-{start}-{end}"
            taken.add(start)
    return ids


def _marked_text(text: str, spans: list[Span], aid: str, ids: dict[tuple[str, int, int], str]) -> str:
    """The article text, escaped, with a ``<mark id>`` around every span (nested where spans nest). A span
    that crosses another (rare: a quote running over a sentence end) gets an anchor at its start instead."""
    out: list[str] = []
    pos = 0
    open_ends: list[int] = []

    def close_until(limit: int) -> None:
        nonlocal pos
        while open_ends and open_ends[-1] <= limit:
            end = open_ends.pop()
            out.append(_e(text[pos:end]) + "</mark>")
            pos = end

    for start, end in spans:
        close_until(start)
        out.append(_e(text[pos:start]))
        pos = start
        anchor = _e(ids[(aid, start, end)])
        if open_ends and end > open_ends[-1]:
            out.append(f'<span class="anchor" id="{anchor}"></span>')
            continue
        out.append(f'<mark id="{anchor}">')
        open_ends.append(end)
    close_until(len(text))
    out.append(_e(text[pos:]))
    return "".join(out)


# ---------------------------------------------------------------- sections


class _Renderer:
    """Sections that link to the articles."""

    def __init__(self, outlets: dict[str, str], texts: dict[str, str], ids: dict[tuple[str, int, int], str]) -> None:
        self.outlets = outlets
        self.texts = texts
        self.ids = ids

    def outlet(self, aid: str) -> str:
        return self.outlets.get(aid, aid)

    def href(self, aid: str, start: int, end: int) -> str:
        anchor = self.ids.get((aid, start, end))
        return "#" + urlquote(anchor if anchor else f"article-{aid}", safe="-._~")

    def cites(self, citations: list[Citation]) -> str:
        links = [
            f'<a class="cite" href="{_e(self.href(c.article_id, c.start, c.end))}" title="{_e(c.quote)}">'
            f"[{n}] {_e(self.outlet(c.article_id))}</a>"
            for n, c in enumerate(citations, 1)
        ]
        return "".join(links)

    def facts(self, brief: Brief) -> str:
        if not brief.facts:
            return '<section id="facts"><h2>Facts</h2><p class="muted">No facts.</p></section>'
        items = [
            f'<li id="fact-{_e(f.id)}"><span class="statement">{_e(f.statement)}</span><br>'
            f'<span class="fact-meta"><span class="status status-{_e(f.status)}">{_e(f.status)}</span> '
            f"{f.sources} source(s){one_side_tag(brief, f.id)} {self.cites(f.citations)}</span></li>"
            for f in brief.facts
        ]
        return '<section id="facts"><h2>Facts</h2><ol class="facts">' + "".join(items) + "</ol></section>"

    def conflicts(self, brief: Brief) -> str:
        tables = []
        for k in brief.conflicts:
            heads = "".join(
                f'<th scope="col" class="pos">{_e(", ".join(self.outlet(a) for a in p.article_ids))}</th>'
                for p in k.positions
            )
            values = "".join(f"<td><strong>{_e(p.value)}</strong></td>" for p in k.positions)
            quotes = "".join(f"<td>{self._position_quote(p.article_ids, p.quote)}</td>" for p in k.positions)
            tables.append(
                f'<table class="conflict" id="conflict-{_e(k.id)}"><caption>{_e(k.topic)}</caption>'
                f'<thead><tr><td></td>{heads}</tr></thead><tbody><tr><th scope="row">Figure</th>{values}</tr>'
                f'<tr><th scope="row">As written</th>{quotes}</tr></tbody></table>'
            )
        return _section("conflicts", "Where the outlets disagree", tables)

    def _position_quote(self, article_ids: list[str], quote: str) -> str:
        span = _find(self.texts, article_ids, quote)
        text = f"“{_e(quote)}”"
        if span is None:
            return text
        return f'{text} <a class="cite" href="{_e(self.href(*span))}">source</a>'

    def positions(self, brief: Brief) -> str:
        items = [
            f"<li><strong>{_e(p.party)}</strong>: {_e(p.stance)} {self.cites(p.citations)}</li>"
            for p in brief.positions
        ]
        return _section("positions", "Positions", items, "<ul>", "</ul>")

    def quotes(self, brief: Brief) -> str:
        items = [
            f'<blockquote><p>“{_e(q.text)}”</p><p class="muted">— {_e(q.speaker or "unattributed")}, '
            f'<a href="{_e(self.href(q.article_id, q.start, q.end))}">{_e(self.outlet(q.article_id))}</a></p>'
            "</blockquote>"
            for q in brief.quotes
        ]
        return _section("quotes", "Quotes", items)

    def framing(self, brief: Brief) -> str:
        rows = [
            f'<tr><th scope="row">{_e(fr.outlet)}</th><td>{_ul(fr.naming)}</td><td>{_ul(fr.stresses)}</td>'
            f"<td>{_ul(fr.omits)}</td></tr>"
            for fr in brief.framing
        ]
        head = _head("Outlet", "Distinctive naming", "Only it reports", "Leaves out")
        return _section("framing", "Framing", rows, f"<table>{head}<tbody>", "</tbody></table>")

    def timeline(self, brief: Brief) -> str:
        items = [
            f"<li><strong>{_e(t.date)}</strong>: {_e(t.event)} {self.cites(t.citations)}</li>" for t in brief.timeline
        ]
        return _section("timeline", "Timeline", items, "<ol>", "</ol>")

    def coverage(self, brief: Brief) -> str:
        rows = [
            f'<tr><th scope="row">{_e(c.outlet)}</th><td>{_fact_links(c.facts)}</td>'
            f"<td>{_fact_links(c.single_source_facts)}</td></tr>"
            for c in brief.coverage
        ]
        head = _head("Outlet", "Facts", "Only here")
        return _section("coverage", "Coverage", rows, f"<table>{head}<tbody>", "</tbody></table>")


def _head(*labels: str) -> str:
    return "<thead><tr>" + "".join(f'<th scope="col">{label}</th>' for label in labels) + "</tr></thead>"


def _ul(items: list[str]) -> str:
    if not items:
        return '<span class="muted">–</span>'
    return "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


def _fact_links(fact_ids: list[str]) -> str:
    if not fact_ids:
        return '<span class="muted">–</span>'
    return " ".join(f'<a href="#fact-{_e(urlquote(f, safe=""))}">{_e(f)}</a>' for f in fact_ids)


def _list_section(anchor: str, title: str, items: list[str]) -> str:
    return _section(anchor, title, [f"<li>{_e(i)}</li>" for i in items], "<ul>", "</ul>")


def _section(anchor: str, title: str, parts: list[str], open_tag: str = "", close_tag: str = "") -> str:
    """A titled section of the page: ``parts`` between ``open_tag`` and ``close_tag``; none without parts."""
    if not parts:
        return ""
    return f'<section id="{anchor}"><h2>{title}</h2>{open_tag}' + "".join(parts) + f"{close_tag}</section>"


def _nav(brief: Brief) -> str:
    parts = [
        ("balance", "Balance", brief.balance is not None),
        ("facts", "Facts", True),
        ("conflicts", "Disagreements", bool(brief.conflicts)),
        ("positions", "Positions", bool(brief.positions)),
        ("quotes", "Quotes", bool(brief.quotes)),
        ("framing", "Framing", bool(brief.framing)),
        ("timeline", "Timeline", bool(brief.timeline)),
        ("open-questions", "Open questions", bool(brief.open_questions)),
        ("coverage", "Coverage", bool(brief.coverage)),
        ("articles", "Source articles", True),
    ]
    links = "".join(f'<li><a href="#{anchor}">{label}</a></li>' for anchor, label, shown in parts if shown)
    return f'<nav aria-label="Sections"><ul>{links}</ul></nav>'


def _articles_section(
    articles: list[Article], spans: dict[str, list[Span]], ids: dict[tuple[str, int, int], str]
) -> str:
    blocks = []
    for a in articles:
        title = f" — {_e(a.title)}" if a.title else ""
        meta = [_e(a.published.isoformat())] if a.published else []
        if a.url:
            meta.append(_url(a.url))
        meta_html = f'<p class="muted">{" · ".join(meta)}</p>' if meta else ""
        body = _marked_text(a.text, spans.get(a.id, []), a.id, ids)
        blocks.append(
            f'<article class="article" id="article-{_e(a.id)}"><h3>{_e(a.outlet)}{title}</h3>{meta_html}'
            f'<div class="text">{body}</div></article>'
        )
    return '<section id="articles"><h2>Source articles</h2>' + "".join(blocks) + "</section>"


def _url(url: str) -> str:
    """A link only for http(s) URLs (a ``javascript:`` URL from an article stays plain text)."""
    if url.lower().startswith(("http://", "https://")):
        return f'<a href="{_e(url)}" rel="noopener noreferrer nofollow">{_e(url)}</a>'
    return _e(url)


def _footer(brief: Brief) -> str:
    m = brief.meta
    stages = ", ".join(f"{_e(k)} {v:.1f} s" for k, v in m.stage_seconds.items())
    prompts = ", ".join(_e(v) for v in m.prompt_versions.values())
    warnings = (
        f"<details><summary>{len(m.warnings)} warning(s)</summary><ul>"
        + "".join(f"<li>{_e(w)}</li>" for w in m.warnings)
        + "</ul></details>"
        if m.warnings
        else "<p>No warnings.</p>"
    )
    names = {a.id: a.outlet for a in brief.articles}
    screened = (
        f"<details><summary>{len(m.screened)} sentence(s) left out as instructions to a model</summary><ul>"
        + "".join(
            f"<li><q>{_e(x.text)}</q> — {_e(names.get(x.article_id, x.article_id))}: {_e(x.reason)} ({x.by})</li>"
            for x in m.screened
        )
        + "</ul></details>"
        if m.screened
        else ""
    )
    rid = f" · request {_e(m.request_id)}" if m.request_id else ""
    return (
        f"<footer><p>{_e(m.strategy)} strategy · {_e(m.backend)} · {_e(m.model)} · {m.tokens_in} tokens in, "
        f"{m.tokens_out} out · {m.seconds:.1f} s{rid}</p>"
        + (f"<p>Stages: {stages}</p>" if stages else "")
        + (f"<p>Prompts: {prompts}</p>" if prompts else "")
        + warnings
        + screened
        + f"<p>Made by crossbrief {_e(__version__)}. Statements are checked against the cited text; "
        "read the sources for context.</p></footer>"
    )
