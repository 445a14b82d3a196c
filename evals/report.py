"""Reports: the JSON run record and a self-contained HTML page (inline SVG charts, no scripts) with
per-case scores and per-item verdicts, the matched statement highlighted."""

from __future__ import annotations

from html import escape
from pathlib import Path

from evals.calibration import TRUSTED, CalibrationResult
from evals.record import CaseRecord, RunRecord, Stat
from evals.scorers import METRICS, ItemVerdict

CHART_METRICS = (
    "fact_recall",
    "conflict_recall",
    "statement_support",
    "summary_coverage",
    "headline_quality",
    "model_text_share",
    "citation_validity",
)
COLORS = ("#3b6ea5", "#e07b39", "#5a9e5a", "#8e6bb8", "#c94c4c", "#2a9d8f", "#999999")
DETAIL_SECTIONS = (
    ("statement_support", "Sentences their sources do not support", False),
    ("summary_coverage", "Core facts in headline and summary", True),
    ("headline_quality", "Headline checks", True),
    ("false_conflicts", "Conflicts (hit = not a disagreement between outlets)", True),
    ("model_text_share", "Written by code or verbatim, not by the model", False),
    ("fact_recall", "Facts", True),
    ("one_side_flags", "One-side-only flags (hit = the brief's flag matches the lean labels)", True),
    ("conflict_recall", "Conflicts", True),
    ("must_not_claim_violations", "Must not claim (hit = violation)", True),
    ("party_coverage", "Parties", True),
    ("unattributed_loaded_terms", "Loaded terms (hit = unattributed use)", True),
    ("unsupported_statements", "Unsupported statements", False),
    ("citation_validity", "Citations not found", False),
)

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin-top:28px} h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px;width:100%} th,td{border:1px solid #ddd;padding:4px 6px;
vertical-align:top;text-align:left} th{background:#f4f4f4} td.num{text-align:right;white-space:nowrap}
.meta{color:#555} .calib{background:#fff8e1;border:1px solid #f0d77b;padding:8px 10px;margin:10px 0}
.hit{background:#dff0d8} .miss{background:#f8d7da} .unscored{background:#fff3cd}
.bad.hit{background:#f8d7da} .bad.miss{background:#dff0d8}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;font-weight:600}
mark{background:#ffe066;padding:0 1px} details{margin:8px 0;border:1px solid #ddd;padding:6px 10px}
summary{cursor:pointer;font-weight:600} .small{font-size:12px;color:#555}
"""


def write_json(record: RunRecord, path: Path) -> None:
    """Write the run record."""
    path.write_text(record.model_dump_json(indent=1), encoding="utf-8")


def write_html(record: RunRecord, path: Path) -> None:
    """Write the HTML report."""
    path.write_text(render_html(record), encoding="utf-8")


def fmt(s: Stat | None, digits: int = 3) -> str:
    """'0.812 ± 0.031' (spread only with repeats), '–' when there is no value."""
    if s is None or s.mean is None:
        return "–"
    text = f"{s.mean:.{digits}f}".rstrip("0").rstrip(".") if s.mean != int(s.mean) else f"{s.mean:.0f}"
    return text + (f" ± {s.stdev:.3f}" if s.stdev is not None else "")


def mark(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` escaped, with ``spans`` wrapped in <mark>."""
    out, pos = [], 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if end <= start:
            continue
        out += [escape(text[pos:start]), "<mark>", escape(text[start:end]), "</mark>"]
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def render_html(r: RunRecord) -> str:
    """The whole report page."""
    git = r.git.get("commit") or "unknown"
    dirty = " (dirty)" if r.git.get("dirty") else ""
    head = (
        f"<h1>crossbrief eval run</h1><div class='meta'>{escape(r.created)} · commit {escape(str(git)[:12])}{dirty}"
        f" · source {escape(r.source)} · backend {escape(str(r.backend))} · model {escape(str(r.model))}"
        f" · judge {escape(str(r.judge.get('model')))} · {len(r.cases)} case(s) × {r.options.get('repeat', 1)}"
        f" repeat(s) · {r.seconds:.1f} s</div>"
    )
    calib = r.calibration.line() if r.calibration else "judge agreement: not measured in this run (--no-calibration)"
    parts = [head, f"<div class='calib'>{escape(calib)}</div>", _metrics_table(r), _chart(r.cases)]
    if r.calibration is not None and r.calibration.by_kind:
        parts.append(_calibration_table(r.calibration))
    peers = {p: {c.id: c for c in pr.cases} for p, pr in r.peers.items()}
    parts += [_judge_table(r), "<h2>Cases</h2>"] + [_case(c, {p: by[c.id] for p, by in peers.items()}) for c in r.cases]
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>crossbrief eval</title>"
        f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
    )


def _metrics_table(r: RunRecord) -> str:
    peers = list(r.peers)
    heads = "".join(f"<th>{escape(p)} (peer)</th>" for p in peers)
    rows = "".join(
        f"<tr><td>{escape(m)}</td><td class='num'>{fmt(r.metrics.get(m))}</td>"
        + "".join(f"<td class='num'>{fmt(r.peers[p].metrics.get(m))}</td>" for p in peers)
        + f"<td class='num'>{_range(r.metrics.get(m))}</td><td>{info.better}</td>"
        + f"<td>{escape(info.description)}</td></tr>"
        for m, info in METRICS.items()
    )
    strategy = escape(str(r.options.get("strategy")))
    return (
        "<h2>Metrics</h2><p class='small'>Mean over cases; ± is the standard deviation over repeats. Peers: the same "
        "cases briefed another way, scored by the same judge.</p>"
        f"<table><tr><th>metric</th><th>{strategy} (this run)</th>{heads}<th>range</th><th>better</th>"
        f"<th>meaning</th></tr>{rows}</table>"
    )


def _calibration_table(c: CalibrationResult) -> str:
    rows = []
    groups = [(f"source: {k}", a) for k, a in c.by_source.items()] + [(k, a) for k, a in c.by_kind.items()]
    for name, a in groups:
        low = a.agreement is not None and a.scored >= 5 and a.agreement < TRUSTED
        value = "-" if a.agreement is None else f"{a.agreement:.1%}"
        rows.append(
            f"<tr><td>{escape(name)}</td><td class='num {'miss' if low else ''}'>{value}</td>"
            f"<td class='num'>{a.scored}</td><td class='num'>{a.false_yes}</td><td class='num'>{a.false_no}</td></tr>"
        )
    wrong = "".join(
        f"<tr><td>{escape(d.id)}</td><td>{escape(d.kind or '')}</td><td>{escape(d.claim)}</td>"
        f"<td>{escape(d.statement)}</td><td>{d.label}</td><td>{d.answer} ({d.by}): {escape(d.reason)}</td></tr>"
        for d in c.disagreements
    )
    return (
        f"<h2>Judge agreement by kind</h2><p class='small'>Kinds below {TRUSTED:.0%} are marked: read their "
        "scores with care.</p><table><tr><th>group</th><th>agreement</th><th>scored</th><th>false yes</th>"
        f"<th>false no</th></tr>{''.join(rows)}</table><details><summary>Disagreements ({len(c.disagreements)})"
        "</summary><table><tr><th>pair</th><th>kind</th><th>claim</th><th>statement</th><th>label</th>"
        f"<th>judge</th></tr>{wrong}</table></details>"
    )


def _range(s: Stat | None) -> str:
    if s is None or s.min is None or s.n < 2:
        return ""
    return f"{s.min:g} – {s.max:g}"


def _chart(cases: list[CaseRecord]) -> str:
    """Grouped horizontal bars per case for the 0..1 metrics, whiskers for the range over repeats."""
    bar, gap, label_w, width = 9, 10, 230, 420
    group_h = bar * len(CHART_METRICS) + gap
    top = 6
    height = group_h * len(cases) + 40 + top
    svg = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{label_w + width + 60}' height='{height}' role='img'>"]
    for t in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_w + t * width
        svg.append(f"<line x1='{x}' y1='0' x2='{x}' y2='{height - 30}' stroke='#eee'/>")
        svg.append(f"<text x='{x}' y='{height - 18}' font-size='10' text-anchor='middle'>{t:g}</text>")
    for i, c in enumerate(cases):
        y0 = top + i * group_h
        label = escape(c.id[:34])
        svg.append(f"<text x='{label_w - 6}' y='{y0 + group_h / 2}' font-size='11' text-anchor='end'>{label}</text>")
        for j, m in enumerate(CHART_METRICS):
            s = c.metrics.get(m)
            y = y0 + j * bar
            if s is None or s.mean is None:
                continue
            w = max(1.0, s.mean * width)
            svg.append(
                f"<rect x='{label_w}' y='{y}' width='{w:.1f}' height='{bar - 1}' fill='{COLORS[j]}'>"
                f"<title>{escape(c.id)} {m}: {fmt(s)}</title></rect>"
            )
            if s.min is not None and s.max is not None and s.n > 1:
                x1, x2 = label_w + s.min * width, label_w + s.max * width
                svg.append(f"<line x1='{x1:.1f}' y1='{y + bar / 2}' x2='{x2:.1f}' y2='{y + bar / 2}' stroke='#000'/>")
    svg.append("</svg>")
    legend = " ".join(
        f"<span><svg width='10' height='10'><rect width='10' height='10' fill='{COLORS[j]}'/></svg> {m}</span>"
        for j, m in enumerate(CHART_METRICS)
    )
    return f"<h2>Per-case scores</h2><div class='small'>{legend}</div>{''.join(svg)}"


def _judge_table(r: RunRecord) -> str:
    st = r.judge.get("stats", {})
    cells = "".join(
        f"<td class='num'>{escape(str(st.get(k, '')))}</td>" for k in ("calls", "cached", "by_code", "unscored")
    )
    return (
        "<h2>Judge and cache</h2><table><tr><th>judge model</th><th>model calls</th><th>cached answers</th>"
        "<th>settled by code</th><th>unscored</th><th>tokens in/out</th><th>judge seconds</th><th>brief cache</th></tr>"
        f"<tr><td>{escape(str(r.judge.get('backend')))}/{escape(str(r.judge.get('model')))}</td>{cells}"
        f"<td class='num'>{st.get('tokens_in', 0)}/{st.get('tokens_out', 0)}</td>"
        f"<td class='num'>{float(st.get('seconds', 0)):.1f}</td>"
        f"<td>{r.cache.get('brief_hits', 0)} cached of {r.cache.get('briefs', 0)}</td></tr></table>"
    )


def _case(c: CaseRecord, peers: dict[str, CaseRecord] | None = None) -> str:
    first = c.repeats[0]
    summary = " · ".join(
        f"{m} {fmt(c.metrics.get(m))}" for m in ("fact_recall", "conflict_recall", "citation_validity")
    )
    out = [f"<details open><summary>{escape(c.id)} <span class='small'>({escape(c.suite)}) {summary}</span></summary>"]
    if c.title:
        out.append(f"<div class='small'>{escape(c.title)} · {escape(c.file)}</div>")
    problems = [f"repeat {r.repeat}: {r.problem}" for r in c.repeats if r.problem]
    if problems:
        out.append("<p class='miss'>" + "<br>".join(escape(p) for p in problems) + "</p>")
    if first.brief is not None:
        out.append(f"<p><b>{escape(first.brief.headline)}</b><br>{escape(first.brief.summary)}</p>")
    metrics = "".join(f"<td class='num'>{fmt(c.metrics.get(m))}</td>" for m in METRICS)
    heads = "".join(f"<th>{m.replace('_', '_<wbr>')}</th>" for m in METRICS)
    rows = "".join(
        f"<tr><td>{escape(p)}</td>"
        + "".join(f"<td class='num'>{fmt(pc.metrics.get(m))}</td>" for m in METRICS)
        + "</tr>"
        for p, pc in (peers or {}).items()
    )
    label = "<td>this run</td>" if peers else ""
    out.append(f"<table><tr>{'<th>brief</th>' if peers else ''}{heads}</tr><tr>{label}{metrics}</tr>{rows}</table>")
    for p, pc in (peers or {}).items():
        b = pc.repeats[0].brief
        text = f"<b>{escape(b.headline)}</b><br>{escape(b.summary)}" if b else escape(pc.repeats[0].problem or "")
        out.append(f"<p class='small'>{escape(p)} (peer): {text}</p>")
    for metric, title, show_all in DETAIL_SECTIONS:
        out.append(_items(c, metric, title, show_all))
    out.append("</details>")
    return "".join(out)


def _items(c: CaseRecord, metric: str, title: str, show_all: bool) -> str:
    first = c.repeats[0].scores.get(metric)
    if first is None or not first.items:
        return ""
    bad = METRICS[metric].better == "lower"
    rates = _hit_rates(c, metric)
    items = first.items if show_all else [i for i in first.items if (i.verdict == "hit") == bad]
    note = "" if show_all else f" <span class='small'>({len(items)} of {len(first.items)} listed)</span>"
    if not items:
        return f"<h3>{escape(title)}</h3><p class='small'>none of {len(first.items)}</p>"
    rows = "".join(_item_row(i, rates.get(i.id, ""), bad) for i in items)
    return (
        f"<h3>{escape(title)}{note}</h3><table><tr><th>item</th><th>verdict</th><th>hits/repeats</th>"
        f"<th>brief statement</th><th>reason</th></tr>{rows}</table>"
    )


def _item_row(i: ItemVerdict, rate: str, bad: bool) -> str:
    cls = f"{'bad ' if bad else ''}{i.verdict}"
    weight = f" <span class='small'>w{i.weight:g}</span>" if i.weight != 1 else ""
    where = f"<div class='small'>{escape(i.where)}</div>" if i.where else ""
    claim = f"<div class='small'>{escape(i.claim)}</div>" if i.claim else ""
    text = mark(i.statement, i.spans) if i.statement else ""
    return (
        f"<tr><td>{escape(i.id)}{weight}{claim}</td><td class='{cls}'><span class='badge'>{i.verdict}</span></td>"
        f"<td class='num'>{rate}</td><td>{text}{where}</td><td class='small'>{escape(i.reason)}</td></tr>"
    )


def _hit_rates(c: CaseRecord, metric: str) -> dict[str, str]:
    counts: dict[str, list[int]] = {}
    for r in c.repeats:
        s = r.scores.get(metric)
        for i in s.items if s else []:
            hit_scored = counts.setdefault(i.id, [0, 0])
            hit_scored[0] += i.verdict == "hit"
            hit_scored[1] += i.verdict != "unscored"
    return {k: f"{h}/{n}" for k, (h, n) in counts.items()}


def summary_text(r: RunRecord) -> str:
    """The run's summary as the CLI prints it: metrics (with peers), judge agreement, cache, problems."""
    lines = [f"{len(r.cases)} case(s), source {r.source}, model {r.model or '-'}, judge {r.judge.get('model')}"]
    peers = list(r.peers)
    if peers:
        lines.append(f"  {'metric':28} {'this run':>14} " + " ".join(f"{p:>14}" for p in peers))
    lines += [
        f"  {name:28} {fmt(r.metrics.get(name))}"
        if not peers
        else f"  {name:28} {fmt(r.metrics.get(name)):>14} "
        + " ".join(f"{fmt(r.peers[p].metrics.get(name)):>14}" for p in peers)
        for name in METRICS
    ]
    lines.append(r.calibration.line() if r.calibration else "judge agreement: not measured (--no-calibration)")
    st = r.judge["stats"]
    lines.append(
        f"briefs: {r.cache['brief_hits']} of {r.cache['briefs']} from cache; judge: {st['calls']} model calls, "
        f"{st['cached']} cached, {st['by_code']} settled by code, {st['unscored']} unscored; {r.seconds:.1f} s"
    )
    problems = [f"  {c.id} repeat {x.repeat}: {x.problem}" for c in r.cases for x in c.repeats if x.problem]
    if problems:
        lines += ["problems:", *problems]
    return "\n".join(lines)


def markdown_table(r: RunRecord, metrics: list[str] | None = None) -> str:
    """Per-case metrics of the run (and one row per peer under each case), then the means, in Markdown."""
    names = metrics or [m for m in METRICS if m not in ("length_words",)]
    short = {m: m.replace("_violations", "").replace("unattributed_", "") for m in names}
    lines = ["| case | brief | " + " | ".join(short[m] for m in names) + " |", "|---|---|" + "---|" * len(names)]
    peers = {p: {c.id: c for c in pr.cases} for p, pr in r.peers.items()}
    strategy = str(r.options.get("strategy"))
    for c in r.cases:
        rows = [(strategy, c.metrics)] + [(p, by[c.id].metrics) for p, by in peers.items() if c.id in by]
        for label, ms in rows:
            lines.append(f"| {c.id} | {label} | " + " | ".join(fmt(ms.get(m)) for m in names) + " |")
    for label, ms in [(strategy, r.metrics)] + [(p, pr.metrics) for p, pr in r.peers.items()]:
        lines.append(f"| **mean** | {label} | " + " | ".join(fmt(ms.get(m)) for m in names) + " |")
    return "\n".join(lines)
