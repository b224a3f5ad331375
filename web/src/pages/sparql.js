// #/sparql: a SPARQL console over the server's own /sparql. YASGUI's editor (YASQE) and results
// view (YASR), from @zazuko/yasgui, with this page doing the requests: the tab's token goes in
// the headers, errors are shown as the API's `code: message`, and nothing leaves the server
// (YASQE's completers that ask LOV are off, its prefix completer knows Hypatia's prefixes only;
// this YASR has no chart or map plugin fetching from a CDN: the chart is ours, in SVG). Nothing
// is kept in local storage. main.js loads this module (and YASGUI with it) only for this page.

import Yasgui from "@zazuko/yasgui";
import "@zazuko/yasgui/build/yasgui.min.css";
import "./sparql.css";
import { api, answer, ApiError, withToken } from "../api.js";
import { h, showError } from "../dom.js";
import { ChartPlugin } from "./chart.js";

const { Yasqe, Yasr } = Yasgui;

/** The vocabularies Hypatia writes (src/common/vocab.rs; DESIGN.md, "Vocabularies"). */
export const PREFIXES = {
  hyp: "https://w3id.org/hypatia/ns#",
  schema: "http://schema.org/",
  cito: "http://purl.org/spar/cito/",
  oa: "http://www.w3.org/ns/oa#",
  skos: "http://www.w3.org/2004/02/skos/core#",
  dcterms: "http://purl.org/dc/terms/",
  prov: "http://www.w3.org/ns/prov#",
  np: "http://www.nanopub.org/nschema#",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  rdfs: "http://www.w3.org/2000/01/rdf-schema#",
  xsd: "http://www.w3.org/2001/XMLSchema#",
};

const prefixLines = (names) => names.map((p) => `PREFIX ${p}: <${PREFIXES[p]}>`).join("\n");

const DEFAULT_QUERY = `${prefixLines(Object.keys(PREFIXES))}

# Papers with their titles and years. Ctrl+Enter runs the query; "Example" offers more.
SELECT ?paper ?title ?year WHERE {
  ?paper a schema:ScholarlyArticle ; schema:name ?title .
  OPTIONAL { ?paper hyp:year ?year }
}
ORDER BY DESC(?year) ?title
LIMIT 25
`;

/** Examples of our own, before the named queries the server lists. */
export const BUILT_IN = [
  {
    name: "papers-per-year",
    title: "Papers per year",
    description: "How many papers the store holds for each publication year.",
    text: `${prefixLines(["hyp", "schema"])}

SELECT ?year (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?paper a schema:ScholarlyArticle ; hyp:year ?year .
}
GROUP BY ?year
ORDER BY ?year
`,
  },
  {
    name: "longest-papers",
    title: "The 20 longest papers (try the Chart view)",
    description: "Each paper's text length in characters (its canonical text, against which passage offsets count), longest first.",
    text: `${prefixLines(["hyp", "schema"])}

SELECT ?title (STRLEN(?text) AS ?characters) WHERE {
  ?paper a schema:ScholarlyArticle ; schema:name ?title ; hyp:canonicalText ?text .
}
ORDER BY DESC(?characters)
LIMIT 20
`,
  },
  {
    name: "search",
    title: "Search inside SPARQL: SERVICE hyp:search",
    description: "SERVICE hyp:search runs the store's passage search inside the query and joins its hits with the graph: " +
      "inputs hyp:query, hyp:mode (bm25, vector, hybrid), hyp:k, hyp:yearFrom, hyp:yearTo, hyp:section; " +
      "outputs hyp:passage, hyp:paper, hyp:score, hyp:rank, hyp:exact.",
    text: `${prefixLines(["hyp", "schema"])}

SELECT ?rank ?score ?title ?year ?text WHERE {
  SERVICE hyp:search {
    [] hyp:query "DNA methylation and ageing" ; hyp:mode "bm25" ; hyp:k 10 ;
       hyp:passage ?passage ; hyp:paper ?paper ; hyp:rank ?rank ; hyp:score ?score ; hyp:exact ?text
  }
  OPTIONAL { ?paper schema:name ?title }
  OPTIONAL { ?paper hyp:year ?year }
}
ORDER BY ?rank
`,
  },
  {
    name: "construct",
    title: "A graph: CONSTRUCT titles and years",
    description: "A CONSTRUCT query answers a graph (download it as Turtle, N-Triples, RDF/XML, JSON-LD, N-Quads or TriG).",
    text: `${prefixLines(["hyp", "schema"])}

CONSTRUCT { ?paper schema:name ?title ; hyp:year ?year } WHERE {
  ?paper a schema:ScholarlyArticle ; schema:name ?title ; hyp:year ?year .
}
LIMIT 20
`,
  },
];

/** What /sparql serves for each form of query: label, media type, file extension. */
export const FORMATS = {
  results: [
    ["JSON", "application/sparql-results+json", "srj"],
    ["XML", "application/sparql-results+xml", "srx"],
    ["CSV", "text/csv", "csv"],
    ["TSV", "text/tab-separated-values", "tsv"],
  ],
  graph: [
    ["Turtle", "text/turtle", "ttl"],
    ["N-Triples", "application/n-triples", "nt"],
    ["RDF/XML", "application/rdf+xml", "rdf"],
    ["JSON-LD", "application/ld+json", "jsonld"],
    ["N-Quads", "application/n-quads", "nq"],
    ["TriG", "application/trig", "trig"],
  ],
};

// What the editor held, so that re-rendering (a new token) keeps it.
let kept = null;
let configured = false;

/** Switches off what would reach other servers or keep things in local storage; adds our chart. */
function configure() {
  if (configured) return;
  configured = true;
  // The "property" and "class" completers ask lov.linkeddata.es: off. Prefixes: ours only.
  Yasqe.forkAutocompleter("prefixes", { name: "hypatia-prefixes", get: () => Object.entries(PREFIXES).map(([p, ns]) => `${p}: <${ns}>`), persistenceId: null }, false);
  Yasqe.defaults.autocompleters = ["variables", "hypatia-prefixes"];
  Yasqe.defaults.prefixCcApi = null;
  Yasr.registerPlugin("chart", ChartPlugin);
}

/** The form of a query for the endpoint: "results" (SELECT, ASK), "graph" or "update". */
function form(yasqe) {
  if (yasqe.getQueryMode() === "update") return "update";
  const type = yasqe.getQueryType();
  return type === "CONSTRUCT" || type === "DESCRIBE" ? "graph" : "results";
}

/** POSTs the editor's query (or update) to /sparql, asking for `accept`; the Response, or an ApiError. */
async function send(text, mode, accept) {
  const response = await fetch(new URL("/sparql", location.origin), {
    method: "POST",
    headers: withToken({
      Accept: accept,
      "Content-Type": mode === "update" ? "application/sparql-update" : "application/sparql-query",
    }),
    body: text,
  });
  if (!response.ok) await answer(response);
  return response;
}

/** Renders the console into `main`; `params` may hold `example=NAME` or `query=TEXT` to load. */
export async function sparqlPage(params, main) {
  configure();
  const examples = h("select", { id: "sparql-examples", "aria-describedby": "sparql-note" },
    h("option", { value: "" }, "Choose an example…"),
    h("optgroup", { label: "Built in" }, BUILT_IN.map((e) => h("option", { value: `built-in:${e.name}` }, e.title))));
  const run = h("button", { type: "button", id: "sparql-run", class: "primary" }, "Run");
  const format = h("select", { id: "sparql-format", "aria-label": "download format" });
  const download = h("button", { type: "button", id: "sparql-download" }, "Download");
  const note = h("p", { id: "sparql-note", class: "hint" });
  const editorEl = h("div", { id: "sparql-editor" });
  const status = h("p", { id: "sparql-status", class: "hint", role: "status" });
  const problem = h("div", { id: "sparql-problem" });
  const resultsEl = h("div", { id: "sparql-results" });
  main.replaceChildren(h("section", { class: "sparql" },
    h("h1", { class: "visually-hidden" }, "SPARQL console"),
    h("div", { class: "sparql-bar" },
      h("label", {}, "Example ", examples),
      run,
      h("span", { class: "hint keys" }, "or Ctrl+Enter"),
      h("span", { class: "download" }, h("label", {}, "Download as ", format), download)),
    note, editorEl, status, problem, resultsEl));

  const yasqe = new Yasqe(editorEl, {
    value: kept ?? DEFAULT_QUERY,
    persistenceId: null,
    consumeShareLink: null,
    createShareableLink: null,
    showQueryButton: false,
    resizeable: true,
    editorHeight: "320px",
    requestConfig: { endpoint: new URL("/sparql", location.origin).href, method: "POST" },
  });
  const yasr = new Yasr(resultsEl, {
    persistenceId: null,
    prefixes: () => ({ ...PREFIXES, ...yasqe.getPrefixesFromQuery() }),
    pluginOrder: ["table", "response", "chart"],
    defaultPlugin: "table",
  });

  const formats = () => {
    const f = form(yasqe);
    const wanted = f === "update" ? [] : FORMATS[f];
    const now = [...format.options].map((o) => o.value).join(" ");
    if (now !== wanted.map(([, m]) => m).join(" ")) {
      format.replaceChildren(...wanted.map(([label, media, ext]) => h("option", { value: media, "data-ext": ext }, `${label} (.${ext})`)));
    }
    format.disabled = download.disabled = f === "update";
  };
  formats();
  yasqe.on("change", () => {
    kept = yasqe.getValue();
    formats();
  });

  let busy = false;
  const execute = async () => {
    if (busy) return;
    busy = true;
    run.disabled = true;
    problem.replaceChildren();
    status.textContent = "Running…";
    const text = yasqe.getValue();
    const mode = form(yasqe);
    const started = performance.now();
    try {
      const accept = mode === "update" ? "text/plain, */*;q=0.1" : mode === "graph" ? "text/turtle" : "application/sparql-results+json";
      const response = await send(text, mode, accept);
      const body = await response.text();
      const ms = Math.round(performance.now() - started);
      if (mode === "update") {
        status.textContent = `Update done in ${ms} ms.`;
        resultsEl.hidden = true;
        return;
      }
      resultsEl.hidden = false;
      yasr.setResponse({ data: body, contentType: response.headers.get("content-type") || accept, status: response.status, executionTime: ms });
      status.textContent = summary(yasr, mode, ms);
    } catch (e) {
      status.textContent = "";
      resultsEl.hidden = true;
      showError(problem, e instanceof ApiError ? e : new Error(`the server could not be reached: ${e.message}`));
    } finally {
      busy = false;
      run.disabled = false;
    }
  };
  // Ctrl+Enter (YASQE's key for running) runs it here, with the token.
  yasqe.query = () => execute().then(() => undefined);
  run.addEventListener("click", execute);

  download.addEventListener("click", async () => {
    const option = format.selectedOptions[0];
    if (!option) return;
    problem.replaceChildren();
    download.disabled = true;
    try {
      const response = await send(yasqe.getValue(), form(yasqe), option.value);
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: `hypatia-query.${option.dataset.ext}`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      showError(problem, e);
    } finally {
      download.disabled = false;
    }
  });

  const chosen = new Map(BUILT_IN.map((e) => [`built-in:${e.name}`, e]));
  const load = (key) => {
    const e = chosen.get(key);
    if (!e) return;
    yasqe.setValue(e.text);
    const params = e.parameters && e.parameters.length
      ? ` Its parameters ${e.parameters.map((p) => `?${p}`).join(", ")} are left as variables: unbound, they match anything; ` +
        "bind them with VALUES or replace them with terms before running."
      : "";
    note.textContent = `${e.description}${params}`;
    resultsEl.hidden = true;
    status.textContent = "";
    problem.replaceChildren();
  };
  examples.addEventListener("change", () => load(examples.value));

  // The named queries of queries/, as the server lists them.
  try {
    const named = await api("/queries");
    examples.append(h("optgroup", { label: "Named queries (queries/)" },
      named.map((q) => h("option", { value: `named:${q.name}` }, q.name))));
    for (const q of named) chosen.set(`named:${q.name}`, { ...q, title: q.name });
  } catch (e) {
    note.append(h("span", { class: "error" }, `The named queries could not be listed: ${e.message}`));
  }
  const wanted = params.get("example");
  if (wanted) {
    const key = [`built-in:${wanted}`, `named:${wanted}`].find((k) => chosen.has(k));
    if (key) {
      examples.value = key;
      load(key);
    }
  } else if (params.get("query")) {
    yasqe.setValue(params.get("query"));
  }
}

/** What the results hold, in words. */
function summary(yasr, mode, ms) {
  const r = yasr.results;
  if (!r) return `Done in ${ms} ms.`;
  if (mode === "graph") {
    const n = r.getStatements().length;
    return `${n} ${n === 1 ? "triple" : "triples"} in ${ms} ms`;
  }
  const b = r.getBoolean();
  if (b !== undefined) return `ASK: ${b} (${ms} ms)`;
  const n = r.getBindings().length;
  return `${n} ${n === 1 ? "row" : "rows"} in ${ms} ms`;
}
