// qa HTML report. Everything is rendered from the JSON blob in #qa-data; checked text
// reaches the DOM only through textContent / text nodes, never as markup.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("qa-data").textContent);
  const RANK = { minor: 1, major: 2, critical: 3 };
  const SEVERITIES = ["critical", "major", "minor"];
  const PAGE_SIZE = 200; // sentences per page: bounds the DOM for very long files
  const STORE = "qa-decisions:" + DATA.id;
  const $ = (id) => document.getElementById(id);

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Issue ids follow file order, then document order, so id order is reading order.
  const issues = [];
  DATA.files.forEach((file, f) => {
    file.bySentence = new Map();
    file.firstId = issues.length;
    for (const issue of file.issues) {
      issue.id = issues.length;
      issue.f = f;
      issues.push(issue);
      if (!file.bySentence.has(issue.sentence)) file.bySentence.set(issue.sentence, []);
      file.bySentence.get(issue.sentence).push(issue.id);
    }
  });

  const decisions = new Map(loadDecisions()); // fingerprint -> "accept" | "dismiss"
  const state = {
    file: 0, page: 0, selected: -1, rows: [], visible: [], docOpen: false,
    shown: new Uint8Array(issues.length), pos: new Int32Array(issues.length), marks: new Map(),
  };

  function loadDecisions() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE) || "{}");
      return Object.entries(saved).filter(([, v]) => v === "accept" || v === "dismiss");
    } catch (error) {
      return []; // storage disabled or unreadable: decisions last for this visit only
    }
  }
  function saveDecisions() {
    try { localStorage.setItem(STORE, JSON.stringify(Object.fromEntries(decisions))); } catch (error) { /* see loadDecisions */ }
  }
  const decisionOf = (issue) => decisions.get(issue.fingerprint) || "";

  function lowerBound(sorted, value) {
    let lo = 0, hi = sorted.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid] < value) lo = mid + 1; else hi = mid; }
    return lo;
  }

  // ---- filters -------------------------------------------------------------------
  function readFilters() {
    return {
      severities: new Set(SEVERITIES.filter((s) => $("f-" + s).checked)),
      category: $("f-category").value, rule: $("f-rule").value,
      confidence: parseFloat($("f-confidence").value) || 0, status: $("f-status").value,
      query: $("f-search").value.trim().toLowerCase(),
    };
  }
  function haystack(issue) {
    if (issue.hay === undefined) {
      const file = DATA.files[issue.f], s = file.sentences[issue.sentence];
      issue.hay = [issue.rule, issue.name, issue.category, issue.message, issue.text, issue.intended || "",
        (issue.suggestions || []).join("\n"), s ? file.text.slice(s[0], s[1]) : ""].join("\n").toLowerCase();
    }
    return issue.hay;
  }
  function passes(issue, f) {
    if (!f.severities.has(issue.severity)) return false;
    if (f.category && issue.category !== f.category) return false;
    if (f.rule && issue.rule !== f.rule) return false;
    if (issue.confidence + 1e-9 < f.confidence) return false;
    if (f.status && (f.status === "open" ? decisionOf(issue) !== "" : decisionOf(issue) !== f.status)) return false;
    return !f.query || haystack(issue).includes(f.query);
  }
  function applyFilters() {
    const f = readFilters();
    state.visible = [];
    state.shown.fill(0);
    state.pos.fill(-1);
    for (const issue of issues) {
      if (!passes(issue, f)) continue;
      state.shown[issue.id] = 1;
      state.pos[issue.id] = state.visible.length;
      state.visible.push(issue.id);
    }
    $("f-confidence-value").textContent = f.confidence.toFixed(2);
    $("count").textContent = state.visible.length + " of " + issues.length + " issues shown";
    if (state.selected >= 0 && !state.shown[state.selected]) state.selected = -1;
    renderFiles();
    renderDoc();
    if (state.selected >= 0) select(state.selected, false); else showDetail(null);
  }

  // ---- file list and run summary ---------------------------------------------------
  function renderSummary() {
    const s = DATA.summary, sig = DATA.signature, box = $("run-summary");
    const parts = [s.files + (s.files === 1 ? " file" : " files"), s.sentences + " sentences", s.words + " words",
      s.issues + " issues (" + SEVERITIES.map((k) => s.by_severity[k] + " " + k).join(", ") + ")",
      "score " + s.score.toFixed(2), "qa " + sig.qa_version,
      "LanguageTool " + (sig.languagetool_version || "not used"), "config " + sig.config_hash];
    for (const [name, id] of Object.entries(sig.models || {})) parts.push(name + " " + id);
    box.textContent = parts.join(" · ");
    for (const error of s.errors) box.append(el("div", "error", error));
  }
  function renderFiles() {
    const counts = DATA.files.map(() => ({ critical: 0, major: 0, minor: 0, all: 0 }));
    for (const id of state.visible) { const i = issues[id]; counts[i.f][i.severity]++; counts[i.f].all++; }
    const nav = $("files");
    nav.textContent = "";
    DATA.files.forEach((file, f) => {
      const button = el("button", "file" + (f === state.file ? " current" : "") + (file.error ? " has-error" : ""));
      button.type = "button";
      button.dataset.file = String(f);
      button.append(el("span", "path", file.path));
      button.append(el("span", "meta", file.score === null ? "not checked" :
        "score " + file.score.toFixed(2) + " · " + counts[f].all + " of " + file.issues.length + " issues"));
      const chips = el("span", "meta");
      for (const s of SEVERITIES) if (counts[f][s]) chips.append(el("span", "chip " + s, counts[f][s] + " " + s));
      button.append(chips);
      nav.append(button);
    });
  }

  // ---- the checked text ------------------------------------------------------------
  function sentenceRows(file) {
    const only = $("f-flagged").checked, rows = [];
    for (let s = 0; s < file.sentences.length; s++) {
      if (!only || (file.bySentence.get(s) || []).some((id) => state.shown[id])) rows.push(s);
    }
    return rows;
  }
  function scoreBar(score) {
    const bar = el("span", "bar" + (score < 80 ? " bad" : score < 95 ? " warn" : ""));
    const fill = el("span");
    fill.style.width = score + "%";
    bar.append(fill);
    bar.title = "score " + score.toFixed(2);
    bar.setAttribute("role", "meter");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.setAttribute("aria-valuenow", String(score));
    return bar;
  }
  function fileHead(file) {
    const head = el("div", "file-head");
    head.append(el("h2", "", file.path));
    if (file.error) head.append(el("div", "error", file.error));
    if (file.score !== null) {
      const line = el("div", "counts", "score " + file.score.toFixed(2) + " · " + file.words + " words · " +
        file.sentences.length + " sentences · " + file.issues.length + " issues: " +
        SEVERITIES.map((s) => file.by_severity[s] + " " + s).join(", "));
      head.append(scoreBar(file.score), line);
      const categories = Object.entries(file.by_category).map(([c, n]) => c + " " + n).join(" · ");
      if (categories) head.append(el("div", "counts", "by category: " + categories));
    }
    return head;
  }
  function pager(from, to, pages) {
    const box = el("div", "pager");
    const prev = el("button", "", "◀ previous"), next = el("button", "", "next ▶");
    prev.type = next.type = "button";
    prev.dataset.page = String(state.page - 1);
    next.dataset.page = String(state.page + 1);
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
    box.append(prev, el("span", "", "sentences " + (from + 1) + "–" + to + " of " + state.rows.length +
      " (page " + (state.page + 1) + " of " + pages + ")"), next);
    return box;
  }
  function renderDoc() {
    const doc = $("doc"), file = DATA.files[state.file];
    doc.textContent = "";
    state.marks = new Map();
    if (!file) { doc.append(el("p", "empty", "This report has no files.")); return; }
    doc.append(fileHead(file));
    state.rows = sentenceRows(file);
    const pages = Math.max(1, Math.ceil(state.rows.length / PAGE_SIZE));
    state.page = Math.max(0, Math.min(state.page, pages - 1));
    const from = state.page * PAGE_SIZE, to = Math.min(from + PAGE_SIZE, state.rows.length);
    if (pages > 1) doc.append(pager(from, to, pages));
    const sides = ["source", "reference"].filter((k) => file[k]);
    const rows = el("div", "rows" + (sides.length ? " parallel cols-" + (sides.length + 1) : ""));
    if (sides.length) {
      rows.append(el("div", "col-head", "checked text"));
      for (const k of sides) rows.append(el("div", "col-head", k));
    }
    if (!state.rows.length) rows.append(el("p", "empty", file.sentences.length ? "No sentence has an issue matching the filters." : "No sentences."));
    let paragraph = -1, box = null;
    for (let r = from; r < to; r++) {
      const s = state.rows[r];
      if (!sides.length) { rows.append(sentenceRow(file, s)); continue; }
      if (file.sentences[s][3] !== paragraph) { // a new row: this paragraph beside its counterparts
        paragraph = file.sentences[s][3];
        box = el("div", "para");
        rows.append(box);
        for (const k of sides) rows.append(sideCell(file[k], paragraph));
      }
      box.append(sentenceRow(file, s));
    }
    if (sides.length && state.page === pages - 1 && !$("f-flagged").checked) {
      const longest = Math.max(...sides.map((k) => file[k].length));
      for (let p = file.paragraphs.length; p < longest; p++) {
        rows.append(el("div", "para side missing", "(no paragraph " + (p + 1) + " in the checked text)"));
        for (const k of sides) rows.append(sideCell(file[k], p));
      }
    }
    doc.append(rows);
    if (pages > 1) doc.append(pager(from, to, pages));
    refreshMarks();
  }
  function sideCell(paragraphs, p) {
    return p < paragraphs.length ? el("div", "side", paragraphs[p]) : el("div", "side missing", "(no paragraph " + (p + 1) + ")");
  }
  function sentenceRow(file, s) {
    const [start, end, score] = file.sentences[s];
    const row = el("div", "sent");
    row.dataset.sentence = String(s);
    const text = el("span", "stext");
    highlight(text, file, s, start, end);
    row.append(el("span", "num", s + 1), scoreBar(score), text);
    return row;
  }
  // Cut the sentence at every span boundary; each piece is marked with every issue
  // covering it, so overlapping spans stay visible and clickable. One sweep, O(k log k).
  function highlight(container, file, s, start, end) {
    const ids = (file.bySentence.get(s) || []).filter((id) => state.shown[id]);
    const text = file.text;
    if (!ids.length) { container.textContent = text.slice(start, end); return; }
    const clamp = (x) => Math.max(start, Math.min(end, x));
    const spans = ids.map((id) => ({ id, a: clamp(issues[id].start), b: Math.max(clamp(issues[id].start), clamp(issues[id].end)) }))
      .sort((x, y) => x.a - y.a);
    const points = [...new Set([start, end, ...spans.map((x) => x.a), ...spans.map((x) => x.b)])].sort((x, y) => x - y);
    let next = 0, active = [];
    for (let p = 0; p < points.length; p++) {
      const a = points[p];
      while (next < spans.length && spans[next].a <= a) {
        const x = spans[next++];
        if (x.a === x.b) container.append(mark([x.id], "")); else active.push(x);
      }
      active = active.filter((x) => x.b > a);
      if (p + 1 === points.length) break;
      const piece = text.slice(a, points[p + 1]);
      container.append(active.length ? mark(active.map((x) => x.id), piece) : document.createTextNode(piece));
    }
  }
  function mark(ids, piece) {
    ids.sort((x, y) => RANK[issues[y].severity] - RANK[issues[x].severity] || x - y);
    const node = el("mark", issues[ids[0]].severity + (piece ? "" : " caret") + (ids.length > 1 ? " overlap" : ""), piece);
    node.dataset.ids = ids.join(" ");
    node.title = ids.map((id) => issues[id].rule + " " + issues[id].severity + ": " + issues[id].message).join("\n");
    node.tabIndex = -1;
    for (const id of ids) {
      if (!state.marks.has(id)) state.marks.set(id, []);
      state.marks.get(id).push(node);
    }
    return node;
  }
  function refreshMarks() {
    for (const node of $("doc").querySelectorAll("mark")) {
      const ids = node.dataset.ids.split(" ").map(Number);
      const states = ids.map((id) => decisionOf(issues[id]));
      node.classList.toggle("dismissed", states.every((d) => d === "dismiss"));
      node.classList.toggle("accepted", states.includes("accept"));
      node.classList.toggle("selected", ids.includes(state.selected));
    }
  }

  // ---- selection and the issue panel ------------------------------------------------
  function select(id, scroll = true) {
    state.selected = id;
    if (id < 0) { refreshMarks(); showDetail(null); return; }
    const issue = issues[id];
    let render = false;
    if (issue.f !== state.file) {
      state.file = issue.f;
      state.rows = sentenceRows(DATA.files[state.file]);
      for (const b of $("files").children) b.classList.toggle("current", b.dataset.file === String(state.file));
      render = true;
    }
    const r = lowerBound(state.rows, issue.sentence);
    if (state.rows[r] === issue.sentence && Math.floor(r / PAGE_SIZE) !== state.page) {
      state.page = Math.floor(r / PAGE_SIZE);
      render = true;
    }
    if (render) renderDoc(); else refreshMarks();
    showDetail(issue);
    const node = (state.marks.get(id) || [])[0];
    if (node && scroll) { node.scrollIntoView({ block: "center" }); node.focus({ preventScroll: true }); }
  }
  function move(delta) {
    const v = state.visible;
    if (!v.length) return;
    let p = state.selected >= 0 && state.pos[state.selected] >= 0 ? state.pos[state.selected] + delta
      : lowerBound(v, DATA.files[state.file] ? DATA.files[state.file].firstId : 0) - (delta < 0 ? 1 : 0);
    select(v[Math.max(0, Math.min(v.length - 1, p))]);
  }
  function openFile(f) {
    if (f < 0 || f >= DATA.files.length) return;
    state.file = f;
    state.page = 0;
    if (state.selected >= 0 && issues[state.selected].f !== f) state.selected = -1;
    for (const b of $("files").children) b.classList.toggle("current", b.dataset.file === String(f));
    renderDoc();
    showDetail(state.selected >= 0 ? issues[state.selected] : null);
    $("doc").scrollTop = 0;
  }
  function heading(box, text) { box.append(el("h4", "", text)); }
  function showDetail(issue) {
    const box = $("detail");
    box.textContent = "";
    if (!issue) { box.append(el("p", "hint", "Select a highlighted span, or press j, to see the issue.")); return; }
    const file = DATA.files[issue.f], rule = DATA.rules[issue.rule], decision = decisionOf(issue);
    const title = el("h3");
    title.append(el("span", "badge " + issue.severity, issue.severity), " ", el("span", "rule", issue.rule + " " + issue.name));
    box.append(title);
    box.append(el("div", "where", file.path + ":" + issue.line + ":" + issue.column + " · " + issue.category +
      " · confidence " + issue.confidence.toFixed(2)));
    box.append(el("p", "message", issue.message));
    heading(box, "Flagged");
    box.append(el("span", "flagged", issue.text === "" ? "(an empty span: something is missing here)" : issue.text));
    const row = el("div", "decision");
    for (const [kind, label] of [["accept", "Accept (a)"], ["dismiss", "Dismiss (d)"], ["", "Undo (u)"]]) {
      const b = el("button", kind + (kind && decision === kind ? " on" : ""), label);
      b.type = "button";
      b.dataset.decide = kind;
      row.append(b);
    }
    row.append(el("span", "state", decision === "accept" ? "accepted: a real issue" : decision === "dismiss" ? "dismissed: goes into the baseline" : "open"));
    box.append(row);
    heading(box, "Suggestions");
    if (issue.suggestions && issue.suggestions.length) {
      const list = el("ul", "suggestions");
      for (const s of issue.suggestions) list.append(el("li", "", s));
      box.append(list);
    } else box.append(el("p", "empty", "none"));
    if (issue.intended) { heading(box, "Intended wording"); box.append(el("div", "intended", issue.intended)); }
    heading(box, "Evidence");
    const entries = Object.entries(issue.evidence || {});
    if (entries.length) {
      const table = el("table", "evidence");
      for (const [key, value] of entries) {
        const tr = el("tr");
        tr.append(el("td", "", key), el("td", "", typeof value === "string" ? value : JSON.stringify(value)));
        table.append(tr);
      }
      box.append(table);
    } else box.append(el("p", "empty", "none"));
    heading(box, "Rule");
    const docs = el("details", "doc-rule");
    docs.id = "rule-doc";
    docs.open = state.docOpen;
    docs.addEventListener("toggle", () => { state.docOpen = docs.open; });
    docs.append(el("summary", "", issue.rule + " " + issue.name + (rule ? ": " + rule.summary : "")));
    if (rule) {
      docs.append(el("p", "where", "category " + rule.category + " · default severity " + rule.severity));
      for (const section of DATA.sections) {
        if (!rule.explanation[section]) continue;
        docs.append(el("h4", "", section), el("p", "", rule.explanation[section]));
      }
    } else docs.append(el("p", "empty", "This version of qa has no documentation for " + issue.rule + "."));
    box.append(docs);
    box.append(el("p", "where", "fingerprint " + issue.fingerprint));
  }
  function decide(kind) {
    if (state.selected < 0) return;
    const id = state.selected, fingerprint = issues[id].fingerprint;
    if (kind) decisions.set(fingerprint, kind); else decisions.delete(fingerprint);
    saveDecisions();
    updateExport();
    if (!$("f-status").value) { refreshMarks(); showDetail(issues[id]); return; }
    applyFilters(); // the status filter may hide it now: go on to the next shown issue
    if (!state.shown[id] && state.visible.length) select(state.visible[Math.min(lowerBound(state.visible, id), state.visible.length - 1)]);
  }

  // ---- baseline export -----------------------------------------------------------
  function baseline() {
    const seen = new Set(), entries = [];
    for (const issue of issues) {
      const path = DATA.files[issue.f].path, key = issue.fingerprint + "\u0000" + path;
      if (decisionOf(issue) !== "dismiss" || seen.has(key)) continue;
      seen.add(key);
      entries.push({ fingerprint: issue.fingerprint, rule: issue.rule, path: path, text: issue.text });
    }
    const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
    entries.sort((x, y) => cmp(x.path, y.path) || cmp(x.fingerprint, y.fingerprint));
    return { schema: "qa-baseline/1", issues: entries };
  }
  function updateExport() {
    const n = new Set(issues.filter((i) => decisionOf(i) === "dismiss").map((i) => i.fingerprint)).size;
    $("export").textContent = "Export baseline (" + n + " dismissed)";
  }
  function exportBaseline() {
    const blob = new Blob([JSON.stringify(baseline(), null, 2) + "\n"], { type: "application/json" });
    const link = el("a");
    link.href = URL.createObjectURL(blob);
    link.download = "qa-baseline.json";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  }

  // ---- events ----------------------------------------------------------------------
  const KEYS = {
    j: () => move(1), ArrowDown: () => move(1), k: () => move(-1), ArrowUp: () => move(-1),
    Enter: () => { const d = $("rule-doc"); if (d) { d.open = !d.open; d.scrollIntoView({ block: "nearest" }); } },
    a: () => decide("accept"), d: () => decide("dismiss"), u: () => decide(""),
    n: () => openFile(state.file + 1), p: () => openFile(state.file - 1),
    "/": () => $("f-search").focus(), "?": toggleHelp, Escape: () => select(-1),
  };
  function toggleHelp() {
    const help = $("help");
    help.hidden = !help.hidden;
    $("help-toggle").setAttribute("aria-expanded", String(!help.hidden));
  }
  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.matches("input[type=search], input[type=text]")) { if (event.key === "Escape") target.blur(); return; }
    if (target.matches("select, input[type=range]") && event.key.startsWith("Arrow")) return;
    if (event.key === "Enter" && target.matches("button, summary, select, input")) return;
    const handler = KEYS[event.key];
    if (!handler) return;
    event.preventDefault();
    handler();
  }
  function fillSelect(select, values, label) {
    for (const value of values) { const option = el("option", "", label(value)); option.value = value; select.append(option); }
  }
  function init() {
    renderSummary();
    fillSelect($("f-category"), Object.keys(DATA.summary.by_category), (c) => c + " (" + DATA.summary.by_category[c] + ")");
    const names = {};
    for (const issue of issues) names[issue.rule] = issue.name;
    fillSelect($("f-rule"), Object.keys(DATA.summary.by_rule), (r) => r + " " + (names[r] || "") + " (" + DATA.summary.by_rule[r] + ")");
    for (const id of ["f-critical", "f-major", "f-minor", "f-category", "f-rule", "f-status", "f-flagged"]) $(id).addEventListener("change", applyFilters);
    let pending = 0; // coalesce bursts of input events (typing, dragging) into one pass per frame
    const soon = () => { cancelAnimationFrame(pending); pending = requestAnimationFrame(applyFilters); };
    $("f-confidence").addEventListener("input", soon);
    $("f-search").addEventListener("input", soon);
    $("export").addEventListener("click", exportBaseline);
    $("help-toggle").addEventListener("click", toggleHelp);
    $("files").addEventListener("click", (event) => { const b = event.target.closest(".file"); if (b) openFile(Number(b.dataset.file)); });
    $("doc").addEventListener("click", (event) => {
      const node = event.target.closest("mark");
      if (node) {
        const ids = node.dataset.ids.split(" ").map(Number); // clicking again cycles through overlapping issues
        select(ids[(ids.indexOf(state.selected) + 1) % ids.length], false);
        return;
      }
      const b = event.target.closest("button[data-page]");
      if (b) { state.page = Number(b.dataset.page); renderDoc(); $("doc").scrollTop = 0; }
    });
    $("detail").addEventListener("click", (event) => { const b = event.target.closest("button[data-decide]"); if (b) decide(b.dataset.decide); });
    document.addEventListener("keydown", onKey);
    updateExport();
    applyFilters();
    document.body.dataset.ready = "1";
  }
  init();
})();
