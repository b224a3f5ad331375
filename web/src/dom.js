// Building the page: elements, errors, highlighting, and a paper's reference line.

import { token } from "./api.js";

/** An element: `h("a", {href: "#"}, "text", child)`; text children are never parsed as HTML. */
export function h(tag, attrs = {}, ...children) {
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

/** Shows the API's error in words; without a saved token, a 401 or 403 also says where to set one. */
export function showError(where, e) {
  const hint = (e.status === 401 || e.status === 403) && !token() ? " (set a token under Token, top right)" : "";
  where.replaceChildren(h("p", { class: "error", role: "alert" }, `${e.message}${hint}`));
}

/** Query words of three letters or more, for highlighting. */
export function terms(q) {
  return [...new Set((q.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) || []))];
}

/** `text` with the words of `words` marked. */
export function highlight(text, words) {
  if (!words.length) return [text];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const re = new RegExp(`(${escaped.join("|")})`, "giu");
  return text.split(re).map((part, i) => (i % 2 ? h("mark", {}, part) : part));
}

/** The characters of `text` (code points, as the API's offsets count them). */
export const chars = (text) => Array.from(text);

/** `context` with the quote at [start, end) (offsets in the paper's text) emphasised. */
export function quoteInContext(context, start, end) {
  const cs = chars(context.text);
  const a = Math.max(0, start - context.start);
  const b = Math.min(cs.length, end - context.start);
  if (a >= b) return [context.text];
  return [cs.slice(0, a).join(""), h("strong", { class: "quote" }, cs.slice(a, b).join("")), cs.slice(b).join("")];
}

/** A paper's reference line: authors, year, venue, identifiers as links. */
export function reference(paper) {
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

export function paperLink(paper) {
  return h("a", { href: `#/paper/${encodeURIComponent(paper.key)}`, class: "title" }, paper.title || paper.iri);
}

