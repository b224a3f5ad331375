// Hypatia's web UI: a hash-routed single page over the HTTP API of the server that serves it.
// No framework and nothing fetched from elsewhere: the server embeds this file, so the UI works
// offline. Pages: #/search (hits as citations, or findings for a question) and #/paper/KEY.

const TOKEN_KEY = "hypatia.token";
const PAGE_SIZE = 10;

// ---- the API ---------------------------------------------------------------------------

/** An error the API answered, with its `code` and `message`. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(`${status} ${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

/** GETs `path` with `params` (empty values left out), with the saved token if any. */
async function api(path, params = {}, accept = "application/json") {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  }
  const headers = { Accept: accept };
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url, { headers });
  if (!response.ok) {
    let code = "error";
    let message = response.statusText;
    try {
      const body = await response.json();
      code = body.code || code;
      message = body.message || message;
    } catch (_) {
      // not a JSON error body
    }
    throw new ApiError(response.status, code, message);
  }
  return accept === "application/json" ? response.json() : response.text();
}

// ---- DOM helpers -------------------------------------------------------------------------

/** An element: `h("a", {href: "#"}, "text", child)`; text children are never parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function showError(where, e) {
  const hint = e.status === 401 || e.status === 403 ? " (set a token under Token, top right)" : "";
  where.replaceChildren(h("p", { class: "error", role: "alert" }, `${e.message}${hint}`));
}

/** Query words of three letters or more, for highlighting. */
function terms(q) {
  return [...new Set((q.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) || []))];
}

/** `text` with the words of `words` marked. */
function highlight(text, words) {
  if (!words.length) return [text];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const re = new RegExp(`(${escaped.join("|")})`, "giu");
  return text.split(re).map((part, i) => (i % 2 ? h("mark", {}, part) : part));
}

/** The characters of `text` (code points, as the API's offsets count them). */
const chars = (text) => Array.from(text);

/** `context` with the quote at [start, end) (offsets in the paper's text) emphasised. */
function quoteInContext(context, start, end) {
  const cs = chars(context.text);
  const a = Math.max(0, start - context.start);
  const b = Math.min(cs.length, end - context.start);
  if (a >= b) return [context.text];
  return [cs.slice(0, a).join(""), h("strong", { class: "quote" }, cs.slice(a, b).join("")), cs.slice(b).join("")];
}

/** A paper's reference line: authors, year, venue, identifiers as links. */
function reference(paper) {
  const who = paper.authors && paper.authors.length
    ? paper.authors.slice(0, 3).join(", ") + (paper.authors.length > 3 ? " et al." : "")
    : null;
  const bits = [who, paper.year, paper.venue].filter((x) => x !== null && x !== undefined && x !== "");
  const links = [];
  if (paper.doi) links.push(h("a", { href: `https://doi.org/${paper.doi}`, rel: "noreferrer" }, `doi:${paper.doi}`));
  if (paper.arxiv) links.push(h("a", { href: `https://arxiv.org/abs/${paper.arxiv}`, rel: "noreferrer" }, `arXiv:${paper.arxiv}`));
  if (paper.pmid) links.push(h("a", { href: `https://pubmed.ncbi.nlm.nih.gov/${paper.pmid}/`, rel: "noreferrer" }, `PMID ${paper.pmid}`));
  if (paper.pmcid) links.push(h("span", {}, paper.pmcid));
  if (paper.corpus_id) links.push(h("span", {}, paper.corpus_id));
  return h("p", { class: "ref" }, bits.join(" · "), bits.length && links.length ? " · " : "", ...links.flatMap((l, i) => (i ? [" ", l] : [l])));
}

function paperLink(paper) {
  return h("a", { href: `#/paper/${encodeURIComponent(paper.key)}`, class: "title" }, paper.title || paper.iri);
}

// ---- #/search ----------------------------------------------------------------------------

function searchForm(p) {
  const field = (name, label, attrs = {}) =>
    h("label", {}, label, h("input", { name, value: p.get(name) || "", ...attrs }));
  const mode = h(
    "select",
    { name: "mode" },
    ["hybrid", "bm25", "vector"].map((m) => h("option", { value: m, selected: (p.get("mode") || "hybrid") === m }, m)),
  );
  const view = h(
    "select",
    { name: "view" },
    [["hits", "passages"], ["findings", "findings"]].map(([v, l]) =>
      h("option", { value: v, selected: (p.get("view") || "hits") === v }, l)),
  );
  return h(
    "form",
    {
      id: "search-form",
      onsubmit: (ev) => {
        ev.preventDefault();
        const data = new FormData(ev.target);
        const next = new URLSearchParams();
        for (const [k, v] of data) if (String(v).trim() !== "") next.set(k, String(v).trim());
        location.hash = `#/search?${next}`;
      },
    },
    h("div", { class: "row" },
      h("input", { name: "q", type: "search", value: p.get("q") || "", placeholder: "a question or keywords", "aria-label": "query", autofocus: true, required: true }),
      h("button", { type: "submit" }, "Search")),
    h("div", { class: "row filters" },
      h("label", {}, "mode ", mode),
      h("label", {}, "show ", view),
      field("year_from", "from ", { type: "number", min: 1000, max: 3000, size: 5 }),
      field("year_to", "to ", { type: "number", min: 1000, max: 3000, size: 5 }),
      field("section", "section ", { placeholder: "e.g. abstract", size: 10 }),
      field("venue", "venue ", { size: 14 }),
      field("as_of", "as of ", { placeholder: "year or date", size: 10 })),
  );
}

async function searchPage(p, main) {
  const results = h("section", { id: "results" });
  main.replaceChildren(searchForm(p), results);
  const q = p.get("q");
  if (!q) {
    results.append(h("p", { class: "hint" }, "Search the store's passages: every hit is a verbatim quote with its offsets and its paper's reference."));
    return;
  }
  results.append(h("p", { class: "hint" }, "Searching…"));
  const common = {
    year_from: p.get("year_from"),
    year_to: p.get("year_to"),
    section: p.get("section"),
    venue: p.get("venue"),
    as_of: p.get("as_of"),
  };
  try {
    if (p.get("view") === "findings") await findings(q, p, common, results);
    else await hits(q, p, common, results);
  } catch (e) {
    showError(results, e);
  }
}

async function hits(q, p, common, results) {
  const page = Math.max(1, parseInt(p.get("page") || "1", 10) || 1);
  // The API ranks the first k; a page is a slice of a longer ranking.
  const k = Math.min(1000, page * PAGE_SIZE);
  const answer = await api("/search", { q, mode: p.get("mode") || "hybrid", k, ...common });
  const shown = answer.hits.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const words = terms(q);
  const list = h("ol", { class: "hits", start: (page - 1) * PAGE_SIZE + 1 });
  for (const hit of shown) {
    const c = hit.citation;
    list.append(
      h("li", { class: "hit" + (hit.retracted ? " retracted" : "") },
        paperLink(c.paper),
        hit.retracted ? h("span", { class: "badge" }, "retracted") : null,
        reference(c.paper),
        h("blockquote", {}, ...highlight(c.quote, words)),
        h("p", { class: "meta" },
          `${c.section} · characters ${c.start}–${c.end} · score ${hit.score.toFixed(4)} · `,
          h("a", { href: `#/paper/${encodeURIComponent(c.paper.key)}?passage=${encodeURIComponent(c.passage)}` }, "in its paper"))),
    );
  }
  const nav = h("nav", { class: "pager" });
  const go = (n) => {
    const next = new URLSearchParams(p);
    next.set("page", n);
    return `#/search?${next}`;
  };
  if (page > 1) nav.append(h("a", { href: go(page - 1), rel: "prev" }, "← previous"));
  if (answer.hits.length === k && k < 1000) nav.append(h("a", { href: go(page + 1), rel: "next" }, "next →"));
  results.replaceChildren(
    h("p", { class: "hint" }, shown.length ? `${answer.mode}: hits ${(page - 1) * PAGE_SIZE + 1}–${(page - 1) * PAGE_SIZE + shown.length}` : "No hits."),
    list,
    nav,
  );
}

async function findings(q, p, common, results) {
  const params = { q, ...common };
  const [pack, markdown] = await Promise.all([
    api("/findings", params),
    api("/findings", params, "text/markdown"),
  ]);
  const s = pack.summary;
  const out = [
    h("p", { class: "hint" },
      `${s.papers} papers, ${s.passages} passages: ${s.supporting} supporting, ${s.contradicting} contradicting, ${s.related} related`),
  ];
  for (const paper of pack.papers) {
    const items = paper.passages.map((ps) =>
      h("li", { class: `finding stance-${ps.stance || ps.polarity}` },
        h("span", { class: "badge" }, ps.stance || ps.polarity),
        h("p", { class: "context" }, ...quoteInContext(ps.context, ps.start, ps.end)),
        h("p", { class: "meta" }, `${ps.section} · characters ${ps.start}–${ps.end}`)));
    out.push(h("article", { class: "paper-findings" }, paperLink(paper.reference), reference(paper.reference), h("ul", {}, items)));
  }
  const md = h("textarea", { id: "markdown", readonly: true, rows: 12 }, markdown);
  const copy = h("button", {
    type: "button",
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(markdown);
        copy.textContent = "Copied";
      } catch (_) {
        md.select();
        copy.textContent = "Selected: copy with Ctrl+C";
      }
    },
  }, "Copy Markdown");
  out.push(h("details", { class: "markdown" }, h("summary", {}, "Markdown with footnoted references"), copy, md));
  results.replaceChildren(...out);
}

// ---- #/paper/KEY -------------------------------------------------------------------------

async function paperPage(key, p, main) {
  main.replaceChildren(h("p", { class: "hint" }, "Loading…"));
  let paper;
  try {
    paper = await api(`/papers/${encodeURIComponent(key)}`);
  } catch (e) {
    showError(main, e);
    return;
  }
  const focus = p.get("passage");
  const passages = h("ol", { class: "passages" },
    paper.passages.map((ps) =>
      h("li", { id: `passage-${ps.key}`, class: ps.key === focus ? "focus" : null },
        h("p", { class: "meta" }, `${ps.section} · characters ${ps.start}–${ps.end}`),
        h("p", {}, ps.text))));
  const ids = [
    ["IRI", paper.iri], ["DOI", paper.doi], ["arXiv", paper.arxiv], ["PMID", paper.pmid],
    ["PMCID", paper.pmcid], ["corpus id", paper.corpus_id], ["date", paper.date], ["venue", paper.venue],
  ].filter(([, v]) => v);
  main.replaceChildren(
    h("article", { class: "paper" },
      h("h1", {}, paper.title || paper.iri),
      paper.authors && paper.authors.length ? h("p", { class: "authors" }, paper.authors.join(", ")) : null,
      reference(paper),
      h("dl", { class: "ids" }, ids.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      h("h2", {}, `Passages (${paper.passages.length})`),
      passages,
      h("details", {}, h("summary", {}, `Facts (${paper.facts.length} triples)`),
        h("table", { class: "facts" }, paper.facts.map((t) => h("tr", {}, t.map((x) => h("td", {}, x))))))),
  );
  if (focus) document.getElementById(`passage-${focus}`)?.scrollIntoView({ block: "center" });
}

// ---- routing and chrome ------------------------------------------------------------------

async function route() {
  const main = document.getElementById("page");
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const p = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean);
  for (const a of document.querySelectorAll("nav a[data-page]")) {
    a.classList.toggle("current", a.dataset.page === (parts[0] || "search"));
  }
  if (parts[0] === "paper" && parts[1]) {
    document.title = "Paper · Hypatia";
    await paperPage(decodeURIComponent(parts.slice(1).join("/")), p, main);
  } else {
    document.title = p.get("q") ? `${p.get("q")} · Hypatia` : "Hypatia";
    await searchPage(p, main);
  }
}

function tokenControls() {
  const input = document.getElementById("token");
  input.value = localStorage.getItem(TOKEN_KEY) || "";
  document.getElementById("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (input.value.trim()) localStorage.setItem(TOKEN_KEY, input.value.trim());
    route();
  });
  document.getElementById("token-clear").addEventListener("click", () => {
    localStorage.removeItem(TOKEN_KEY);
    input.value = "";
    route();
  });
}

async function health() {
  const el = document.getElementById("health");
  try {
    const hz = await api("/healthz");
    el.textContent = `${hz.stats.papers} papers, ${hz.stats.passages} passages, ${hz.stats.triples} triples · model ${hz.embedder || "none"}`;
  } catch (e) {
    el.textContent = `server: ${e.message}`;
  }
}

window.addEventListener("hashchange", route);
tokenControls();
health();
route();
