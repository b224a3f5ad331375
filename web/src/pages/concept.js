// #/concept: find an extracted concept by label (#/concept?q=TEXT), and #/concept/KEY?as_of=YEAR:
// the concept's neighbourhood in the co-occurrence graph as of a year (a slider), drawn with
// Cytoscape.js (loaded only here) and listed as links beside it for keyboard users, its papers,
// its type and the gaps linked to it.

import "./concept.css";
import { api } from "../api.js";
import { h, showError } from "../dom.js";

/** The concept types the extraction gives, in legend order, with the CSS variable of each colour. */
const TYPES = [
  ["Method", "--type-method"],
  ["Task", "--type-task"],
  ["Dataset", "--type-dataset"],
  ["Metric", "--type-metric"],
  ["Material", "--type-material"],
  ["OtherConcept", "--type-other"],
];
const TYPE_NAMES = { OtherConcept: "Other" };
const typeName = (t) => TYPE_NAMES[t] || t;

/** The link to a concept (its key), keeping the year the page is cut at. */
export function conceptHref(key, asOf) {
  return `#/concept/${encodeURIComponent(key)}${asOf ? `?as_of=${encodeURIComponent(asOf)}` : ""}`;
}

/** A concept's key from its IRI (the last segment), as the API gives it. */
const keyOf = (iri) => iri.slice(iri.lastIndexOf("/") + 1);

const badge = (ctype) => h("span", { class: `badge ctype ctype-${ctype}` }, typeName(ctype));

// Only the newest render may write to the page: a slow answer to an older one is dropped.
let generation = 0;
let graph = null;

function forgetGraph() {
  if (graph) {
    graph.cy.destroy();
    graph.scheme.removeEventListener("change", graph.restyle);
    graph = null;
  }
}

function findForm(q) {
  return h("form", {
    id: "concept-find",
    role: "search",
    onsubmit: (ev) => {
      ev.preventDefault();
      const text = new FormData(ev.target).get("q").toString().trim();
      if (text) location.hash = `#/concept?q=${encodeURIComponent(text)}`;
    },
  },
  h("div", { class: "row" },
    h("label", { for: "concept-q", class: "visually-hidden" }, "Find a concept by label"),
    h("input", { id: "concept-q", name: "q", type: "search", value: q || "", placeholder: "find a concept by label, e.g. methylation", required: true }),
    h("button", { type: "submit" }, "Find")));
}

/** Renders the concept page: `rest` is the concept's key, IRI or label (empty: the look-up). */
export async function conceptPage(rest, p, main) {
  const mine = ++generation;
  forgetGraph();
  if (!rest) return lookup(p.get("q"), main, mine);
  return explore(rest, p.get("as_of"), main, mine);
}

async function lookup(q, main, mine) {
  const results = h("section", { id: "concept-matches", "aria-label": "concepts found" });
  main.replaceChildren(h("h1", {}, "Concepts"), findForm(q), results);
  if (!q) {
    results.append(h("p", { class: "hint" },
      "Concepts are what the extraction found in the papers (methods, tasks, data sets, metrics, materials). " +
      "Find one by a word of its label to see what it is mentioned with, year by year."));
    return;
  }
  results.append(h("p", { class: "hint" }, "Looking…"));
  try {
    const found = await api("/concepts", { q, limit: 20 });
    if (mine !== generation) return;
    if (!found.length) {
      results.replaceChildren(h("p", { class: "hint" }, `No extracted concept has a label containing “${q}”.`));
      return;
    }
    results.replaceChildren(
      h("p", { class: "hint" }, `${found.length} concept${found.length === 1 ? "" : "s"} with “${q}” in a label`),
      h("ul", { class: "concept-matches" }, found.map((c) =>
        h("li", {},
          h("a", { href: conceptHref(c.key) }, c.label),
          badge(c.ctype),
          h("span", { class: "meta" }, ` ${c.papers} paper${c.papers === 1 ? "" : "s"}`,
            c.matched.toLowerCase() !== c.label.toLowerCase() ? ` · as “${c.matched}”` : "")))));
  } catch (e) {
    if (mine === generation) showError(results, e);
  }
}

/** The slider's positions: the year before the first paper, each year to the last, then "all". */
function yearSlider(view, asOf, onMove) {
  const { first, last } = view.years;
  const all = last + 1;
  const value = asOf === null ? all : Math.min(Math.max(asOf, first - 1), last);
  const output = h("output", { id: "concept-year-value", for: "concept-year" });
  const say = (v) => {
    output.textContent = v >= all ? "every paper (undated ones too)" : `as of ${v}`;
  };
  const input = h("input", {
    id: "concept-year", type: "range", min: first - 1, max: all, step: 1, value,
    "aria-valuetext": value >= all ? "every paper" : `as of ${value}`,
  });
  input.addEventListener("input", () => say(Number(input.value)));
  input.addEventListener("change", () => {
    const v = Number(input.value);
    input.setAttribute("aria-valuetext", v >= all ? "every paper" : `as of ${v}`);
    onMove(v >= all ? null : v);
  });
  say(value);
  return h("div", { class: "year-slider" },
    h("label", { for: "concept-year" }, "Graph as known in "),
    h("span", { class: "range-end" }, String(first - 1)),
    input,
    h("span", { class: "range-end" }, "all"),
    output);
}

async function explore(id, asOfParam, main, mine) {
  main.replaceChildren(findForm(""), h("p", { class: "hint" }, "Loading…"));
  const asOf = asOfParam && /^\d{4}$/.test(asOfParam) ? Number(asOfParam) : null;
  let view;
  try {
    view = await api(`/concepts/${encodeURIComponent(id)}`, { as_of: asOf ?? "", limit: 30 });
  } catch (e) {
    if (mine === generation) {
      const box = h("section", {});
      main.replaceChildren(findForm(""), box);
      showError(box, e);
    }
    return;
  }
  if (mine !== generation) return;
  document.title = `${view.label} · Concepts · Hypatia`;

  const body = h("div", { id: "concept-body" });
  const move = async (year) => {
    // The year is in the URL (replaced, so that Back leaves the concept rather than each step).
    const next = conceptHref(view.key, year);
    history.replaceState(null, "", next);
    const now = ++generation;
    body.setAttribute("aria-busy", "true");
    try {
      const v = await api(`/concepts/${encodeURIComponent(view.key)}`, { as_of: year ?? "", limit: 30 });
      if (now !== generation) return;
      await fill(body, v, now);
    } catch (e) {
      if (now === generation) showError(body, e);
    } finally {
      body.removeAttribute("aria-busy");
    }
  };
  const slider = view.years
    ? yearSlider(view, asOf, move)
    : h("p", { class: "hint", id: "concept-year-none" },
      "None of its papers has a publication year, so its graph cannot be cut by year.");
  main.replaceChildren(
    findForm(""),
    h("article", { class: "concept" },
      h("h1", {}, view.label, " ", badge(view.ctype)),
      view.alt_labels.length ? h("p", { class: "meta" }, "also: ", view.alt_labels.join(" · ")) : null,
      h("p", { class: "meta" }, "IRI ", h("code", {}, view.iri)),
      slider,
      body));
  await fill(body, view, mine);
}

/** Fills the parts that change with the year: graph, neighbour list, papers, gaps. */
async function fill(body, view, mine) {
  forgetGraph();
  const year = view.as_of;
  const cut = year === null ? "" : ` as of ${year}`;
  const canvas = h("div", {
    id: "concept-graph",
    role: "img",
    "aria-label": `Co-occurrence graph of ${view.label}${cut}: ${view.neighbours.length} neighbours, listed beside it`,
  });
  const neighbours = h("section", { class: "neighbours", "aria-labelledby": "concept-neighbours-h" },
    h("h2", { id: "concept-neighbours-h" }, `Mentioned with it${cut}`),
    view.neighbours.length
      ? h("ol", { id: "concept-neighbours" }, view.neighbours.map((n) =>
        h("li", {},
          h("a", { href: conceptHref(n.key, year) }, n.label),
          badge(n.ctype),
          h("span", { class: "meta" }, ` ${n.weight} paper${n.weight === 1 ? "" : "s"} together`))))
      : h("p", { class: "hint", id: "concept-neighbours-none" }, `No concept is mentioned with it${cut}.`),
    view.neighbour_count > view.neighbours.length
      ? h("p", { class: "meta" }, `the ${view.neighbours.length} most frequent of ${view.neighbour_count}`)
      : null);
  const legend = h("ul", { class: "legend", "aria-label": "node colours" },
    TYPES.map(([t]) => h("li", {}, h("span", { class: `swatch ctype-${t}` }), typeName(t))));
  const papers = h("section", { "aria-labelledby": "concept-papers-h" },
    h("h2", { id: "concept-papers-h" }, `Papers${cut} (${view.paper_count})`),
    view.undated && year !== null
      ? h("p", { class: "meta" }, `${view.undated} undated paper${view.undated === 1 ? " is" : "s are"} left out as of a year.`)
      : null,
    view.papers.length
      ? h("ul", { id: "concept-papers", class: "concept-papers" }, view.papers.map((p) =>
        h("li", { class: p.retracted ? "retracted" : null },
          h("a", { href: `#/paper/${encodeURIComponent(p.key)}` }, p.title || p.iri),
          p.year ? h("span", { class: "meta" }, ` ${p.year}`) : null,
          p.retracted ? h("span", { class: "badge retracted" }, "retracted") : null)))
      : h("p", { class: "hint" }, `No paper mentions it${cut}.`),
    view.paper_count > view.papers.length ? h("p", { class: "meta" }, `the newest ${view.papers.length}`) : null);
  const gaps = h("section", { id: "concept-gaps", "aria-labelledby": "concept-gaps-h" },
    h("h2", { id: "concept-gaps-h" }, `Gaps linked to it${cut}`),
    h("p", { class: "hint" }, "Looking for gaps…"));
  body.replaceChildren(
    h("div", { class: "concept-graph-row" },
      h("div", { class: "graph-box" }, canvas, legend),
      neighbours),
    papers,
    gaps);
  await Promise.all([draw(canvas, view), linkedGaps(gaps, view, mine)]);
}

/** The colours of the page's scheme, for Cytoscape's style (it draws on a canvas, not with CSS). */
function colours() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  const types = Object.fromEntries(TYPES.map(([t, name]) => [t, v(name)]));
  return { types, fg: v("--fg"), line: v("--line"), panel: v("--panel"), accent: v("--accent") };
}

function graphStyle() {
  const c = colours();
  return [
    {
      selector: "node",
      style: {
        "background-color": (n) => c.types[n.data("ctype")] || c.types.OtherConcept,
        label: "data(label)",
        color: c.fg,
        "font-size": 11,
        "text-valign": "bottom",
        "text-margin-y": 3,
        "text-wrap": "ellipsis",
        "text-max-width": 120,
        "text-outline-color": c.panel,
        "text-outline-width": 2,
        width: "data(size)",
        height: "data(size)",
      },
    },
    { selector: "node.centre", style: { "border-width": 3, "border-color": c.fg, "font-weight": "bold", "font-size": 13 } },
    { selector: "edge", style: { width: "data(width)", "line-color": c.line, "curve-style": "straight", opacity: 0.9 } },
    { selector: "edge.spoke", style: { "line-color": c.accent, opacity: 0.55 } },
  ];
}

async function draw(canvas, view) {
  if (!view.neighbours.length) {
    canvas.dataset.nodes = "1";
    canvas.append(h("p", { class: "hint graph-empty" }, "Nothing to draw: no neighbours."));
    return;
  }
  // Cytoscape.js is large: only this page loads it.
  const { default: cytoscape } = await import("cytoscape");
  if (!canvas.isConnected) return;
  // Cytoscape would add a <style> element (`position: relative` on its container), which the
  // page's CSP refuses; concept.css has that rule, and an element with the id it looks for tells
  // it the sheet is there.
  const STYLESHEET = "__________cytoscape_stylesheet";
  if (!document.getElementById(STYLESHEET)) document.head.append(h("meta", { id: STYLESHEET, name: "cytoscape-style", content: "in app.css" }));
  const heaviest = Math.max(...view.neighbours.map((n) => n.weight));
  const most = Math.max(view.paper_count, ...view.neighbours.map((n) => n.papers));
  const size = (papers) => 14 + 22 * Math.sqrt(papers / Math.max(1, most));
  const elements = [
    { data: { id: view.key, label: view.label, ctype: view.ctype, size: size(view.paper_count) + 6 }, classes: "centre" },
    ...view.neighbours.map((n) => ({ data: { id: n.key, label: n.label, ctype: n.ctype, size: size(n.papers), weight: n.weight } })),
    ...view.neighbours.map((n) => ({
      data: { id: `e-${n.key}`, source: view.key, target: n.key, width: 1 + 7 * (n.weight / heaviest) },
      classes: "spoke",
    })),
  ];
  const shown = new Set(view.neighbours.map((n) => n.key));
  const heaviestLink = Math.max(1, ...view.links.map((l) => l.weight));
  for (const l of view.links) {
    const [a, b] = [keyOf(l.a), keyOf(l.b)];
    if (shown.has(a) && shown.has(b)) {
      elements.push({ data: { id: `l-${a}-${b}`, source: a, target: b, width: 0.5 + 3 * (l.weight / heaviestLink) } });
    }
  }
  const cy = cytoscape({
    container: canvas,
    elements,
    style: graphStyle(),
    layout: {
      name: "concentric",
      concentric: (n) => (n.hasClass("centre") ? 1000 : n.data("weight")),
      levelWidth: () => Math.max(1, heaviest / 3),
      minNodeSpacing: 18,
      animate: false,
    },
    minZoom: 0.3,
    // A few nodes would otherwise be fitted to the box at a giant size.
    maxZoom: 1.4,
    wheelSensitivity: 0.3,
  });
  cy.on("tap", "node", (ev) => {
    const key = ev.target.id();
    if (key !== view.key) location.hash = conceptHref(key, view.as_of);
  });
  cy.on("mouseover", "node", () => canvas.classList.add("pointing"));
  cy.on("mouseout", "node", () => canvas.classList.remove("pointing"));
  // Light or dark: the colours follow the system's scheme when it changes.
  const scheme = matchMedia("(prefers-color-scheme: dark)");
  const restyle = () => cy.style(graphStyle());
  scheme.addEventListener("change", restyle);
  graph = { cy, scheme, restyle };
  canvas.dataset.nodes = String(cy.nodes().length);
}

async function linkedGaps(section, view, mine) {
  const heading = section.firstChild;
  try {
    const gaps = await api("/gaps", { concept: view.iri, as_of: view.as_of ?? "", limit: 5 });
    if (mine !== generation) return;
    if (!gaps.length) {
      section.replaceChildren(heading, h("p", { class: "hint", id: "concept-gaps-none" },
        `No gap found${view.as_of === null ? "" : ` as of ${view.as_of}`} names this concept.`));
      return;
    }
    section.replaceChildren(heading,
      h("ul", { class: "concept-gaps" }, gaps.map((g) =>
        h("li", {},
          h("span", { class: "badge" }, g.kind.replaceAll("_", " ")),
          h("span", {}, g.explanation),
          h("span", { class: "meta" }, " ",
            ...g.concepts.filter((c) => c.iri !== view.iri).flatMap((c) => [h("a", { href: conceptHref(keyOf(c.iri), view.as_of) }, c.label), " "])),
          h("a", { href: "#/board", class: "meta" }, "on the board")))));
  } catch (e) {
    if (mine === generation) {
      section.replaceChildren(heading);
      section.append(h("div", {}));
      showError(section.lastChild, e);
    }
  }
}
