// crossbrief web page: send articles, follow the job's progress, show the brief with its sources.
// Every piece of server or article data reaches the DOM through textContent / attributes, never parsed as HTML.
"use strict";

(() => {
  const STAGES = [
    ["ingest", "Read the articles"],
    ["segment", "Split into sentences"],
    ["align", "Align what the outlets say"],
    ["signals", "Find figures, quotes and disagreements"],
    ["llm_tasks", "Model writes statements and stances"],
    ["summary", "Headline and summary"],
  ];
  const KEY_STORE = "crossbrief.apiKey";
  const $ = (id) => document.getElementById(id);
  const state = { job: null, articles: new Map(), brief: null, abort: null, rows: 0, started: 0 };

  // ---------------------------------------------------------------- DOM helpers

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, body, requestId) {
      super((body && body.error && body.error.message) || `HTTP ${status}`);
      this.status = status;
      this.body = body || {};
      this.requestId = (body && (body.request_id || (body.error && body.error.request_id))) || requestId;
    }
  }

  function apiKey() {
    return $("api-key").value.trim();
  }

  async function api(path, options = {}) {
    const headers = new Headers(options.headers || {});
    const key = apiKey();
    if (key) headers.set("Authorization", `Bearer ${key}`);
    let res;
    try {
      res = await fetch(path, { ...options, headers });
    } catch (e) {
      if (e.name === "AbortError") throw e;
      throw new ApiError(0, { error: { code: "network", message: `could not reach the server (${e.message})` } });
    }
    if (!res.ok) {
      let body = null;
      try {
        body = await res.json();
      } catch (_) {
        body = { error: { code: `http_${res.status}`, message: res.statusText || "request failed" } };
      }
      throw new ApiError(res.status, body, res.headers.get("X-Request-ID"));
    }
    return res;
  }

  const jobPath = (id) => `/v1/briefs/${encodeURIComponent(id)}`;

  // ---------------------------------------------------------------- article rows

  function addRow(values = {}) {
    const n = ++state.rows;
    const id = (f) => `article-${n}-${f}`;
    const outlet = el("input", { id: id("outlet"), name: "outlet", required: true, autocomplete: "off" });
    const title = el("input", { id: id("title"), name: "title", autocomplete: "off" });
    const format = el(
      "select",
      { id: id("format"), name: "format" },
      el("option", { value: "text", text: "Plain text" }),
      el("option", { value: "html", text: "HTML page" }),
    );
    const text = el("textarea", { id: id("text"), name: "text", rows: 6, required: true, spellcheck: "false" });
    const file = el("input", { id: id("file"), type: "file", accept: ".txt,.html,.htm,text/plain,text/html" });
    const legend = el("legend", {});
    const row = el(
      "fieldset",
      { class: "article-row", "data-row": n },
      legend,
      el("div", { class: "grid2" },
        el("div", { class: "field" }, el("label", { for: id("outlet"), text: "Outlet" }), outlet),
        el("div", { class: "field" }, el("label", { for: id("title"), text: "Title (optional)" }), title)),
      window.crossbriefBalance.metaFields(el, id),
      el("div", { class: "field" }, el("label", { for: id("text"), text: "Text" }), text),
      el("div", { class: "row" },
        el("label", { for: id("format"), text: "Format" }), format,
        el("label", { for: id("file"), text: "Load file" }), file,
        el("button", { type: "button", class: "remove", text: "Remove", onclick: () => removeRow(row) })),
    );
    file.addEventListener("change", () => file.files[0] && loadFile(row, file.files[0]));
    outlet.value = values.outlet || "";
    title.value = values.title || "";
    text.value = values.text || "";
    format.value = values.format || "text";
    $("articles").append(row);
    renumber();
    return row;
  }

  function removeRow(row) {
    const rows = [...document.querySelectorAll(".article-row")];
    const next = rows[rows.indexOf(row) + 1] || rows[rows.indexOf(row) - 1];
    row.remove();
    renumber();
    (next ? next.querySelector("input") : $("add-article")).focus();
  }

  function renumber() {
    const rows = document.querySelectorAll(".article-row");
    rows.forEach((row, i) => {
      row.querySelector("legend").textContent = `Article ${i + 1}`;
      const remove = row.querySelector("button.remove");
      remove.setAttribute("aria-label", `Remove article ${i + 1}`);
      remove.disabled = rows.length <= 2;
    });
  }

  async function loadFile(row, file) {
    const body = await file.text();
    const isHtml = /\.html?$/i.test(file.name) || file.type === "text/html";
    row.querySelector('[name="text"]').value = body;
    row.querySelector('[name="format"]').value = isHtml ? "html" : "text";
    const outlet = row.querySelector('[name="outlet"]');
    if (!outlet.value.trim()) outlet.value = file.name.replace(/\.[^.]+$/, "").replace(/[-_]+/g, " ");
  }

  async function loadFiles(files) {
    for (const file of files) {
      const empty = [...document.querySelectorAll(".article-row")].find(
        (r) => !r.querySelector('[name="text"]').value.trim(),
      );
      await loadFile(empty || addRow(), file);
    }
  }

  function requestBody() {
    const articles = [...document.querySelectorAll(".article-row")].map((row) => {
      const get = (name) => row.querySelector(`[name="${name}"]`).value;
      const item = { outlet: get("outlet").trim() };
      if (get("title").trim()) item.title = get("title").trim();
      if (get("lean")) item.lean = get("lean");
      if (get("kind")) item.kind = get("kind");
      item[get("format") === "html" ? "html" : "text"] = get("text");
      return item;
    });
    const options = { length: $("length").value };
    if ($("strategy").value) options.strategy = $("strategy").value;
    return { articles, options };
  }

  // ---------------------------------------------------------------- errors

  function fieldFor(loc) {
    // loc: ["body", "articles", 1, "text"] -> the matching input of the second row
    const i = loc.indexOf("articles");
    if (i < 0 || typeof loc[i + 1] !== "number") return loc[1] === "options" ? $(String(loc[2])) : null;
    const row = document.querySelectorAll(".article-row")[loc[i + 1]];
    if (!row) return null;
    const name = loc[i + 2] === "html" ? "text" : loc[i + 2];
    return row.querySelector(`[name="${name}"]`) || row.querySelector("textarea");
  }

  function describeLoc(loc) {
    const parts = loc.filter((p, i) => p !== "body" && !(p === "articles" && typeof loc[i + 1] === "number"));
    return parts.map((p) => (typeof p === "number" ? `article ${p + 1}` : p)).join(" › ");
  }

  function showError(err) {
    const box = clear($("errors"));
    document.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
    if (err.status === 422 && Array.isArray(err.body.detail)) {
      box.append(el("h2", { text: "Please fix the input" }));
      const list = el("ul");
      for (const d of err.body.detail) {
        const loc = Array.isArray(d.loc) ? d.loc : [];
        const field = fieldFor(loc);
        if (field) field.setAttribute("aria-invalid", "true");
        const where = describeLoc(loc) || "request";
        const item = field
          ? el("button", { type: "button", class: "link", text: where, onclick: () => field.focus() })
          : el("strong", { text: where });
        list.append(el("li", {}, item, `: ${d.msg}`));
      }
      box.append(list);
    } else {
      const e = err.body.error || {};
      const status = err.status ? `${err.status} ` : "";
      box.append(el("h2", { text: `${status}${e.code || "error"}` }), el("p", { text: e.message || err.message }));
      if (err.requestId) box.append(el("p", { class: "hint" }, "Request id: ", el("code", { text: err.requestId })));
      if (err.status === 401 || err.status === 403) box.append(el("p", { text: "Enter a valid API key above." }));
    }
    box.hidden = false;
    box.focus();
  }

  function hideError() {
    clear($("errors")).hidden = true;
  }

  // ---------------------------------------------------------------- progress

  function resetProgress() {
    const list = clear($("stages"));
    for (const [name, label] of STAGES) list.append(stageItem(name, label));
    $("tokens").textContent = "";
    $("progress-status").textContent = "Queued…";
    $("progress").hidden = false;
    $("progress").scrollIntoView({ block: "nearest" });
    state.started = performance.now();
  }

  function stageItem(name, label) {
    return el("li", { "data-stage": name, "data-state": "pending" }, el("span", { class: "mark", "aria-hidden": "true" }),
      el("span", { text: label }), el("span", { class: "state visually-hidden", text: " (pending)" }));
  }

  function setStage(name, st, seconds) {
    let item = document.querySelector(`#stages [data-stage="${CSS.escape(name)}"]`);
    if (!item) $("stages").append((item = stageItem(name, name)));
    item.dataset.state = st === "started" ? "running" : "done";
    const words = st === "started" ? " (running)" : ` (done${seconds !== undefined ? `, ${seconds.toFixed(1)} s` : ""})`;
    item.querySelector(".state").textContent = words;
    if (st === "started") {
      const label = item.children[1].textContent;
      $("progress-status").textContent = `Running: ${label.toLowerCase()}…`;
    }
  }

  function onEvent(kind, data) {
    if (kind === "status") $("progress-status").textContent = data.status === "queued" ? "Queued…" : "Running…";
    else if (kind === "stage") setStage(data.stage, data.state, data.seconds);
    else if (kind === "tokens") {
      $("tokens").textContent = `${data.total_in ?? 0} tokens in, ${data.total_out ?? 0} out so far (last: ${data.task}, ${data.model})`;
    } else if (kind === "done" || kind === "failed" || kind === "cancelled") return false;
    return true;
  }

  // Server-Sent Events read with fetch (EventSource cannot send an Authorization header).
  async function followEvents(id, signal) {
    const res = await api(`${jobPath(id)}/events`, { signal, headers: { Accept: "text/event-stream" } });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      const held = buf.endsWith("\r") ? "\r" : "";
      let text = (held ? buf.slice(0, -1) : buf).replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = text.indexOf("\n\n")) >= 0) {
        const block = text.slice(0, cut);
        text = text.slice(cut + 2);
        let kind = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (!line || line.startsWith(":")) continue;
          const c = line.indexOf(":");
          const field = c < 0 ? line : line.slice(0, c);
          const v = c < 0 ? "" : line.slice(c + 1).replace(/^ /, "");
          if (field === "event") kind = v;
          else if (field === "data") data.push(v);
        }
        let payload = {};
        try {
          payload = data.length ? JSON.parse(data.join("\n")) : {};
        } catch (_) {
          /* not JSON: ignore the payload */
        }
        if (onEvent(kind, payload) === false) {
          reader.cancel().catch(() => {});
          return;
        }
      }
      buf = text + held;
    }
  }

  async function waitForJob(id, signal) {
    try {
      await followEvents(id, signal);
    } catch (e) {
      if (e.name === "AbortError") throw e;
      if (e instanceof ApiError && e.status && e.status < 500) throw e;
    }
    // The stream ended (or broke): the job resource says how it ended; poll while it still runs.
    for (;;) {
      const job = await (await api(jobPath(id), { signal })).json();
      if (!["queued", "running"].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, 1500));
    }
  }

  async function run(id, accepted = false) {
    state.abort?.abort();
    const abort = (state.abort = new AbortController());
    $("cancel").hidden = false;
    $("submit").disabled = true;
    resetProgress();
    if (accepted) setStage("ingest", "finished"); // a 202 means the articles were read and validated
    try {
      const job = await waitForJob(id, abort.signal);
      if (job.status === "done") {
        const secs = ((performance.now() - state.started) / 1000).toFixed(0);
        $("progress-status").textContent = `Done in ${secs} s${job.cache_hit ? " (from the cache)" : ""}. The brief is below.`;
        document.querySelectorAll("#stages li").forEach((li) => {
          if (li.dataset.state === "done") return;
          li.dataset.state = job.cache_hit ? "skipped" : "done"; // ingest runs when the job is accepted
          li.querySelector(".state").textContent = job.cache_hit ? " (from the cache)" : " (done)";
        });
        await showBrief(job);
      } else if (job.status === "failed") {
        $("progress-status").textContent = "The brief failed.";
        const e = job.error || {};
        showError(new ApiError(e.status || 500, { error: e }, e.request_id || job.request_id));
      } else {
        $("progress-status").textContent = "The job was cancelled.";
      }
    } catch (e) {
      if (e.name !== "AbortError") showError(e);
    } finally {
      $("cancel").hidden = true;
      $("submit").disabled = false;
    }
  }

  async function submit(ev) {
    ev.preventDefault();
    hideError();
    $("result").hidden = true;
    $("submit").disabled = true;
    try {
      const res = await api("/v1/briefs?async=true", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(requestBody()),
      });
      const job = await res.json();
      state.job = job.id;
      history.replaceState(null, "", `#job=${encodeURIComponent(job.id)}`);
      await run(job.id, true);
    } catch (e) {
      showError(e);
      $("submit").disabled = false;
    }
  }

  async function cancel() {
    if (!state.job) return;
    try {
      await api(jobPath(state.job), { method: "DELETE" });
    } catch (e) {
      if (e.status !== 409) showError(e);
    }
  }

  // ---------------------------------------------------------------- the brief

  async function showBrief(job) {
    const articles = await (await api(`${jobPath(job.id)}/articles`)).json();
    state.articles = new Map(articles.map((a) => [a.id, a]));
    state.brief = job.brief;
    state.job = job.id;
    renderBrief(job.id, job.brief);
    $("source").hidden = true;
    $("result").hidden = false;
    $("brief").focus();
  }

  const outletOf = (aid) => state.articles.get(aid)?.outlet || aid;

  function chip(n, aid, start, end, quote) {
    return el("button", {
      type: "button",
      class: "chip",
      title: `“${quote}”`,
      "aria-label": `Source ${n ? `${n}, ` : ""}${outletOf(aid)}: show the cited text`,
      "aria-controls": "source",
      "data-article": aid,
      "data-start": start,
      "data-end": end,
      text: n ? `${n} ${outletOf(aid)}` : outletOf(aid),
      onclick: (ev) => showSource(aid, start, end, ev.currentTarget),
    });
  }

  const chips = (citations) =>
    el("span", { class: "chips" }, citations.map((c, i) => chip(i + 1, c.article_id, c.start, c.end, c.quote)));

  function section(id, title, ...content) {
    return el("section", { class: "part", "aria-labelledby": `${id}-h` }, el("h3", { id: `${id}-h`, text: title }), content);
  }

  function renderBrief(id, b) {
    const root = clear($("brief"));
    const md = el("button", { type: "button", id: "copy-md", text: "Copy Markdown", onclick: () => copyMarkdown(id) });
    const html = el("a", { href: `${jobPath(id)}.html`, id: "html-link", target: "_blank", rel: "noopener", text: "Open HTML export" });
    html.addEventListener("click", (ev) => openExport(ev, id));
    root.append(
      el("h2", { id: "headline", text: b.headline }),
      el("p", { class: "summary", text: b.summary }),
      el("div", { class: "row actions" }, md, html,
        el("a", { href: `${jobPath(id)}.json`, target: "_blank", rel: "noopener", text: "JSON" }),
        el("span", { id: "copy-status", class: "hint", "aria-live": "polite" })),
      window.crossbriefBalance.section(b, el, section),
      section("facts", `Facts (${b.facts.length})`, el("ol", { class: "facts" }, b.facts.map((f) =>
        el("li", { id: `fact-${f.id}` }, el("p", { class: "statement", text: f.statement }),
          el("p", { class: "fact-meta" }, el("span", { class: `status status-${f.status}`, text: f.status }),
            ` ${f.sources} source${f.sources === 1 ? "" : "s"} `, window.crossbriefBalance.tag(b, el, f.id), " ",
            chips(f.citations)))))),
    );
    if (b.conflicts.length) root.append(section("conflicts", "Where the outlets disagree", b.conflicts.map(conflictTable)));
    if (b.positions.length) {
      root.append(section("positions", "Positions", el("ul", {}, b.positions.map((p) =>
        el("li", {}, el("strong", { text: p.party }), `: ${p.stance} `, chips(p.citations))))));
    }
    if (b.quotes.length) {
      root.append(section("quotes", "Quotes", b.quotes.map((q) => el("blockquote", {}, el("p", { text: `“${q.text}”` }),
        el("p", { class: "hint" }, `— ${q.speaker || "unattributed"} `, chip("", q.article_id, q.start, q.end, q.text))))));
    }
    if (b.timeline.length) {
      root.append(section("timeline", "Timeline", el("ol", {}, b.timeline.map((t) =>
        el("li", {}, el("strong", { text: t.date }), `: ${t.event} `, chips(t.citations))))));
    }
    if (b.framing.length) root.append(section("framing", "Framing", framingList(b.framing)));
    if (b.open_questions.length) {
      root.append(section("questions", "Open questions", el("ul", {}, b.open_questions.map((q) => el("li", { text: q })))));
    }
    const m = b.meta;
    const warnings = m.warnings.length
      ? el("details", {}, el("summary", { text: `${m.warnings.length} warning(s)` }),
          el("ul", {}, m.warnings.map((w) => el("li", { text: w }))))
      : el("p", { text: "No warnings." });
    const left = m.screened || [];  // planted lines the screen left out: shown to the editor, never stated
    const screened = left.length
      ? el("details", { class: "screened" },
          el("summary", { text: `${left.length} sentence(s) left out as instructions to a model` }),
          el("ul", {}, left.map((x) => el("li", {}, el("q", { text: x.text }),
            ` — ${outletOf(x.article_id)}: ${x.reason} (${x.by})`))))
      : null;
    root.append(el("footer", { class: "meta" },
      el("p", { text: `${m.strategy} strategy · ${m.backend} · ${m.model} · ${m.tokens_in} tokens in, ${m.tokens_out} out · ${m.seconds.toFixed(1)} s` }),
      warnings, screened));
  }

  function conflictTable(k) {
    const cols = k.positions;
    const quoteCell = (p) => {
      const aid = p.article_ids[0];
      const at = state.articles.get(aid)?.text.indexOf(p.quote) ?? -1;
      return el("td", {}, el("span", { text: `“${p.quote}” ` }), at >= 0 ? chip("", aid, at, at + p.quote.length, p.quote) : null);
    };
    return el("table", { class: "conflict" },
      el("caption", { text: k.topic }),
      el("thead", {}, el("tr", {}, el("td", {}),
        cols.map((p) => el("th", { scope: "col", text: p.article_ids.map(outletOf).join(", ") })))),
      el("tbody", {},
        el("tr", {}, el("th", { scope: "row", text: "Figure" }), cols.map((p) => el("td", {}, el("strong", { text: p.value })))),
        el("tr", {}, el("th", { scope: "row", text: "As written" }), cols.map(quoteCell))));
  }

  function framingList(framing) {
    return el("ul", {}, framing.map((fr) => {
      const bits = [];
      if (fr.naming.length) bits.push(`uses ${fr.naming.map((t) => `“${t}”`).join(", ")}`);
      if (fr.stresses.length) bits.push(`alone reports ${fr.stresses.length} fact(s)`);
      if (fr.omits.length) bits.push(`leaves out ${fr.omits.length} widely reported fact(s)`);
      return el("li", {}, el("strong", { text: fr.outlet }), `: ${bits.join("; ") || "nothing distinctive"}`);
    }));
  }

  // ---------------------------------------------------------------- source panel

  function showSource(aid, start, end, trigger) {
    const a = state.articles.get(aid);
    if (!a) return;
    document.querySelectorAll(".chip[aria-pressed]").forEach((c) => c.removeAttribute("aria-pressed"));
    trigger?.setAttribute("aria-pressed", "true");
    $("source-h").textContent = a.title ? `${a.outlet}: ${a.title}` : a.outlet;
    clear($("source-meta"));
    if (a.url) $("source-meta").append(/^https?:\/\//i.test(a.url) ? el("a", { href: a.url, rel: "noopener noreferrer", target: "_blank", text: a.url }) : a.url);
    const hl = el("mark", { class: "hl", tabindex: "-1", text: a.text.slice(start, end) });
    clear($("source-text")).append(a.text.slice(0, start), hl, a.text.slice(end));
    $("source").hidden = false;
    hl.scrollIntoView({ block: "center", behavior: "smooth" });
    hl.focus({ preventScroll: true });
    state.returnTo = trigger;
  }

  function closeSource() {
    $("source").hidden = true;
    state.returnTo?.focus();
  }

  // ---------------------------------------------------------------- exports

  async function copyMarkdown(id) {
    const status = $("copy-status");
    try {
      const text = await (await api(`${jobPath(id)}.md`)).text();
      try {
        await navigator.clipboard.writeText(text);
      } catch (_) {
        const area = el("textarea", { class: "offscreen", readonly: true, "aria-hidden": "true" });
        area.value = text;
        document.body.append(area);
        area.select();
        const ok = document.execCommand("copy");
        area.remove();
        if (!ok) throw new Error("the browser refused to copy");
      }
      status.textContent = "Markdown copied.";
    } catch (e) {
      if (e instanceof ApiError) showError(e);
      else status.textContent = `Could not copy: ${e.message}. Open the export and copy it from there.`;
    }
  }

  async function openExport(ev, id) {
    if (!apiKey()) return; // a plain link works when the server needs no key
    ev.preventDefault();
    const win = window.open("", "_blank");
    try {
      const blob = await (await api(`${jobPath(id)}.html`)).blob();
      const url = URL.createObjectURL(blob);
      if (win) win.location = url;
      else location.assign(url);
    } catch (e) {
      win?.close();
      showError(e);
    }
  }

  // ---------------------------------------------------------------- start

  function init() {
    const key = sessionStorage.getItem(KEY_STORE);
    if (key) $("api-key").value = key;
    $("api-key").addEventListener("change", () => {
      if (apiKey()) sessionStorage.setItem(KEY_STORE, apiKey());
      else sessionStorage.removeItem(KEY_STORE);
    });
    $("forget-key").addEventListener("click", () => {
      $("api-key").value = "";
      sessionStorage.removeItem(KEY_STORE);
    });
    $("add-article").addEventListener("click", () => addRow().querySelector("input").focus());
    $("files").addEventListener("change", (ev) => loadFiles([...ev.target.files]).then(() => (ev.target.value = "")));
    $("brief-form").addEventListener("submit", submit);
    $("cancel").addEventListener("click", cancel);
    $("close-source").addEventListener("click", closeSource);
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && !$("source").hidden) closeSource();
    });
    addRow();
    addRow();
    const m = /^#job=([A-Za-z0-9._-]+)$/.exec(location.hash);
    if (m) {
      state.job = m[1];
      run(m[1]);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
