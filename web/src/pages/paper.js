// #/paper/KEY: a paper's record, notices, passages with what the extractor found highlighted at
// its offsets, its bibliography (resolved entries linked) and the stored papers citing it.
//
// Query parameters: `passage` (a passage to focus), `show` (which kind of extracted item to
// highlight: mention, claim, result or relation; mention by default), `span` (START-END of an
// item to focus).

import { api } from "../api.js";
import { chars, h, paperLink, reference, showError } from "../dom.js";
import "./paper.css";

const KINDS = [
  ["mention", "concepts"],
  ["claim", "claims"],
  ["result", "results"],
  ["relation", "relations"],
];

/** Renders the paper `key` into `main`, as the hash's parameters `p` say. */
export async function paperPage(key, p, main) {
  main.replaceChildren(h("p", { class: "hint" }, "Loading…"));
  let paper;
  try {
    paper = await api(`/papers/${encodeURIComponent(key)}`);
  } catch (e) {
    showError(main, e);
    return;
  }
  const show = KINDS.some(([k]) => k === p.get("show")) ? p.get("show") : "mention";
  const focus = p.get("passage");
  const span = p.get("span");
  const link = (changes) => {
    const next = new URLSearchParams(p);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    return `#/paper/${encodeURIComponent(paper.key)}?${next}`;
  };
  const shown = paper.extracted.filter((x) => x.kind === show);
  const ids = [
    ["IRI", paper.iri], ["DOI", paper.doi], ["arXiv", paper.arxiv], ["PMID", paper.pmid],
    ["PMCID", paper.pmcid], ["corpus id", paper.corpus_id], ["date", paper.date], ["venue", paper.venue],
  ].filter(([, v]) => v);

  const layer = h("nav", { class: "layers", "aria-label": "what to highlight" },
    h("span", { class: "hint" }, "Highlight: "),
    KINDS.map(([k, label]) => {
      const n = paper.extracted.filter((x) => x.kind === k).length;
      return h("a", { href: link({ show: k, span: null }), "aria-current": k === show ? "true" : null, class: `layer x-${k}` },
        `${label} (${n})`);
    }));

  const passages = h("ol", { class: "passages" },
    paper.passages.map((ps) =>
      h("li", { id: `passage-${ps.key}`, class: ps.key === focus ? "focus" : null, "data-start": ps.start },
        h("p", { class: "meta" }, `${ps.section} · characters ${ps.start}–${ps.end}`),
        h("p", { class: "text" }, ...marked(ps, shown, span)))));

  main.replaceChildren(
    h("article", { class: "paper" },
      notices(paper.notices || []),
      h("h1", {}, paper.title || paper.iri),
      paper.authors && paper.authors.length ? h("p", { class: "authors" }, paper.authors.join(", ")) : null,
      reference(paper),
      h("dl", { class: "ids" }, ids.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      h("div", { class: "paper-body" },
        h("section", { class: "paper-text" },
          h("h2", {}, `Passages (${paper.passages.length})`),
          layer,
          passages),
        h("aside", { class: "paper-side" },
          extractedList(paper, show, link),
          citations(paper))),
      h("details", {}, h("summary", {}, `Facts (${paper.facts.length} triples)`),
        h("table", { class: "facts" }, paper.facts.map((t) => h("tr", {}, t.map((x) => h("td", {}, x))))))),
  );
  const target = (span && document.querySelector(`mark[data-span="${CSS.escape(span)}"]`)) ||
    (focus && document.getElementById(`passage-${focus}`));
  if (target) {
    target.scrollIntoView({ block: "center" });
    if (target.tagName === "MARK") target.focus();
  }
}

/** The passage's text with the items of `items` that fall in it marked (the first of overlapping ones). */
function marked(ps, items, focusSpan) {
  const cs = chars(ps.text);
  const out = [];
  let at = 0;
  for (const x of items) {
    if (x.passage !== ps.key) continue;
    const a = x.start - ps.start;
    const b = x.end - ps.start;
    if (a < at || b > cs.length || a >= b) continue;
    out.push(cs.slice(at, a).join(""));
    const id = `${x.start}-${x.end}`;
    const attrs = {
      class: `x x-${x.kind}${x.concept_type ? ` t-${x.concept_type}` : ""}${id === focusSpan ? " focused" : ""}`,
      "data-span": id,
      "data-start": x.start,
      "data-end": x.end,
      title: describe(x),
      tabindex: -1,
    };
    const text = cs.slice(a, b).join("");
    out.push(h("mark", attrs, x.kind === "mention" && x.concept ? h("a", { href: conceptHref(x) }, text) : text));
    at = b;
  }
  out.push(cs.slice(at).join(""));
  return out;
}

function conceptHref(x) {
  return `#/concept/${encodeURIComponent(x.concept)}`;
}

/** One line saying what an extracted item is. */
function describe(x) {
  switch (x.kind) {
    case "mention":
      return `${x.concept_type || "concept"}: ${x.label || x.exact}`;
    case "claim":
      return `claim, ${x.polarity || "?"}${x.hedged ? ", hedged" : ""}`;
    case "result":
      return `${x.metric} = ${x.value}${x.unit ? ` ${x.unit}` : ""}`;
    case "relation":
      return `${x.head || "?"} —${x.relation || "related"}→ ${x.tail || "?"}`;
    default:
      return x.kind;
  }
}

/** The list beside the text: concepts by type with counts, or the items of the shown kind. */
function extractedList(paper, show, link) {
  const items = paper.extracted.filter((x) => x.kind === show);
  const title = KINDS.find(([k]) => k === show)[1];
  if (!items.length) {
    return h("section", { class: "extracted" }, h("h2", {}, `Extracted ${title}`),
      h("p", { class: "hint" }, `The extractor found no ${title} in this paper.`));
  }
  if (show === "mention") {
    const byConcept = new Map();
    for (const x of items) {
      const c = byConcept.get(x.concept) || { x, n: 0 };
      c.n += 1;
      byConcept.set(x.concept, c);
    }
    const concepts = [...byConcept.values()].sort((a, b) => b.n - a.n || (a.x.label || "").localeCompare(b.x.label || ""));
    return h("section", { class: "extracted" }, h("h2", {}, `Concepts (${concepts.length})`),
      h("ul", { class: "concepts" }, concepts.map(({ x, n }) =>
        h("li", {},
          h("span", { class: `badge t-${x.concept_type || "Other"}` }, x.concept_type || "Other"),
          h("a", { href: conceptHref(x) }, x.label || x.exact),
          n > 1 ? h("span", { class: "hint" }, ` ×${n}`) : null,
          " ",
          h("a", { href: link({ span: `${x.start}-${x.end}`, passage: null }), class: "jump", "aria-label": `first mention of ${x.label || x.exact}` }, "↧")))));
  }
  return h("section", { class: "extracted" }, h("h2", {}, `${title[0].toUpperCase()}${title.slice(1)} (${items.length})`),
    h("ol", { class: "items" }, items.map((x) =>
      h("li", {},
        h("a", { href: link({ span: `${x.start}-${x.end}`, passage: null }) }, describe(x)),
        show === "claim" ? h("q", {}, x.exact) : null))));
}

/** The bibliography (resolved entries linked) and the stored papers citing this one. */
function citations(paper) {
  const refs = paper.references.map((r) =>
    h("li", { class: r.resolved ? "resolved" : null },
      r.resolved
        ? h("a", { href: `#/paper/${encodeURIComponent(r.resolved.key)}`, class: "title" }, r.resolved.title || r.title)
        : h("span", { class: "title" }, r.title || r.description || "(untitled entry)"),
      [r.year, r.venue].filter(Boolean).length ? h("span", { class: "hint" }, ` · ${[r.year, r.venue].filter(Boolean).join(" · ")}`) : null,
      r.doi ? [" · ", h("a", { href: `https://doi.org/${r.doi}`, rel: "noreferrer" }, `doi:${r.doi}`)] : null));
  const resolved = paper.references.filter((r) => r.resolved).length;
  return h("section", { class: "citations" },
    h("h2", {}, `Cites (${paper.references.length}${paper.references.length ? `, ${resolved} in the store` : ""})`),
    refs.length ? h("ol", { class: "references" }, refs) : h("p", { class: "hint" }, "No bibliography in this record."),
    h("h2", {}, `Cited by (${paper.cited_by.length} in the store)`),
    paper.cited_by.length
      ? h("ul", { class: "cited-by" }, paper.cited_by.map((c) =>
        h("li", {}, paperLink(c), c.year ? h("span", { class: "hint" }, ` · ${c.year}`) : null)))
      : h("p", { class: "hint" }, "No stored paper cites it."));
}

/** A banner per notice: retractions first and loudest. */
function notices(list) {
  if (!list.length) return null;
  const order = { retraction: 0, "expression-of-concern": 1, correction: 2, update: 3 };
  const sorted = [...list].sort((a, b) => (order[a.kind] ?? 9) - (order[b.kind] ?? 9));
  return h("div", { class: "notices" }, sorted.map((n) =>
    h("p", { class: `notice notice-${n.kind}`, role: n.kind === "retraction" ? "alert" : "note" },
      h("strong", {}, n.kind === "retraction" ? "Retracted" : n.kind.replace(/-/g, " ")),
      n.date ? ` · ${n.date}` : "",
      n.notice ? [" · ", h("a", { href: `#/paper/${encodeURIComponent(n.notice)}` }, "the notice")] : "",
      n.recorded ? h("span", { class: "hint" }, ` (known since ${n.recorded})`) : null)));
}
