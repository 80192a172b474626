// aoai-mock dashboard: plain JavaScript, no build step, no library.
//
// Everything shown comes from requests that clients sent (user input): it is only ever set as text
// (text nodes, textContent, attribute values), never parsed as HTML, and the page's Content-Security-
// Policy allows no inline script. Every URL is relative to the page (/_mock/ui), so the page works on
// http and https and behind a path prefix. It polls the control API: requests/summary?after=<cursor>
// for new requests, and faults, quota or replay for the tab that is open.
"use strict";

const POLL_MS = 1000;
const MAX_CHAINS = 60;
const FILTERS = ["session", "operation", "deployment", "status"];
const MASKED = "***";
const SKIPPED_HEADERS = new Set(["host", "content-length", "connection", "accept-encoding", "transfer-encoding", "expect"]);
const SECRET_ENV = { "api-key": "$AZURE_OPENAI_API_KEY", authorization: "Bearer $AZURE_OPENAI_AD_TOKEN" };

const state = {
  cursor: 0,
  rows: [], // oldest first
  trs: new Map(), // seq -> <tr>
  selected: null,
  tab: "requests",
  filters: { session: "", operation: "", deployment: "", status: "" },
  seen: { session: new Set(), operation: new Set(), deployment: new Set(), status: new Set() },
  rendered: false,
  older: null, // the first load's rows begin at this seq: the older ones are still to fetch
  timelineDirty: true,
};

// --- small DOM helpers ------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG = "http://www.w3.org/2000/svg";
function svgEl(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

const $ = (selector) => document.querySelector(selector);

function statusClass(status) {
  if (!status) return "s0";
  if (status === 429) return "s429";
  return "s" + Math.floor(status / 100);
}

function statusBadge(status) {
  return el("span", { class: "status " + statusClass(status), dataset: { status: String(status) } },
    status ? String(status) : "none");
}

const pad = (n, width = 2) => String(n).padStart(width, "0");
function clockTime(epoch) {
  const d = new Date(epoch * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "-";
  const ms = seconds * 1000;
  if (Math.abs(ms) < 10) return ms.toFixed(1) + " ms";
  if (Math.abs(ms) < 1000) return ms.toFixed(0) + " ms";
  return seconds.toFixed(2) + " s";
}

function pretty(value) {
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2);
}

function compact(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

// the client came back before the retry-after the previous answer sent
const isEarly = (row) => row.told !== null && row.wait !== null && row.wait < row.told;

function faultId(fault) {
  return fault ? fault.split(":")[0] : "";
}

async function getJSON(path, options) {
  const response = await fetch(path, { cache: "no-store", ...options });
  let body = null;
  try { body = await response.json(); } catch (_) { /* not JSON */ }
  if (!response.ok) {
    const message = body && body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return body;
}

// --- the URL keeps the tab, the filters and the open request -----------------------------------

function readURL() {
  const params = new URLSearchParams(location.search);
  state.tab = params.get("tab") || "requests";
  for (const name of FILTERS) state.filters[name] = params.get(name) || "";
  const seq = Number(params.get("request"));
  state.selected = Number.isInteger(seq) && seq > 0 ? seq : null;
}

function writeURL() {
  const params = new URLSearchParams();
  if (state.tab !== "requests") params.set("tab", state.tab);
  for (const name of FILTERS) if (state.filters[name]) params.set(name, state.filters[name]);
  if (state.selected) params.set("request", String(state.selected));
  const query = params.toString();
  const url = location.pathname + (query ? "?" + query : "");
  if (url !== location.pathname + location.search) history.replaceState(null, "", url); // not for nothing: it costs a few ms
}

// --- filters ----------------------------------------------------------------------------------

function matches(row) {
  const f = state.filters;
  if (f.session && row.session !== f.session) return false;
  if (f.operation && row.operation !== f.operation) return false;
  if (f.deployment && row.deployment !== f.deployment) return false;
  if (f.status) {
    if (/^[1-5]xx$/.test(f.status)) { if (Math.floor(row.status / 100) !== Number(f.status[0])) return false; }
    else if (String(row.status) !== f.status) return false;
  }
  return true;
}

function select(name) {
  return document.querySelector(`#filters select[name="${name}"]`);
}

function addOption(name, value) {
  if (value === null || value === undefined || value === "") return;
  const text = String(value);
  if (state.seen[name].has(text)) return;
  state.seen[name].add(text);
  const box = select(name);
  if (![...box.options].some((o) => o.value === text)) box.append(el("option", { value: text }, text));
}

function applyFilters() {
  let shown = 0;
  for (const row of state.rows) {
    const visible = matches(row);
    const tr = state.trs.get(row.seq); // none yet for a row the first load has still to add
    if (tr) tr.hidden = !visible;
    if (visible) shown += 1;
  }
  showCounts(shown);
  state.timelineDirty = true;
  if (state.tab === "timeline") renderTimeline();
}

function showCounts(shown) {
  if (shown === undefined) shown = state.rows.filter(matches).length;
  const total = state.rows.length;
  $("#counts").textContent = shown === total ? `${total} request(s)` : `showing ${shown} of ${total} request(s)`;
  $("#empty").hidden = total > 0;
}

function setupFilters() {
  for (const name of FILTERS) {
    addOption(name, state.filters[name]);
    const box = select(name);
    box.value = state.filters[name];
    box.addEventListener("change", () => {
      state.filters[name] = box.value;
      writeURL();
      applyFilters();
    });
  }
  $("#requests tbody").addEventListener("click", (event) => {
    const tr = event.target.closest("tr[data-seq]");
    if (tr) openDetail(Number(tr.dataset.seq));
  });
  $("#clear-filters").addEventListener("click", () => {
    for (const name of FILTERS) { state.filters[name] = ""; select(name).value = ""; }
    writeURL();
    applyFilters();
  });
}

// --- requests ---------------------------------------------------------------------------------

// one row is built by cloning this template and setting its cells' text: cheaper than building each
// element, which matters for the first load (the whole journal, 1,000 rows by default)
const ROW = (() => {
  const tr = document.createElement("tr");
  for (const cls of ["num seq", "mono time", "status-cell", "session", "operation", "deployment", "fault", "num latency", "num tokens", "prompt"]) {
    const td = document.createElement("td");
    td.className = cls;
    tr.append(td);
  }
  return tr;
})();

function rowElement(row) {
  const tr = ROW.cloneNode(true);
  const [seq, time, status, session, operation, deployment, fault, latency, tokens, asked] = tr.children;
  tr.dataset.seq = String(row.seq);
  tr.dataset.status = String(row.status);
  seq.textContent = row.seq;
  time.textContent = clockTime(row.at);
  status.append(statusBadge(row.status));
  if (row.attempt > 1) status.append(` retry ${row.attempt - 1}`);
  session.textContent = row.session || "";
  operation.textContent = row.operation || "";
  deployment.textContent = row.deployment || "";
  if (row.fault) fault.append(el("span", { class: "badge", title: row.fault }, faultId(row.fault)));
  if (row.replay) fault.append(el("span", { class: "badge" + (row.replay === "miss" ? " miss" : "") }, "replay " + row.replay));
  if (isEarly(row)) {
    fault.append(el("span", { class: "badge early", title: "came back before the retry-after" }, "early"));
  }
  latency.textContent = row.latency_ms.toFixed(1) + " ms";
  tokens.textContent = row.tokens === null ? "" : row.tokens;
  const text = row.prompt !== null ? row.prompt : `${row.method} ${row.path}`;
  asked.textContent = text;
  asked.title = text;
  if (row.seq === state.selected) tr.classList.add("selected");
  return tr;
}

function applySummary(data) {
  if (data.cursor < state.cursor) { // another server, or it restarted: start over
    clearRows();
    state.cursor = 0;
    state.older = null;
    return true;
  }
  dropOlderThan(data.oldest);
  addOptions(data.rows);
  state.rows.push(...data.rows);
  const tbody = $("#requests tbody");
  tbody.insertBefore(rowsFragment(data.rows.slice().reverse()), tbody.firstChild); // newest first
  state.cursor = data.cursor;
  if (data.rows.length) state.timelineDirty = true;
  showCounts();
  return false;
}

function addOptions(rows) {
  for (const row of rows) {
    for (const name of ["session", "operation", "deployment"]) addOption(name, row[name]);
    addOption("status", row.status);
  }
}

// the rows older than the first screen: below it in the table, before it in state.rows
function addOlder(data) {
  dropOlderThan(data.oldest);
  const shown = state.rows.length ? state.rows[0].seq : Infinity; // a reset meanwhile dropped them all
  const rows = data.rows.filter((row) => row.seq < shown && !state.trs.has(row.seq));
  addOptions(rows);
  state.rows = rows.concat(state.rows);
  const fragment = rowsFragment(rows.slice().reverse());
  for (const tr of fragment.children) tr.classList.add("older"); // below the first screen: see app.css
  $("#requests tbody").append(fragment);
  state.older = null;
  state.timelineDirty = true;
  showCounts();
  if (state.tab === "timeline") renderTimeline();
}

function rowsFragment(rows) {
  const fragment = document.createDocumentFragment();
  for (const row of rows) {
    const tr = rowElement(row);
    if (!matches(row)) tr.hidden = true;
    state.trs.set(row.seq, tr);
    fragment.append(tr);
  }
  return fragment;
}

// resolves once the browser has painted what the page holds now (the frame after it, as a task)
function afterPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

function dropOlderThan(oldest) {
  let drop = 0;
  while (drop < state.rows.length && state.rows[drop].seq < oldest) {
    const seq = state.rows[drop].seq;
    const tr = state.trs.get(seq);
    if (tr) tr.remove();
    state.trs.delete(seq);
    drop += 1;
  }
  if (drop) { state.rows.splice(0, drop); state.timelineDirty = true; }
}

function clearRows() {
  for (const tr of state.trs.values()) tr.remove();
  state.trs.clear();
  state.rows = [];
  state.timelineDirty = true;
}

// The first load paints the newest rows, which the page itself carries (a JSON data block the mock
// writes in: no request to wait for), then adds the older ones, fetched meanwhile, in one go.
function firstScreen() {
  const block = document.getElementById("first-screen");
  return block && block.textContent ? JSON.parse(block.textContent) : null;
}

async function firstLoad() {
  const first = firstScreen() || await getJSON("requests/summary?after=0"); // (a page not from the mock)
  applySummary(first);
  if (first.rows.length && first.rows[0].seq > first.oldest) state.older = first.rows[0].seq;
  // the older rows are asked for at once, but read only after the first screen is painted
  const older = state.older === null ? null : fetch(olderURL(), { cache: "no-store" });
  await firstRender();
  if (older) await loadOlder(older);
  else await complete();
}

async function firstRender() {
  if (state.rendered) return;
  state.rendered = true;
  performance.mark("aoai-rows");
  await afterPaint();
  performance.mark("aoai-painted");
  document.documentElement.dataset.loaded = "true";
  loadScenarios().catch(rulesError); // the rules tab's list: after the first screen, which needs it not
}

const olderURL = () => `requests/summary?after=0&before=${state.older}`;

async function loadOlder(pending) {
  const response = await (pending || fetch(olderURL(), { cache: "no-store" }));
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  addOlder(await response.json());
  await complete();
}

async function complete() {
  await afterPaint();
  if (document.documentElement.dataset.complete) return;
  performance.mark("aoai-all-rows");
  document.documentElement.dataset.complete = "true";
}

// --- one request in full -----------------------------------------------------------------------

async function openDetail(seq) {
  state.selected = seq;
  writeURL();
  for (const tr of document.querySelectorAll("#requests tr.selected")) tr.classList.remove("selected");
  const tr = state.trs.get(seq);
  if (tr) tr.classList.add("selected");
  const panel = $("#detail");
  panel.hidden = false;
  panel.replaceChildren(el("p", { class: "empty" }, `loading request ${seq}\u2026`));
  try {
    const entry = await getJSON(`requests/${seq}`);
    if (state.selected === seq) panel.replaceChildren(...detailView(entry));
  } catch (error) {
    if (state.selected === seq) panel.replaceChildren(closeButton(), el("p", { class: "error" }, String(error.message)));
  }
}

function closeDetail() {
  state.selected = null;
  writeURL();
  $("#detail").hidden = true;
  for (const tr of document.querySelectorAll("#requests tr.selected")) tr.classList.remove("selected");
}

function closeButton() {
  return el("button", { type: "button", class: "close", onclick: closeDetail }, "close");
}

function keyValues(object) {
  return el("table", { class: "kv" }, Object.entries(object || {}).map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", { class: "mono" }, v))));
}

function queryString(query) {
  const text = new URLSearchParams(query || {}).toString();
  return text ? "?" + text : "";
}

function detailView(entry) {
  const row = state.rows.find((r) => r.seq === entry.seq);
  const info = {
    time: clockTime(entry.at),
    session: entry.session || "-",
    operation: entry.operation || "-",
    deployment: entry.deployment || "-",
    latency: duration(entry.duration),
    "apim-request-id": entry.request_id,
  };
  if (entry.fault) info.fault = entry.fault;
  if (row && row.attempt > 1) {
    info.attempt = `${row.attempt} of the chain from #${row.chain}: ${duration(row.gap)} after the previous one, waited ${duration(row.wait)}` +
      (row.told !== null ? ` (retry-after sent: ${duration(row.told)})` : "");
  }
  const parts = [
    el("h2", {}, `#${entry.seq} ${entry.method}`, statusBadge(entry.status), closeButton()),
    el("p", { class: "mono" }, entry.path + queryString(entry.query)),
    keyValues(info),
  ];
  if (entry.notes && entry.notes.length) parts.push(el("h3", {}, "notes"), el("ul", {}, entry.notes.map((n) => el("li", {}, n))));
  parts.push(el("h3", {}, "request body"), el("pre", { class: "request-body" }, entry.body === null ? "(none)" : pretty(entry.body)));
  if (entry.events && entry.events.length) {
    parts.push(el("h3", {}, `stream: ${entry.events.length} event(s)`), eventsTable(entry.events));
  } else {
    parts.push(el("h3", {}, "response body"), el("pre", { class: "response-body" }, entry.response === null ? "(none)" : pretty(entry.response)));
  }
  const command = curl(entry);
  const copied = el("span", { class: "copied" });
  parts.push(el("h3", {}, "copy as curl"),
    el("button", { type: "button", class: "copy-curl", onclick: () => copy(command, copied) }, "copy as curl"), " ", copied,
    el("pre", { class: "curl" }, command));
  parts.push(el("h3", {}, "request headers (keys masked)"), keyValues(entry.headers));
  parts.push(el("h3", {}, "response headers"), keyValues(entry.response_headers));
  return parts;
}

function eventsTable(events) {
  return el("table", { class: "events" },
    el("thead", {}, el("tr", {}, el("th", {}, "#"), el("th", {}, "sent at"), el("th", {}, "+since previous"), el("th", {}, "event"))),
    el("tbody", {}, events.map((event, i) => el("tr", { class: "event" },
      el("td", { class: "num" }, i + 1),
      el("td", { class: "num" }, duration(event.t)),
      el("td", { class: "num" }, i ? duration(event.t - events[i - 1].t) : ""),
      el("td", {}, el("pre", {}, event.data))))));  // as sent: compact, so a long stream reads as a list
}

function shellQuote(text) {
  return "'" + String(text).replace(/'/g, "'\\''") + "'";
}

function curl(entry) {
  const url = new URL(entry.path + queryString(entry.query), location.href).href;
  const headers = entry.headers || {};
  const multipart = (headers["content-type"] || "").startsWith("multipart/");
  const lines = [`curl -sS${entry.body && entry.body.stream === true ? " -N" : ""} -X ${entry.method} ${shellQuote(url)}`];
  for (const [name, value] of Object.entries(headers)) {
    if (SKIPPED_HEADERS.has(name) || (multipart && name === "content-type")) continue;
    if (value === MASKED) {
      const secret = SECRET_ENV[name] || "$" + name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
      lines.push(`-H "${name}: ${secret}"`);
    } else {
      lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
    }
  }
  if (multipart && entry.body && typeof entry.body === "object") {
    for (const [name, value] of Object.entries(entry.body)) {
      const file = value && typeof value === "object" && "filename" in value;
      lines.push(`-F ${shellQuote(file ? `${name}=@${value.filename}` : `${name}=${compact(value)}`)}`);
    }
  } else if (entry.body !== null && entry.body !== undefined) {
    lines.push(`--data-raw ${shellQuote(compact(entry.body))}`);
  }
  return lines.join(" \\\n  ");
}

async function copy(text, feedback) {
  try {
    await navigator.clipboard.writeText(text);
    feedback.textContent = "copied";
  } catch (_) {
    const area = el("textarea", {}, text);
    document.body.append(area);
    area.select();
    const ok = document.execCommand && document.execCommand("copy");
    area.remove();
    feedback.textContent = ok ? "copied" : "select the command below and copy it";
  }
}

// --- retry timeline ---------------------------------------------------------------------------

function chainsToShow() {
  const chains = new Map();
  for (const row of state.rows) {
    if (!matches(row)) continue;
    if (!chains.has(row.chain)) chains.set(row.chain, []);
    chains.get(row.chain).push(row);
  }
  const showSingle = $("#show-single").checked;
  const failed = (row) => !(row.status >= 200 && row.status < 400);
  return [...chains.values()].filter((c) => showSingle || c.length > 1 || failed(c[0])).slice(-MAX_CHAINS);
}

function renderTimeline() {
  if (!state.timelineDirty) return;
  state.timelineDirty = false;
  const container = $("#timeline");
  const chains = chainsToShow();
  if (!chains.length) {
    container.replaceChildren(el("p", { class: "empty" }, "No retried or failed requests (with these filters)."));
    return;
  }
  const sessions = new Map();
  for (const chain of chains) {
    const key = chain[0].session || "";
    if (!sessions.has(key)) sessions.set(key, []);
    sessions.get(key).push(chain);
  }
  const parts = [];
  for (const [session, list] of sessions) {
    parts.push(el("h2", { class: "session-head" }, session ? `session ${session}` : "no session"));
    for (const chain of list.reverse()) parts.push(chainView(chain)); // newest first
  }
  container.replaceChildren(...parts);
}

function chainView(chain) {
  const first = chain[0];
  return el("div", { class: "chain", dataset: { chain: String(first.chain) } },
    el("h3", {}, `${first.method} ${first.path}`),
    el("div", { class: "meta" }, `${chain.length} attempt(s), requests ${chain.map((r) => "#" + r.seq).join(", ")}, from ${clockTime(first.at)}`),
    chainAxis(chain),
    attemptsTable(chain));
}

function chainAxis(chain) {
  // the axis spans the arrivals and the retry-afters sent between them; a slow last answer is cut at the end
  const width = 760, left = 24, right = 24, height = 70, y = 30;
  const last = chain[chain.length - 1];
  let span = last.offset;
  for (const row of chain.slice(0, -1)) span = Math.max(span, row.offset + row.latency_ms / 1000 + (row.retry_after || 0));
  if (chain.length === 1) span = last.latency_ms / 1000 + (last.retry_after || 0);
  span = Math.max(span, 0.001) * 1.25;
  const x = (t) => left + (Math.min(t, span) / span) * (width - left - right);
  const root = svgEl("svg", { class: "axis", width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  root.append(svgEl("title", {}, `${chain.length} attempt(s) over ${duration(last.offset)}`));
  root.append(svgEl("line", { class: "base", x1: left, x2: width - right, y1: y, y2: y }));
  root.append(svgEl("text", { x: left, y: height - 4, "text-anchor": "middle" }, "0"));
  root.append(svgEl("text", { x: width - right, y: height - 4, "text-anchor": "end" }, duration(span)));
  chain.forEach((row, i) => {
    const start = x(row.offset), end = x(row.offset + row.latency_ms / 1000);
    if (row.retry_after !== null) {
      const told = svgEl("rect", { class: "told", x: end, y: y + 5, width: Math.max(1, x(row.offset + row.latency_ms / 1000 + row.retry_after) - end), height: 8 });
      told.append(svgEl("title", {}, `retry-after sent: ${duration(row.retry_after)}`));
      root.append(told);
    }
    root.append(svgEl("line", { class: "answer", x1: start, x2: Math.max(end, start + 1), y1: y, y2: y }));
    const mark = svgEl("circle", { class: "attempt " + statusClass(row.status), cx: start, cy: y, r: 6, "data-status": row.status, "data-seq": row.seq });
    mark.append(svgEl("title", {}, `#${row.seq}: ${row.status || "no response"} at +${duration(row.offset)}, answered in ${row.latency_ms.toFixed(1)} ms`));
    root.append(mark);
    root.append(svgEl("text", { class: "mark-label", x: start, y: y - 10, "text-anchor": "middle" }, row.status || "none"));
    if (i > 0) {
      const early = isEarly(row);
      const gap = svgEl("text", { class: "gap-label" + (early ? " early" : ""), x: (x(chain[i - 1].offset) + start) / 2, y: y + 26, "text-anchor": "middle" },
        `+${duration(row.gap)}${early ? " early" : ""}`);
      gap.append(svgEl("title", {}, `waited ${duration(row.wait)} after the answer` + (row.told !== null ? `; retry-after sent: ${duration(row.told)}` : "")));
      root.append(gap);
    }
  });
  return root;
}

function attemptsTable(chain) {
  return el("table", { class: "attempts" },
    el("thead", {}, el("tr", {}, ["attempt", "request", "+time", "status", "gap", "waited", "retry-after told", "retry-after sent"].map((h) => el("th", {}, h)))),
    el("tbody", {}, chain.map((row) => {
      const early = isEarly(row);
      return el("tr", { class: "attempt-row" + (early ? " early" : ""), dataset: { seq: String(row.seq) }, onclick: () => { selectTab("requests"); openDetail(row.seq); } },
        el("td", { class: "num" }, row.attempt),
        el("td", { class: "num" }, "#" + row.seq),
        el("td", { class: "num" }, "+" + duration(row.offset)),
        el("td", {}, statusBadge(row.status)),
        el("td", { class: "num gap" }, row.attempt > 1 ? duration(row.gap) : ""),
        el("td", { class: "num" }, row.attempt > 1 ? duration(row.wait) : "", early ? el("span", { class: "badge early" }, "early") : null),
        el("td", { class: "num" }, row.told === null ? "" : duration(row.told)),
        el("td", { class: "num" }, row.retry_after === null ? "" : duration(row.retry_after)));
    })));
}

// --- rules ------------------------------------------------------------------------------------

function describeAction(action) {
  if (action === "pass") return "pass";
  if (!action || typeof action !== "object") return compact(action);
  const { status, kind, ...rest } = action;
  const head = status !== undefined ? String(status) : String(kind);
  const extra = Object.keys(rest).length ? " " + compact(rest) : "";
  return head + extra;
}

function describeRule(rule) {
  if (rule.sequence) return "sequence: " + rule.sequence.map(describeAction).join(", ");
  let text = describeAction(rule.fault);
  if (rule.times !== undefined && rule.times !== null) text += `, the first ${rule.times}`;
  else if (rule.probability !== undefined && rule.probability !== null) text += `, with probability ${rule.probability}`;
  else text += ", always";
  return text;
}

function rulesError(error) {
  const box = $("#rules-error");
  box.hidden = !error;
  box.textContent = error ? String(error.message || error) : "";
}

async function refreshRules() {
  const data = await getJSON("faults");
  const tbody = $("#rules tbody");
  tbody.replaceChildren(...data.faults.map((rule) => el("tr", { dataset: { id: rule.id } },
    el("td", { class: "mono" }, rule.id),
    el("td", {}, rule.name || ""),
    el("td", { class: "mono" }, compact(rule.match || {})),
    el("td", { class: "mono" }, describeRule(rule)),
    el("td", { class: "num hits" }, rule.hits),
    el("td", { class: "num applied" }, rule.applied),
    el("td", {}, el("button", { type: "button", class: "delete-rule", onclick: () => controlCall(`faults/${encodeURIComponent(rule.id)}`, { method: "DELETE" }) }, "delete")))));
  $("#rules-empty").hidden = data.faults.length > 0;
}

async function loadScenarios() {
  const data = await getJSON("scenarios");
  $("#scenario").replaceChildren(...data.scenarios.map((name) => el("option", { value: name }, name)));
}

async function controlCall(path, options) {
  try {
    rulesError(null);
    await getJSON(path, options);
  } catch (error) {
    rulesError(error);
  }
  await refreshRules().catch(rulesError);
}

function setupRules() {
  const json = { "content-type": "application/json" };
  $("#add-scenario").addEventListener("click", () => controlCall("scenarios", { method: "POST", headers: json, body: JSON.stringify({ name: $("#scenario").value }) }));
  $("#clear-rules").addEventListener("click", () => controlCall("faults", { method: "DELETE" }));
  $("#reset-mock").addEventListener("click", () => controlCall("reset", { method: "POST" }));
  $("#add-rule").addEventListener("click", () => {
    try { JSON.parse($("#rule-json").value); } catch (error) { rulesError(new Error("not JSON: " + error.message)); return; }
    controlCall("faults", { method: "POST", headers: json, body: $("#rule-json").value });
  });
}

// --- quota ------------------------------------------------------------------------------------

function bar(used, cap) {
  if (!cap) return el("span", { class: "bar-text" }, `${used} (no limit)`);
  const ratio = Math.min(1, used / cap);
  const fill = el("span");
  fill.style.width = (ratio * 100).toFixed(1) + "%";
  return el("span", {}, el("span", { class: "bar" + (ratio >= 1 ? " full" : ratio >= 0.8 ? " warn" : "") }, fill),
    el("span", { class: "bar-text" }, `${used.toLocaleString()} / ${cap.toLocaleString()}`));
}

const MODES = {
  enforce: "Rate limits are enforced as Azure does: each deployment's TPM and RPM over 10-second windows holding a sixth of the minute's quota.",
  report: "Rate limits are only reported in x-ratelimit-* headers (--rate-limits report): nothing is throttled.",
  off: "Rate limits are off (--rate-limits off): no throttling and no headers.",
};

async function refreshQuota() {
  const data = await getJSON("quota");
  $("#quota-mode").textContent = MODES[data.mode] || data.mode;
  const used = (d) => Math.max(d.window.request_cap ? d.window.requests / d.window.request_cap : 0, d.window.token_cap ? d.window.tokens / d.window.token_cap : 0, d.minute.requests ? 1e-9 : 0);
  const list = [...data.deployments].sort((a, b) => used(b) - used(a) || a.name.localeCompare(b.name));
  $("#quota tbody").replaceChildren(...list.map((d) => el("tr", { dataset: { deployment: d.name } },
    el("td", {}, d.name), el("td", {}, d.sku),
    el("td", {}, bar(d.window.requests, d.window.request_cap)),
    el("td", {}, bar(d.window.tokens, d.window.token_cap)),
    el("td", {}, bar(d.minute.requests, d.minute.rpm)),
    el("td", {}, bar(d.minute.tokens, d.minute.tpm)))));
}

// --- replay -----------------------------------------------------------------------------------

async function refreshReplay() {
  const data = await getJSON("replay");
  const box = $("#replay");
  if (!data.loaded) {
    box.replaceChildren(el("p", { class: "empty" }, "No cassettes are loaded. Start the server with aoai-mock serve --replay CASSETTE (or use the pytest plugin's cassette marker) to see what is replayed and what misses."));
    return;
  }
  const parts = [
    el("p", {}, `${data.cassettes.length} cassette(s): `, data.cassettes.map((c) => `${c.name} (${c.interactions} exchanges)`).join(", "),
      `. Hits: ${data.hits}. Misses: ${data.misses.length}. Speed ${data.speed}; misses ${data.fallthrough ? "fall through to the generator" : "get a 404 ReplayMiss"}; matching on ${data.match_on.join(", ")}.`),
    el("h3", {}, "misses"),
  ];
  if (!data.misses.length) parts.push(el("p", { class: "empty" }, "No misses."));
  else parts.push(el("table", { class: "misses" },
    el("thead", {}, el("tr", {}, el("th", {}, "request"), el("th", {}, "nearest recorded"), el("th", {}, "differs in"))),
    el("tbody", {}, data.misses.map((miss) => el("tr", { class: "miss" },
      el("td", { class: "mono" }, miss.request),
      el("td", { class: "mono" }, miss.closest ? `${miss.closest.cassette} #${miss.closest.index}: ${miss.closest.recorded}` : "(none)"),
      el("td", {}, miss.closest ? el("ul", {}, miss.closest.differs.map((d) => el("li", { class: "mono" }, d))) : miss.message))))));
  parts.push(el("h3", {}, "recorded exchanges"), el("table", { class: "interactions" },
    el("thead", {}, el("tr", {}, ["cassette", "#", "request", "status", "replayed"].map((h) => el("th", {}, h)))),
    el("tbody", {}, data.interactions.map((i) => el("tr", {},
      el("td", {}, i.cassette), el("td", { class: "num" }, i.index), el("td", { class: "mono" }, i.request),
      el("td", {}, statusBadge(i.status)), el("td", { class: "num" }, i.hits))))));
  box.replaceChildren(...parts);
}

// --- tabs and polling -------------------------------------------------------------------------

const TAB_REFRESH = { rules: refreshRules, quota: refreshQuota, replay: refreshReplay };

function selectTab(name) {
  if (!document.getElementById("tab-" + name)) name = "requests";
  state.tab = name;
  for (const button of document.querySelectorAll("#tabs button")) button.setAttribute("aria-selected", String(button.dataset.tab === name));
  for (const section of document.querySelectorAll("main > .tab")) section.hidden = section.id !== "tab-" + name;
  writeURL();
  if (name === "timeline") renderTimeline();
  const refresh = TAB_REFRESH[name];
  if (refresh) refresh().catch((error) => showConnection(error));
}

function showConnection(error) {
  const box = $("#connection");
  box.classList.toggle("down", Boolean(error));
  if (error) box.textContent = "cannot reach the mock: " + error.message;
  else box.textContent = $("#live").checked ? `live, updated ${clockTime(Date.now() / 1000)}` : "paused";
}

async function pollOnce() {
  if (state.older !== null) await loadOlder(); // the first load could not fetch them: again now
  const data = await getJSON(`requests/summary?after=${state.cursor}`);
  if (applySummary(data)) return pollOnce(); // started over
  if (!state.rendered) firstRender().then(complete); // the first load failed: this poll brought them all
  if (state.tab === "timeline") renderTimeline();
  return data;
}

async function tick() {
  if ($("#live").checked) {
    try {
      await pollOnce();
      const refresh = TAB_REFRESH[state.tab];
      if (refresh) await refresh();
      showConnection(null);
    } catch (error) {
      showConnection(error);
    }
  }
  setTimeout(tick, POLL_MS);
}

function start() {
  readURL();
  setupFilters();
  setupRules();
  for (const button of document.querySelectorAll("#tabs button")) button.addEventListener("click", () => selectTab(button.dataset.tab));
  $("#show-single").addEventListener("change", () => { state.timelineDirty = true; renderTimeline(); });
  $("#live").addEventListener("change", () => showConnection(null));
  document.addEventListener("keydown", (event) => { if (event.key === "Escape" && state.selected) closeDetail(); });
  selectTab(state.tab);
  const opening = state.selected;
  firstLoad().then(() => {
    showConnection(null);
    if (opening) openDetail(opening);
  }, showConnection).finally(() => setTimeout(tick, POLL_MS));
}

document.addEventListener("DOMContentLoaded", start);
