// #/board: the research board. Gaps by kind with their evidence, hypotheses with their status
// history and the runs behind each change, experiment runs with a chart of a metric across them,
// and a novelty check; with a token that may write, forms to propose a hypothesis from a gap,
// log a run and move a hypothesis on. Everything comes from the research routes of the HTTP API
// (/gaps, /hypotheses, /experiments, /novelty); paper titles for evidence from one SPARQL query.

import "./board.css";
import { api, canWrite, send } from "../api.js";
import { lineChart, short } from "../chart.js";
import { chars, h, paperLink, reference, showError } from "../dom.js";

/** The gap kinds `GET /gaps?kind=` takes (the API's GapKind), with what a tab calls them. */
const GAP_KINDS = [
  ["missing_link", "Missing links"],
  ["untested_combination", "Untested combinations"],
  ["open_question", "Open questions"],
  ["contested_claim", "Contested claims"],
];
const STATUSES = ["proposed", "testing", "supported", "refuted", "inconclusive"];
const RUN_STATUSES = ["keep", "discard", "crash"];
const AGENT_KEY = "hypatia.agent";

/** Renders the board into `main`; `access` is what the tab's token may do. */
export async function boardPage(p, main, access) {
  const board = {
    access,
    writable: await canWrite(),
    hypotheses: null,
    experiments: null,
    papers: new Map(),
  };
  const sections = [
    ["board-gaps", "Gaps"],
    ["board-hypotheses", "Hypotheses"],
    ["board-experiments", "Experiments"],
    ["board-novelty", "Novelty check"],
  ];
  const jump = h("nav", { class: "board-jump", "aria-label": "board sections" },
    sections.map(([id, label]) =>
      h("button", {
        type: "button",
        class: "link",
        onclick: () => {
          const heading = document.querySelector(`#${id} h2`);
          heading?.scrollIntoView({ block: "start" });
          heading?.focus({ preventScroll: true });
        },
      }, label)));
  board.gaps = h("section", { id: "board-gaps", class: "board-section" });
  board.hyp = h("section", { id: "board-hypotheses", class: "board-section" });
  board.exp = h("section", { id: "board-experiments", class: "board-section" });
  board.nov = h("section", { id: "board-novelty", class: "board-section" });
  main.replaceChildren(
    h("h1", { class: "board-title" }, "Research board"),
    h("p", { class: "hint" }, board.writable
      ? `Your token (${access.credential}) may write: propose hypotheses from gaps and log runs.`
      : "Read only: a token with write scope (under Token, top right) shows the forms to propose hypotheses and log runs."),
    jump,
    board.gaps,
    board.hyp,
    board.exp,
    board.nov,
  );
  gapsSection(board, p.get("kind"));
  hypothesesSection(board, p.get("hypothesis"));
  experimentsSection(board);
  noveltySection(board);
}

// ---------------------------------------------------------------------------------------------
// Shared bits.

const heading = (text) => h("h2", { tabindex: "-1" }, text);

/** An RFC 3339 time as "2026-12-07 02:04:12 UTC" (other offsets kept as written). */
function when(time) {
  return time ? time.replace("T", " ").replace(/\.\d+/, "").replace(/Z$/, " UTC") : "";
}

function clip(text, n) {
  const cs = chars(text || "");
  return cs.length > n ? `${cs.slice(0, n).join("").trimEnd()}…` : text || "";
}

function statusBadge(status) {
  return h("span", { class: `badge status status-${status}` }, status);
}

/** The agent ids the token may act as (null: any). */
function boundAgents(board) {
  return board.access.agents && board.access.agents.length ? board.access.agents : null;
}

/** An agent-id field: the token's bound agent, or the one used last in this tab. */
function agentField(board, id) {
  const bound = boundAgents(board);
  const value = bound ? bound[0] : sessionStorage.getItem(AGENT_KEY) || "web-ui";
  const listId = `${id}-agents`;
  return h("label", {}, "Agent id ",
    h("input", { name: "agent", id, value, required: true, maxlength: 200, list: bound ? listId : null, autocomplete: "off" }),
    bound ? h("datalist", { id: listId }, bound.map((a) => h("option", { value: a }))) : null,
    bound ? h("span", { class: "hint" }, ` (this token may act as ${bound.join(", ")})`) : null);
}

function rememberAgent(agent) {
  sessionStorage.setItem(AGENT_KEY, agent);
}

/** A form's status line: what a write did, or its error in words. */
function formStatus() {
  return h("div", { class: "form-status", role: "status" });
}

function said(where, text) {
  where.replaceChildren(h("p", { class: "ok" }, text));
}

/**
 * Titles and keys of the papers `iris` name, from one SPARQL query (the key is what the paper
 * page's URL takes: the first 16 hex digits of the SHA-256 of the IRI). Kept per board; a paper
 * the query cannot name is linked by its IRI, which `/papers/{id}` also takes.
 */
async function resolvePapers(board, iris) {
  const wanted = [...new Set(iris)].filter((i) => !board.papers.has(i) && /^[^\s<>"{}|^`\\]+$/.test(i));
  if (!wanted.length) return;
  for (const i of wanted) board.papers.set(i, null);
  const query = `PREFIX schema: <http://schema.org/>
PREFIX hyp: <https://w3id.org/hypatia/ns#>
SELECT ?paper ?title ?year (SUBSTR(SHA256(STR(?paper)), 1, 16) AS ?key) WHERE {
  VALUES ?paper { ${wanted.map((i) => `<${i}>`).join(" ")} }
  OPTIONAL { GRAPH ?g { ?paper schema:name ?title . OPTIONAL { ?paper hyp:year ?year } } }
}`;
  try {
    const text = await api("/sparql", { query }, "application/sparql-results+json");
    for (const b of JSON.parse(text).results.bindings) {
      board.papers.set(b.paper.value, { key: b.key?.value, title: b.title?.value, year: b.year?.value });
    }
  } catch (_) {
    // Titles are a courtesy: without them each paper is linked by its IRI.
  }
}

function paperRef(board, iri) {
  const known = board.papers.get(iri);
  const target = known?.key || iri;
  return h("a", { href: `#/paper/${encodeURIComponent(target)}`, class: "paper-link" }, known?.title || iri);
}

function evidenceItem(board, e) {
  return h("li", { class: "evidence" },
    h("blockquote", {}, e.quote),
    h("p", { class: "meta" },
      e.role ? h("span", { class: "badge" }, e.role) : null,
      paperRef(board, e.paper),
      e.year ? ` · ${e.year}` : "",
      ` · characters ${e.start}–${e.end}`));
}

// ---------------------------------------------------------------------------------------------
// Gaps.

function gapsSection(board, initial) {
  const panel = h("div", { id: "gap-panel", role: "tabpanel", tabindex: "0" });
  const tabs = GAP_KINDS.map(([kind, label]) =>
    h("button", {
      type: "button",
      role: "tab",
      id: `gap-tab-${kind}`,
      "data-kind": kind,
      "aria-controls": "gap-panel",
      onclick: () => select(kind),
      onkeydown: (ev) => {
        const i = GAP_KINDS.findIndex(([k]) => k === kind);
        const step = { ArrowRight: 1, ArrowLeft: -1 }[ev.key];
        if (step) {
          const next = GAP_KINDS[(i + step + GAP_KINDS.length) % GAP_KINDS.length][0];
          select(next);
          document.getElementById(`gap-tab-${next}`).focus();
        }
      },
    }, label));
  const list = h("div", { role: "tablist", class: "tabs", "aria-label": "gap kinds" }, tabs);
  board.gaps.replaceChildren(
    heading("Gaps"),
    h("p", { class: "hint" }, "What the literature in the store has not done yet, best first, each with the verbatim passages behind it."),
    list,
    panel,
  );
  let shown = 0;
  const select = async (kind) => {
    const ticket = ++shown;
    for (const t of tabs) {
      const on = t.dataset.kind === kind;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
    }
    panel.setAttribute("aria-labelledby", `gap-tab-${kind}`);
    panel.replaceChildren(h("p", { class: "hint" }, "Finding gaps…"));
    try {
      const gaps = await api("/gaps", { kind, limit: 10 });
      await resolvePapers(board, gaps.flatMap((g) => g.evidence.map((e) => e.paper)));
      if (ticket !== shown) return;
      panel.replaceChildren(gaps.length
        ? h("ol", { class: "gaps" }, gaps.map((g, i) => gapCard(board, g, `${kind}-${i}`)))
        : h("p", { class: "hint empty" }, "No gaps of this kind in the store."));
    } catch (e) {
      if (ticket === shown) showError(panel, e);
    }
  };
  select(GAP_KINDS.some(([k]) => k === initial) ? initial : GAP_KINDS[0][0]);
}

function gapCard(board, gap, id) {
  const features = Object.entries(gap.features || {});
  const card = h("li", { class: "gap", id: `gap-${id}` },
    h("p", { class: "gap-head" },
      h("span", { class: "badge" }, gap.kind.replace(/_/g, " ")),
      h("span", { class: "score" }, `score ${short(gap.score)}`)),
    h("p", { class: "explanation" }, gap.explanation),
    gap.concepts.length
      ? h("p", { class: "concepts" }, gap.concepts.map((c) =>
        h("a", { class: "chip", href: `#/search?q=${encodeURIComponent(c.label)}`, title: c.iri }, c.label, h("small", {}, ` ${c.ctype}`))))
      : null,
    gap.evidence.length
      ? h("details", { class: "gap-evidence", open: true },
        h("summary", {}, `Evidence (${gap.evidence.length})`),
        h("ul", { class: "evidence-list" }, gap.evidence.map((e) => evidenceItem(board, e))))
      : null,
    features.length
      ? h("details", { class: "features" },
        h("summary", {}, "What the score is made of"),
        h("dl", {}, features.flatMap(([k, v]) => [h("dt", {}, k.replace(/_/g, " ")), h("dd", {}, short(v))])))
      : null,
  );
  if (board.writable) {
    const slot = h("div", { class: "propose-slot" });
    const open = h("button", {
      type: "button",
      class: "propose-open",
      "aria-expanded": "false",
      onclick: () => {
        if (slot.firstChild) {
          slot.replaceChildren();
          open.setAttribute("aria-expanded", "false");
          return;
        }
        slot.replaceChildren(proposeForm(board, gap, id));
        open.setAttribute("aria-expanded", "true");
        slot.querySelector("textarea")?.focus();
      },
    }, "Propose a hypothesis from this gap");
    card.append(open, slot);
  }
  return card;
}

/** A first statement for a hypothesis from `gap`, for the user to sharpen. */
export function statementFor(gap) {
  const labels = gap.concepts.map((c) => c.label);
  const list = (xs) => (xs.length > 1 ? `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}` : xs[0] || "");
  switch (gap.kind) {
    case "missing_link":
      return `${labels[0]} carries over to ${labels[1]}: what links them (${list(labels.slice(2, 5)) || "shared neighbours"}) predicts a measurable effect when they are studied together.`;
    case "untested_combination":
      return `${labels[0]} performs on ${labels[1]} as well as the similar methods already evaluated on it.`;
    case "open_question":
      return `The future work stated about ${list(labels.slice(0, 4))} can now be done, and it improves on the reported results.`;
    case "contested_claim":
      return `The disagreement about ${list(labels.slice(0, 4))} comes from a difference in setting (data, population or method) between the papers, not from the effect itself.`;
    default:
      return gap.explanation;
  }
}

/** The concepts a gap is about at its core (for missing links A and C, not the bridges). */
function coreConcepts(gap) {
  return gap.kind === "missing_link" || gap.kind === "untested_combination" ? gap.concepts.slice(0, 2) : gap.concepts;
}

function proposeForm(board, gap, id) {
  const status = formStatus();
  const core = new Set(coreConcepts(gap).map((c) => c.iri));
  const form = h("form", {
    class: "propose-form write-form",
    onsubmit: async (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      const agent = String(data.get("agent")).trim();
      const body = {
        statement: String(data.get("statement")).trim(),
        agent,
        concepts: data.getAll("concept").map((iri) => ({ iri: String(iri) })),
        gap: {
          kind: gap.kind,
          explanation: gap.explanation,
          score: gap.score,
          concepts: gap.concepts.map((c) => ({ iri: c.iri })),
          evidence: gap.evidence.map((e) => ({ passage: e.passage })),
        },
      };
      status.replaceChildren(h("p", { class: "hint" }, "Proposing…"));
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      try {
        const w = await send("POST", "/hypotheses", body);
        rememberAgent(agent);
        said(status, w.created
          ? `Proposed as ${w.record.key}: it is on the board under Hypotheses.`
          : `${agent} proposed this statement before (${w.record.key}, ${w.record.status}): the stored hypothesis is shown under Hypotheses.`);
        await loadHypotheses(board, w.record.key);
      } catch (e) {
        showError(status, e);
      } finally {
        button.disabled = false;
      }
    },
  },
  h("label", { class: "block" }, "Statement",
    h("textarea", { name: "statement", rows: 3, required: true, id: `statement-${id}` }, statementFor(gap))),
  gap.concepts.length
    ? h("fieldset", { class: "concept-picks" }, h("legend", {}, "It is about"),
      gap.concepts.map((c) => h("label", { class: "check" },
        h("input", { type: "checkbox", name: "concept", value: c.iri, checked: core.has(c.iri) }), ` ${c.label}`)))
    : null,
  h("p", { class: "hint" }, `The gap (its kind, explanation, score, concepts and ${gap.evidence.length} evidence passages) is recorded with it.`),
  h("div", { class: "row" }, agentField(board, `agent-${id}`), h("button", { type: "submit" }, "Propose")),
  status);
  return form;
}

// ---------------------------------------------------------------------------------------------
// Hypotheses.

function hypothesesSection(board, focus) {
  const select = (name, label, options) =>
    h("label", {}, `${label} `, h("select", { name }, options.map(([v, l]) => h("option", { value: v }, l))));
  const filters = h("form", {
    id: "hypothesis-filters",
    class: "row filters",
    onsubmit: (ev) => {
      ev.preventDefault();
      loadHypotheses(board);
    },
  },
  select("status", "status", [["", "any"], ...STATUSES.map((s) => [s, s])]),
  h("label", {}, "agent ", h("input", { name: "agent", size: 14, placeholder: "any" })),
  select("sort", "sort by", [["recency", "recency"], ["rating", "rating (Elo)"], ["evidence", "evidence"]]),
  select("order", "order", [["desc", "newest / best first"], ["asc", "oldest / lowest first"]]),
  h("button", { type: "submit" }, "Show"));
  for (const el of filters.querySelectorAll("select")) el.addEventListener("change", () => loadHypotheses(board));
  board.hypFilters = filters;
  board.hypList = h("div", { id: "hypothesis-list" });
  board.hyp.replaceChildren(
    heading("Hypotheses"),
    h("p", { class: "hint" }, "Each with who proposed it, its rating from pairwise comparisons and, opened, its status history with the runs behind each change."),
    filters,
    board.hypList,
  );
  loadHypotheses(board, focus);
}

async function loadHypotheses(board, focus) {
  const data = new FormData(board.hypFilters);
  const params = { limit: 50 };
  for (const [k, v] of data) params[k] = String(v).trim();
  board.hypList.replaceChildren(h("p", { class: "hint" }, "Loading hypotheses…"));
  try {
    const list = await api("/hypotheses", params);
    board.hypotheses = list;
    const cards = list.map((x) => hypothesisCard(board, x));
    board.hypList.replaceChildren(list.length
      ? h("ol", { class: "hypotheses" }, cards)
      : h("p", { class: "hint empty" }, "No hypotheses match."));
    if (focus) await showHypothesis(board, focus);
  } catch (e) {
    showError(board.hypList, e);
  }
  refreshHypothesisChoices(board);
}

/** Opens hypothesis `key` on the board (fetching it if the list does not show it) and scrolls to it. */
async function showHypothesis(board, key) {
  let card = document.getElementById(`hyp-${key}`);
  if (!card) {
    try {
      const x = await api(`/hypotheses/${encodeURIComponent(key)}`);
      card = hypothesisCard(board, x);
      card.classList.add("pinned");
      let list = board.hypList.querySelector("ol.hypotheses");
      if (!list) {
        list = h("ol", { class: "hypotheses" });
        board.hypList.replaceChildren(list);
      }
      list.prepend(card);
    } catch (e) {
      showError(board.hypList, e);
      return;
    }
  }
  card.classList.add("focus");
  await card.openHistory();
  card.scrollIntoView({ block: "center" });
}

function hypothesisCard(board, x) {
  const body = h("div", { class: "history-body" }, h("p", { class: "hint" }, "Loading…"));
  let loaded = null;
  const details = h("details", { class: "history" }, h("summary", {}, "History, runs and evidence"), body);
  const card = h("li", { class: "hypothesis", id: `hyp-${x.key}`, "data-key": x.key },
    h("p", { class: "statement" }, x.statement),
    h("p", { class: "meta" },
      statusBadge(x.status),
      `${x.key} · proposed by ${x.agent} · ${when(x.created)}`,
      ` · Elo ${Math.round(x.rating.elo)} (${x.rating.comparisons} comparison${x.rating.comparisons === 1 ? "" : "s"}: ${x.rating.wins}–${x.rating.losses}–${x.rating.draws})`,
      ` · evidence ${x.evidence_count}`,
      x.gap ? ` · from a ${x.gap[0].replace(/_/g, " ")} gap` : "",
      x.retracted_evidence?.length ? h("span", { class: "badge retracted" }, "retracted evidence") : null),
    x.concepts.length ? h("p", { class: "concepts" }, x.concepts.map((c) => h("span", { class: "chip", title: c.iri }, c.label || c.iri))) : null,
    details);
  const load = () => {
    if (!loaded) {
      loaded = (async () => {
        try {
          const full = await api(`/hypotheses/${encodeURIComponent(x.key)}`);
          await resolvePapers(board, full.quoted_evidence.map((q) => q.paper));
          body.replaceChildren(...hypothesisDetails(board, full));
          card.querySelector(".meta .status").replaceWith(statusBadge(full.status));
        } catch (e) {
          loaded = null;
          showError(body, e);
        }
      })();
    }
    return loaded;
  };
  details.addEventListener("toggle", () => {
    if (details.open) load();
  });
  /** Opens the history and resolves once it is shown. */
  card.openHistory = () => {
    details.open = true;
    return load();
  };
  return card;
}

function runLine(x) {
  return h("span", { class: "run" },
    h("span", { class: `badge run-${x.status}` }, x.status),
    `${x.description} `,
    h("span", { class: "meta" }, `(${x.key}, ${when(x.time)}, ${x.agent}${x.metrics.length ? "; " : ""}${x.metrics.map(metricText).join(", ")})`));
}

function metricText(m) {
  return `${m.name}${m.split ? ` [${m.split}]` : ""} ${short(m.value)}${m.unit ? ` ${m.unit}` : ""}`;
}

function hypothesisDetails(board, x) {
  const runs = new Map(x.experiments.map((e) => [e.key, e]));
  const out = [];
  // The API lists the changes after the proposal; the proposal itself is the record's own
  // agent and time.
  const history = x.history.some((c) => !c.from)
    ? x.history
    : [{ from: null, to: "proposed", time: x.created, agent: x.agent, outcomes: [], note: null }, ...x.history];
  out.push(h("h3", {}, "Status history"),
    h("ol", { class: "status-history" }, history.map((c) =>
      h("li", { class: "change" },
        h("p", {},
          c.from ? statusBadge(c.from) : null, c.from ? "→ " : "", statusBadge(c.to),
          h("span", { class: "who" }, `${when(c.time)} · ${c.agent}`)),
        c.note ? h("p", { class: "note" }, `Why: ${c.note}`) : null,
        c.outcomes.length
          ? h("ul", { class: "outcomes" }, c.outcomes.map((k) => h("li", {}, runs.has(k) ? runLine(runs.get(k)) : k)))
          : null))));
  out.push(h("h3", {}, `Runs testing it (${x.experiments.length})`),
    x.experiments.length
      ? h("ul", { class: "runs" }, x.experiments.map((e) => h("li", {}, runLine(e))))
      : h("p", { class: "hint" }, "None yet."));
  if (x.plateaus.length) {
    out.push(h("h3", {}, "Plateaus"), h("ul", { class: "plateaus" }, x.plateaus.map((pl) =>
      h("li", {}, `${pl.metric}${pl.split ? ` [${pl.split}]` : ""} (${pl.direction}${pl.direction_inferred ? ", inferred" : ""}): best ${short(pl.best)} in ${pl.best_run}, latest ${short(pl.latest)}, ${pl.runs_since_best} of ${pl.window} runs since the best${pl.plateaued ? " — plateaued" : ""}`))));
  }
  if (x.gap) out.push(h("h3", {}, "The gap behind it"), h("p", {}, h("span", { class: "badge" }, x.gap[0].replace(/_/g, " ")), x.gap[1] || ""));
  // Passages the API cites without their quote are linked in their paper: a passage key is
  // its paper's key, a dash and its number.
  const quoted = new Set(x.quoted_evidence.map((q) => q.passage));
  const bare = x.evidence.map((iri) => iri.split("/").pop()).filter((k) => !quoted.has(k));
  if (x.quoted_evidence.length || bare.length) {
    out.push(h("h3", {}, `Evidence (${x.quoted_evidence.length + bare.length})`),
      h("ul", { class: "evidence-list" }, bare.map((k) =>
        h("li", { class: "evidence" }, h("a", { href: `#/paper/${encodeURIComponent(k.replace(/-\d+$/, ""))}?passage=${encodeURIComponent(k)}` }, `passage ${k} in its paper`))),
      x.quoted_evidence.map((q) =>
        h("li", { class: "evidence" },
          h("blockquote", {}, clip(q.quote, 600)),
          h("p", { class: "meta" }, paperRef(board, q.paper), ` · characters ${q.start}–${q.end}`,
            q.unchanged ? "" : h("span", { class: "badge retracted" }, "changed since"),
            x.retracted_evidence?.some((r) => r.endsWith(q.passage)) ? h("span", { class: "badge retracted" }, "retracted") : null)))));
  }
  if (x.derived_from.length || x.derivatives.length) {
    out.push(h("h3", {}, "Lineage"), h("ul", {},
      x.derived_from.map((d) => h("li", {}, `${d.relation} ${d.hypothesis}`)),
      x.derivatives.map((d) => h("li", {}, `${d.hypothesis} ${d.relation} it`))));
  }
  if (board.writable) out.push(statusForm(board, x));
  return out;
}

function statusForm(board, x) {
  const status = formStatus();
  const next = STATUSES.filter((s) => s !== "proposed" && s !== x.status);
  const form = h("form", {
    class: "status-form write-form",
    onsubmit: async (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      const agent = String(data.get("agent")).trim();
      const note = String(data.get("note")).trim();
      const body = { status: data.get("status"), agent, outcomes: data.getAll("outcome").map(String) };
      if (note) body.note = note;
      try {
        await send("POST", `/hypotheses/${encodeURIComponent(x.key)}/status`, body);
        rememberAgent(agent);
        await loadHypotheses(board, x.key);
      } catch (e) {
        showError(status, e);
      }
    },
  },
  h("h3", {}, "Change its status"),
  h("div", { class: "row" },
    h("label", {}, "to ", h("select", { name: "status" }, next.map((s) => h("option", { value: s }, s)))),
    agentField(board, `status-agent-${x.key}`)),
  x.experiments.length
    ? h("fieldset", {}, h("legend", {}, "The runs it rests on (supported and refuted need one)"),
      x.experiments.map((e) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "outcome", value: e.key }), " ", runLine(e))))
    : h("p", { class: "hint" }, "No run tests it yet: supported and refuted need one (log a run under Experiments)."),
  h("label", { class: "block" }, "Why", h("input", { name: "note", maxlength: 2000 })),
  h("button", { type: "submit" }, "Change status"),
  status);
  return form;
}

// ---------------------------------------------------------------------------------------------
// Experiments.

function experimentsSection(board) {
  board.expChart = h("div", { id: "metric-chart" });
  board.expTable = h("div", { id: "experiment-list" });
  board.exp.replaceChildren(...[
    heading("Experiments"),
    h("p", { class: "hint" }, "Runs as agents logged or imported them (autoresearch results.tsv and the like), with their metrics."),
    board.writable ? logRunForm(board) : null,
    board.expChart,
    board.expTable,
  ].filter(Boolean));
  loadExperiments(board);
}

async function loadExperiments(board, metric) {
  board.expTable.replaceChildren(h("p", { class: "hint" }, "Loading runs…"));
  try {
    board.experiments = await api("/experiments");
  } catch (e) {
    showError(board.expTable, e);
    board.expChart.replaceChildren();
    return;
  }
  renderChart(board, metric);
  renderRuns(board);
}

function seriesKey(m) {
  return m.split ? `${m.name} [${m.split}]` : m.name;
}

function renderChart(board, metric) {
  const runs = board.experiments;
  const counts = new Map();
  for (const x of runs) for (const m of x.metrics) counts.set(seriesKey(m), (counts.get(seriesKey(m)) || 0) + 1);
  if (!counts.size) {
    board.expChart.replaceChildren(h("p", { class: "hint empty" }, "No run reports a metric yet, so there is nothing to chart."));
    return;
  }
  const names = [...counts.keys()].sort();
  const previous = board.expChart.querySelector('select[name="metric"]')?.value;
  const chosen = [metric, previous, "val_bpb", "val_bpb [val]"].find((m) => m && counts.has(m))
    || names.reduce((a, b) => (counts.get(b) > counts.get(a) ? b : a));
  const tested = [...new Set(runs.map((x) => x.hypothesis).filter(Boolean))];
  const metricSelect = h("select", { name: "metric", id: "chart-metric" },
    names.map((n) => h("option", { value: n, selected: n === chosen }, `${n} (${counts.get(n)} run${counts.get(n) === 1 ? "" : "s"})`)));
  const hypSelect = h("select", { name: "hypothesis", id: "chart-hypothesis" },
    h("option", { value: "" }, "all runs"),
    tested.map((k) => h("option", { value: k }, `testing ${k}${hypLabel(board, k)}`)));
  const crashed = h("input", { type: "checkbox", name: "crashed", id: "chart-crashed" });
  const plot = h("figure", { class: "chart-figure" });
  const draw = () => {
    const name = metricSelect.value;
    const points = [];
    for (const x of runs) {
      if (hypSelect.value && x.hypothesis !== hypSelect.value) continue;
      if (x.status === "crash" && !crashed.checked) continue;
      const m = x.metrics.find((mm) => seriesKey(mm) === name);
      if (m) {
        points.push({
          value: m.value,
          kind: x.status,
          unit: m.unit,
          label: `run ${points.length + 1}: ${short(m.value)}${m.unit ? ` ${m.unit}` : ""} · ${x.status} · ${when(x.time)} · ${x.agent} · ${clip(x.description, 120)}`,
        });
      }
    }
    if (!points.length) {
      plot.replaceChildren(h("p", { class: "hint empty" }, "No run matches."));
      return;
    }
    const unit = points.find((pt) => pt.unit)?.unit;
    const values = points.map((pt) => pt.value);
    plot.replaceChildren(
      lineChart(points, {
        title: `${name} across ${points.length} runs`,
        xLabel: "run, oldest to newest",
        yLabel: unit ? `${name} (${unit})` : name,
      }),
      h("figcaption", { class: "meta" },
        `${name}: ${points.length} run${points.length === 1 ? "" : "s"}, lowest ${short(Math.min(...values))}, highest ${short(Math.max(...values))}, latest ${short(values[values.length - 1])}. `,
        h("span", { class: "legend" }, h("span", { class: "dot keep" }), " kept ", h("span", { class: "dot discard" }), " discarded ", h("span", { class: "dot crash" }), " crashed")));
  };
  for (const el of [metricSelect, hypSelect, crashed]) el.addEventListener("change", draw);
  board.expChart.replaceChildren(
    h("h3", {}, "A metric across runs"),
    h("div", { class: "row filters" },
      h("label", {}, "metric ", metricSelect),
      h("label", {}, "runs ", hypSelect),
      h("label", { class: "check" }, crashed, " include crashed runs")),
    plot);
  draw();
}

function hypLabel(board, key) {
  const x = board.hypotheses?.find((y) => y.key === key);
  return x ? `: ${clip(x.statement, 50)}` : "";
}

function renderRuns(board) {
  const runs = board.experiments;
  if (!runs.length) {
    board.expTable.replaceChildren(h("p", { class: "hint empty" }, "No runs logged yet."));
    return;
  }
  const shown = runs.slice(-200).reverse();
  board.expTable.replaceChildren(
    h("h3", {}, `Runs (${runs.length}${runs.length > shown.length ? `, the newest ${shown.length} shown` : ""}), newest first`),
    h("div", { class: "table-wrap" },
      h("table", { class: "runs-table" },
        h("thead", {}, h("tr", {}, ["When", "Run", "Status", "Agent", "Hypothesis", "Metrics", "Code"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, shown.map((x) =>
          h("tr", { id: `exp-${x.key}`, "data-key": x.key },
            h("td", { class: "nowrap" }, when(x.time)),
            h("td", {}, x.description, h("div", { class: "meta" }, x.key),
              x.notes ? h("div", { class: "meta" }, clip(x.notes, 200)) : null,
              Object.keys(x.parameters).length
                ? h("div", { class: "meta" }, Object.entries(x.parameters).map(([k, v]) => `${k}=${v}`).join(", "))
                : null),
            h("td", {}, h("span", { class: `badge run-${x.status}` }, x.status)),
            h("td", {}, x.agent),
            h("td", {}, x.hypothesis
              ? h("button", { type: "button", class: "link", onclick: () => showHypothesis(board, x.hypothesis) }, x.hypothesis)
              : "—"),
            h("td", { class: "metrics" }, x.metrics.map((m) => h("div", {}, metricText(m)))),
            h("td", {}, x.code_version || "")))))));
}

function metricRow() {
  const row = h("div", { class: "row metric-row" },
    h("label", {}, "metric ", h("input", { name: "metric_name", size: 12, placeholder: "val_bpb" })),
    h("label", {}, "value ", h("input", { name: "metric_value", type: "number", step: "any", size: 10 })),
    h("label", {}, "unit ", h("input", { name: "metric_unit", size: 6 })),
    h("label", {}, "split ", h("input", { name: "metric_split", size: 6, placeholder: "val" })),
    h("button", { type: "button", class: "link", onclick: () => row.remove(), "aria-label": "remove this metric" }, "remove"));
  return row;
}

function logRunForm(board) {
  const status = formStatus();
  const metrics = h("div", { class: "metric-rows" }, metricRow());
  const hypothesis = h("select", { name: "hypothesis", id: "run-hypothesis" }, h("option", { value: "" }, "none"));
  board.runHypothesis = hypothesis;
  const form = h("form", {
    id: "log-run",
    class: "write-form",
    onsubmit: async (ev) => {
      ev.preventDefault();
      let body;
      try {
        body = runBody(new FormData(form));
      } catch (e) {
        status.replaceChildren(h("p", { class: "error", role: "alert" }, e.message));
        return;
      }
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      status.replaceChildren(h("p", { class: "hint" }, "Logging…"));
      try {
        const w = await send("POST", "/experiments", body);
        rememberAgent(body.agent);
        said(status, w.created ? `Logged as ${w.record.key}.` : `This run was logged before (${w.record.key}): the stored run is shown.`);
        form.querySelector('input[name="description"]').value = "";
        for (const v of form.querySelectorAll('input[name="metric_value"]')) v.value = "";
        await loadExperiments(board, w.record.metrics[0] ? seriesKey(w.record.metrics[0]) : undefined);
        document.getElementById(`exp-${w.record.key}`)?.classList.add("focus");
        if (w.record.hypothesis) await loadHypotheses(board);
      } catch (e) {
        showError(status, e);
      } finally {
        button.disabled = false;
      }
    },
  },
  h("div", { class: "row" },
    h("label", { class: "grow" }, "What was tried ", h("input", { name: "description", required: true, maxlength: 2000 }))),
  h("div", { class: "row" },
    h("label", {}, "outcome ", h("select", { name: "status" }, RUN_STATUSES.map((s) => h("option", { value: s }, s)))),
    h("label", {}, "tests ", hypothesis),
    agentField(board, "run-agent")),
  h("fieldset", {}, h("legend", {}, "Metrics"), metrics,
    h("button", { type: "button", onclick: () => metrics.append(metricRow()) }, "Add a metric")),
  h("div", { class: "row" },
    h("label", {}, "code version ", h("input", { name: "code_version", size: 12, placeholder: "a commit" })),
    h("label", { class: "grow" }, "notes ", h("input", { name: "notes" }))),
  h("label", { class: "block" }, "Parameters, one name=value a line", h("textarea", { name: "parameters", rows: 2 })),
  h("button", { type: "submit" }, "Log the run"),
  status);
  return h("details", { class: "log-run", open: true }, h("summary", {}, "Log a run"), form);
}

/** The `POST /experiments` body of the log-a-run form; throws on a metric half filled in. */
function runBody(data) {
  const body = {
    agent: String(data.get("agent")).trim(),
    description: String(data.get("description")).trim(),
    status: String(data.get("status")),
    metrics: [],
  };
  const hyp = String(data.get("hypothesis") || "");
  if (hyp) body.hypothesis = hyp;
  const names = data.getAll("metric_name");
  const values = data.getAll("metric_value");
  const units = data.getAll("metric_unit");
  const splits = data.getAll("metric_split");
  names.forEach((raw, i) => {
    const name = String(raw).trim();
    const value = String(values[i]).trim();
    if (!name && !value) return;
    if (!name || !value || !Number.isFinite(Number(value))) {
      throw new Error(`Metric ${i + 1}: give both a name and a number (or leave both empty).`);
    }
    const m = { name, value: Number(value) };
    if (String(units[i]).trim()) m.unit = String(units[i]).trim();
    if (String(splits[i]).trim()) m.split = String(splits[i]).trim();
    body.metrics.push(m);
  });
  const code = String(data.get("code_version")).trim();
  if (code) body.code_version = code;
  const notes = String(data.get("notes")).trim();
  if (notes) body.notes = notes;
  const params = {};
  for (const line of String(data.get("parameters")).split("\n")) {
    if (!line.trim()) continue;
    const at = line.indexOf("=");
    if (at < 1) throw new Error(`Parameter line "${line.trim()}": write it as name=value.`);
    params[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  if (Object.keys(params).length) body.parameters = params;
  return body;
}

/** Fills the log-a-run form's hypothesis choice from the hypotheses the board shows. */
function refreshHypothesisChoices(board) {
  const select = board.runHypothesis;
  if (!select) return;
  const keep = select.value;
  select.replaceChildren(h("option", { value: "" }, "none"),
    ...(board.hypotheses || []).map((x) => h("option", { value: x.key, selected: x.key === keep }, `${clip(x.statement, 70)} (${x.status}, ${x.key})`)));
}

// ---------------------------------------------------------------------------------------------
// Novelty.

function noveltySection(board) {
  const results = h("div", { id: "novelty-results" });
  const form = h("form", {
    id: "novelty-form",
    onsubmit: async (ev) => {
      ev.preventDefault();
      const idea = String(new FormData(form).get("idea")).trim();
      if (!idea) return;
      results.replaceChildren(h("p", { class: "hint" }, "Checking…"));
      try {
        const report = await send("POST", "/novelty", { idea, k: 5 });
        results.replaceChildren(...noveltyReport(report));
      } catch (e) {
        showError(results, e);
      }
    },
  },
  h("label", { class: "block" }, "An idea, in a sentence or a paragraph",
    h("textarea", { name: "idea", rows: 3, required: true })),
  h("button", { type: "submit" }, "Check novelty"));
  board.nov.replaceChildren(
    heading("Novelty check"),
    h("p", { class: "hint" }, "How close an idea is to the papers, hypotheses and runs in the store, before spending time on it."),
    form,
    results);
}

function verdict(r) {
  if (r.record_similarity >= 0.75) return "Tried before: a stored hypothesis or run is very close.";
  if (r.literature_similarity >= 0.75) return "The literature covers something very close.";
  return "Nothing stored is very close (every similarity is under 0.75, the API's \"tried before\" line).";
}

function noveltyReport(r) {
  const out = [
    h("p", { class: "verdict" },
      h("strong", {}, `Novelty ${r.novelty.toFixed(2)}`),
      ` — ${verdict(r)} (highest similarity to a paper ${r.literature_similarity.toFixed(2)}, to a hypothesis or run ${r.record_similarity.toFixed(2)}.)`),
  ];
  if (r.summary.length) out.push(h("ul", { class: "summary" }, r.summary.map((s) => h("li", {}, s))));
  out.push(h("h3", {}, `Nearest papers (${r.papers.length})`));
  out.push(r.papers.length
    ? h("ol", { class: "near-papers" }, r.papers.map((pp) =>
      h("li", { class: "near" },
        paperLink(pp.citation.paper),
        h("span", { class: "badge" }, `similarity ${pp.similarity.toFixed(2)}`),
        reference(pp.citation.paper),
        h("blockquote", {}, pp.citation.quote),
        pp.claims.length ? h("ul", { class: "claims" }, pp.claims.map((c) => h("li", {}, `Claim: ${c.quote}`))) : null,
        h("p", { class: "meta" },
          h("a", { href: `#/paper/${encodeURIComponent(pp.citation.paper.key)}?passage=${encodeURIComponent(pp.citation.passage)}` }, "in its paper")))))
    : h("p", { class: "hint" }, "None."));
  out.push(h("h3", {}, `Nearest hypotheses (${r.hypotheses.length})`));
  out.push(r.hypotheses.length
    ? h("ol", { class: "near-hypotheses" }, r.hypotheses.map((nh) =>
      h("li", { class: "near" },
        h("span", { class: "badge" }, `similarity ${nh.similarity.toFixed(2)}`),
        statusBadge(nh.hypothesis.status), nh.hypothesis.statement,
        h("span", { class: "meta" }, ` (${nh.hypothesis.key}, ${nh.hypothesis.agent})`))))
    : h("p", { class: "hint" }, "None."));
  out.push(h("h3", {}, `Nearest past runs (${r.experiments.length})`));
  out.push(r.experiments.length
    ? h("ol", { class: "near-experiments" }, r.experiments.map((ne) =>
      h("li", { class: "near" },
        h("span", { class: "badge" }, `similarity ${ne.similarity.toFixed(2)}`),
        `${ne.experiment.description}: ${ne.outcome}`)))
    : h("p", { class: "hint" }, "None."));
  return out;
}
