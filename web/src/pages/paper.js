// #/paper/KEY: a paper's record, passages and facts.

import { api } from "../api.js";
import { h, reference, showError } from "../dom.js";

/** Renders the paper `key` (the focused passage in `p`) into `main`. */
export async function paperPage(key, p, main) {
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

