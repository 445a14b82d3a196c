// crossbrief web page: outlet lean/kind fields of an article row and the brief's coverage balance section
// (balance bar, one-side-only facts, each side's coverage). Text reaches the DOM through textContent only;
// segment widths are set through the CSSOM (allowed by the page's style-src 'self').
"use strict";

(() => {
  const LEANS = ["left", "lean-left", "center", "lean-right", "right", "unknown"];
  const KINDS = ["news", "opinion", "wire", "press-release", "state-media", "unknown"];

  // Lean and kind selects for one article row; "" (not given) lets the server's outlet table fill them.
  function metaFields(el, id) {
    const select = (name, label, values) => {
      const node = el("select", { id: id(name), name },
        el("option", { value: "", text: name === "lean" ? "From outlet table" : "Not given" }),
        values.map((v) => el("option", { value: v, text: v })));
      return el("div", { class: "field" }, el("label", { for: id(name), text: label }), node);
    };
    return el("div", { class: "grid2" }, select("lean", "Lean (optional)", LEANS), select("kind", "Kind (optional)", KINDS));
  }

  function bar(el, leans) {
    const total = LEANS.reduce((n, l) => n + (leans[l] || 0), 0);
    const words = LEANS.filter((l) => leans[l]).map((l) => `${leans[l]} ${l}`).join(", ");
    const node = el("div", { class: "balance-bar", role: "img", "aria-label": `Articles by lean: ${words} of ${total}` });
    for (const l of LEANS) {
      if (!leans[l]) continue;
      const seg = el("span", { class: `lean-${l}`, title: `${l}: ${leans[l]}`, text: `${l} ${leans[l]}` });
      seg.style.flexGrow = String(leans[l]);
      node.append(seg);
    }
    return node;
  }

  // The section, or null for a brief made before balance was computed.
  function section(b, el, sectionOf) {
    const bal = b.balance;
    if (!bal) return null;
    const statement = new Map(b.facts.map((f) => [f.id, f.statement]));
    const flagged = Object.entries(bal.one_side_only).flatMap(([side, ids]) => ids.map((id) => [side, id]));
    return sectionOf("balance", "Coverage balance",
      bar(el, bal.leans),
      el("p", { id: "balance-note", text: bal.note }),
      el("ul", { class: "outlets" }, b.articles.map((a) => el("li", {}, el("strong", { text: a.outlet }),
        ` · ${a.lean}${a.lean_source && a.lean_source !== "caller" ? ` (${a.lean_source})` : ""} · ${a.kind}`))),
      flagged.length ? el("div", {}, el("h4", { text: "Reported by one side only" }),
        el("ul", { id: "one-side" }, flagged.map(([side, id]) => el("li", {},
          el("span", { class: "one-side", text: `${side} only` }), " ",
          el("a", { href: `#fact-${id}`, text: statement.get(id) || id }))))) : null,
      bal.comparable && bal.framing.length ? el("div", {}, el("h4", { text: "How each side covered it" }),
        el("ul", {}, bal.framing.map((sf) => el("li", { text: sf.sentence })))) : null,
      bal.not_independent.length ? el("p", { class: "hint", text: `Not counted as independent corroboration: ${
        bal.not_independent.map((id) => { const a = b.articles.find((x) => x.id === id); return a ? `${a.outlet} (${a.kind})` : id; }).join(", ")}` }) : null,
      Object.entries(bal.sources).map(([src, text]) => el("p", { class: "hint", text: `Leans from ${src}: ${text}.` })));
  }

  // "left only" tag for a fact only one side reports, else null.
  function tag(b, el, factId) {
    const fb = b.balance && b.balance.facts.find((x) => x.fact_id === factId && x.one_side);
    return fb ? el("span", { class: "one-side", text: `${fb.one_side} only` }) : null;
  }

  window.crossbriefBalance = { metaFields, section, tag };
})();
