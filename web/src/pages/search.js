// #/search: hits as citations, or findings for a question.

import { api } from "../api.js";
import { h, highlight, paperLink, quoteInContext, reference, showError, terms } from "../dom.js";

const PAGE_SIZE = 10;

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

/** Renders the search page for the hash's parameters `p` into `main`. */
export async function searchPage(p, main) {
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

