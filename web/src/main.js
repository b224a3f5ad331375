// Hypatia's web UI: a hash-routed single page over the HTTP API of the server that serves it.
// The server embeds the bundle esbuild makes of this module and what it imports (build.rs), so
// the UI works offline and loads nothing from elsewhere. Each page is a module under pages/
// that renders into <main>; `pages` below maps the first part of the hash to it.

import "./style.css";
import { access, api, forgetAccess, TOKEN_KEY } from "./api.js";
import { boardPage } from "./pages/board.js";
import { conceptPage } from "./pages/concept.js";
import { ingestPage } from "./pages/ingest.js";
import { paperPage } from "./pages/paper.js";
import { searchPage } from "./pages/search.js";

/**
 * The pages: `#/NAME/REST?QUERY` calls `pages[NAME].render({rest, params, main, access})`, where
 * `rest` is the decoded remainder of the path, `params` the query as URLSearchParams and
 * `access` what the saved token may do (see `access()`).
 */
const pages = {
  search: { title: (c) => c.params.get("q") || "Search", render: (c) => searchPage(c.params, c.main) },
  paper: { title: () => "Paper", render: (c) => paperPage(c.rest, c.params, c.main) },
  board: { title: () => "Research board", render: (c) => boardPage(c.params, c.main, c.access) },
  // YASGUI is large: only this page loads it (its own chunk).
  sparql: { title: () => "SPARQL", render: async (c) => (await import("./pages/sparql.js")).sparqlPage(c.params, c.main) },
  concept: { title: (c) => c.rest || "Concepts", render: (c) => conceptPage(c.rest, c.params, c.main) },
  ingest: { title: () => "Ingest", render: (c) => ingestPage(c.access, c.main) },
};

async function route() {
  const main = document.getElementById("page");
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean);
  const name = pages[parts[0]] ? parts[0] : "search";
  for (const a of document.querySelectorAll("nav a[data-page]")) {
    if (a.dataset.page === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const context = { rest: decodeURIComponent(parts.slice(1).join("/")), params, main, access: await access() };
  document.title = `${pages[name].title(context)} · Hypatia`;
  await pages[name].render(context);
}

function tokenControls() {
  const input = document.getElementById("token");
  const status = document.getElementById("token-status");
  const changed = async () => {
    forgetAccess();
    const a = await access();
    status.textContent = a.scope ? `${a.credential}: ${a.scope}` : a.problem || "";
    document.body.dataset.scope = a.scope || "none";
    route();
  };
  input.value = sessionStorage.getItem(TOKEN_KEY) || "";
  document.getElementById("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (input.value.trim()) sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    changed();
  });
  document.getElementById("token-clear").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    input.value = "";
    changed();
  });
  return changed;
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
health();
tokenControls()();
