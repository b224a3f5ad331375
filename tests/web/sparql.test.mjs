// The SPARQL console in a real browser: YASGUI's editor and results over the server's /sparql,
// the named queries as examples, SERVICE hyp:search, the SVG chart, downloads in the served
// formats, and a server that needs a token.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { base, need, open, screenshot } from "./browser.mjs";

const PAPERS = `PREFIX schema: <http://schema.org/>
SELECT ?paper ?title WHERE { ?paper a schema:ScholarlyArticle ; schema:name ?title }
ORDER BY ?title
LIMIT 30`;

/** Puts `text` in the console's editor (CodeMirror hangs itself on its wrapper element). */
async function setQuery(page, text) {
  await page.evaluate((t) => document.querySelector("#sparql-editor .CodeMirror").CodeMirror.setValue(t), text);
}

const editorText = (page) => page.evaluate(() => document.querySelector("#sparql-editor .CodeMirror").CodeMirror.getValue());

/** Clicks Run and waits for the status line to say what came back. */
async function run(page) {
  await page.click("#sparql-run");
  await page.waitForFunction(() => /rows? in|triples? in|ASK:/.test(document.querySelector("#sparql-status")?.textContent || "")
    || document.querySelector("#sparql-problem [role=alert]"));
  return page.textContent("#sparql-status");
}

/** The query's solutions as /sparql answers them directly, fetched from the page. */
function direct(page, query) {
  return page.evaluate(async (q) => {
    const r = await fetch(`/sparql?query=${encodeURIComponent(q)}`, { headers: { Accept: "application/sparql-results+json" } });
    return (await r.json()).results.bindings;
  }, query);
}

const tableRows = (page) => page.$$eval("#sparql-results .yasr_results table tbody tr", (trs) =>
  trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent.trim())));

test("the console runs a SELECT over the samples: its rows are /sparql's, and YASGUI loads only here", async () => {
  const { page, problems, context } = await open(`${base}/#/search`);
  const chunks = new Map();
  page.on("response", async (r) => {
    if (/\/ui\/chunk-.*\.js$/.test(r.url())) chunks.set(r.url(), (await r.body()).length);
  });
  await page.waitForSelector("#search-form");
  const beforeConsole = new Set(chunks.keys());
  assert.ok([...chunks.values()].every((n) => n < 300_000), `the search page loads no large chunk: ${[...chunks.values()]}`);

  await page.click('nav a[data-page="sparql"]');
  await page.waitForSelector("#sparql-editor .CodeMirror");
  assert.equal(await page.getAttribute('nav a[data-page="sparql"]', "aria-current"), "page");
  assert.equal(await page.title(), "SPARQL · Hypatia");
  const lazy = [...chunks.entries()].filter(([u]) => !beforeConsole.has(u));
  assert.ok(lazy.some(([, n]) => n > 500_000), `YASGUI comes in its own chunk with this page: ${JSON.stringify(lazy)}`);

  // The default query declares Hypatia's prefixes and runs as it is.
  const preset = await editorText(page);
  for (const p of ["hyp: <https://w3id.org/hypatia/ns#>", "schema: <http://schema.org/>", "cito: <http://purl.org/spar/cito/>", "oa: <http://www.w3.org/ns/oa#>", "skos:", "prov:", "dcterms:"]) {
    assert.ok(preset.includes(`PREFIX ${p}`), `the default query declares ${p}`);
  }
  assert.match(await run(page), /^25 rows in/);

  await setQuery(page, PAPERS);
  const status = await run(page);
  const want = await direct(page, PAPERS);
  assert.equal(want.length, 30, "the samples hold more than 30 papers");
  assert.match(status, new RegExp(`^${want.length} rows in \\d+ ms$`));
  const rows = await tableRows(page);
  assert.equal(rows.length, want.length, "one table row per solution");
  assert.ok(rows[0].some((cell) => cell.includes(want[0].title.value)), `${rows[0]} shows ${want[0].title.value}`);

  // The raw response is the server's JSON.
  await page.click(".yasr .yasr_btn.select_response");
  await page.waitForSelector("#sparql-results .CodeMirror");
  assert.match(await page.textContent("#sparql-results .CodeMirror"), /"bindings"/);
  await page.click(".yasr .yasr_btn.select_table");
  await page.waitForSelector("#sparql-results table tbody tr");
  await screenshot(page, "sparql");
  assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing is kept in local storage");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a named query of queries/ loads as an example and runs; SERVICE hyp:search returns rows", async () => {
  const { page, problems, context } = await open(`${base}/#/sparql`);
  await page.waitForSelector('#sparql-examples option[value="named:count_papers"]', { state: "attached" });
  const listed = await page.evaluate(async () => (await fetch("/queries")).json());
  const options = await page.$$eval('#sparql-examples optgroup[label^="Named"] option', (os) => os.map((o) => o.value));
  assert.deepEqual(options, listed.map((q) => `named:${q.name}`), "every named query is offered");

  await page.selectOption("#sparql-examples", "named:count_papers");
  const count = listed.find((q) => q.name === "count_papers");
  assert.equal(await editorText(page), count.text);
  assert.equal(await page.textContent("#sparql-note"), count.description);
  assert.match(await run(page), /^1 row in/);
  const papers = await page.evaluate(async () => (await (await fetch("/healthz")).json()).stats.papers);
  const [row] = await tableRows(page);
  assert.ok(row.some((cell) => cell.startsWith(`"${papers}"`)), `${row} counts ${papers} papers`);

  // A query with parameters says which variables are left unbound.
  await page.selectOption("#sparql-examples", "named:authors");
  assert.match(await page.textContent("#sparql-note"), /parameters \?paper, \?g are left as variables/);

  await page.selectOption("#sparql-examples", "built-in:search");
  const text = await editorText(page);
  assert.match(text, /SERVICE hyp:search \{/);
  const status = await run(page);
  const want = await direct(page, text);
  assert.ok(want.length > 0, "the search finds passages in the samples");
  assert.equal(status.split(" ")[0], String(want.length));
  const rows = await tableRows(page);
  assert.equal(rows.length, want.length);
  assert.ok(rows.some((r) => r.some((c) => /methylation/i.test(c))), "the passages are about the query");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the chart draws a numeric column as SVG bars or a line", async () => {
  const { page, problems, context } = await open(`${base}/#/sparql?example=longest-papers`);
  await page.waitForFunction(() => document.querySelector("#sparql-examples")?.value === "built-in:longest-papers");
  const status = await run(page);
  const n = Number(status.split(" ")[0]);
  assert.ok(n > 1, status);
  await page.click(".yasr .yasr_btn.select_chart");
  await page.waitForSelector("#sparql-results svg.chart-svg rect.mark");
  assert.equal(await page.$$eval("svg.chart-svg rect.mark", (els) => els.length), n, "a bar per paper");
  assert.match(await page.getAttribute("svg.chart-svg", "aria-label"), /^Bar chart of \?characters against \?title$/);
  const heights = await page.$$eval("svg.chart-svg rect.mark", (els) => els.map((e) => Number(e.getAttribute("height"))));
  assert.ok(heights.every((v) => v > 0) && new Set(heights).size > 1, `bars of different heights: ${heights}`);
  assert.ok(heights.every((v, i) => i === 0 || v <= heights[i - 1]), `longest first: ${heights}`);
  // The bars are drawn in the page's accent colour (a CSS variable), not a fixed one.
  const fill = await page.$eval("svg.chart-svg rect.mark", (e) => getComputedStyle(e).fill);
  const accent = await page.evaluate(() => {
    const probe = document.createElement("span");
    probe.style.color = "var(--accent)";
    document.body.append(probe);
    const c = getComputedStyle(probe).color;
    probe.remove();
    return c;
  });
  assert.equal(fill, accent);
  await page.selectOption('.hyp-chart select[name="kind"]', "line");
  await page.waitForSelector("svg.chart-svg polyline.line");
  assert.equal(await page.$$eval("svg.chart-svg circle.mark", (els) => els.length), n, "a point per paper");
  await screenshot(page, "sparql-chart");
  assert.deepEqual(problems, []);
  await context.close();
});

test("downloads come from the server in the format chosen: CSV for a SELECT, Turtle for a CONSTRUCT", async () => {
  const { page, problems, context } = await open(`${base}/#/sparql?example=papers-per-year`);
  await page.waitForFunction(() => document.querySelector("#sparql-examples")?.value === "built-in:papers-per-year");
  const offered = await page.$$eval("#sparql-format option", (os) => os.map((o) => o.value));
  assert.deepEqual(offered, ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]);
  const want = await direct(page, await editorText(page));
  await page.selectOption("#sparql-format", "text/csv");
  const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#sparql-download")]);
  assert.equal(csv.suggestedFilename(), "hypatia-query.csv");
  const lines = readFileSync(await csv.path(), "utf8").trim().split(/\r?\n/);
  assert.equal(lines[0], "year,papers");
  assert.equal(lines.length, want.length + 1, "a line per solution after the header");
  assert.equal(lines[1], `${want[0].year.value},${want[0].papers.value}`);

  await page.selectOption("#sparql-examples", "built-in:construct");
  await page.waitForFunction(() => document.querySelector("#sparql-format option")?.value === "text/turtle");
  const graphFormats = await page.$$eval("#sparql-format option", (os) => os.map((o) => `${o.value} ${o.dataset.ext}`));
  assert.deepEqual(graphFormats, ["text/turtle ttl", "application/n-triples nt", "application/rdf+xml rdf", "application/ld+json jsonld", "application/n-quads nq", "application/trig trig"]);
  assert.match(await run(page), /^\d+ triples in/);
  await page.selectOption("#sparql-format", "application/n-triples");
  const [nt] = await Promise.all([page.waitForEvent("download"), page.click("#sparql-download")]);
  assert.equal(nt.suggestedFilename(), "hypatia-query.nt");
  const triples = readFileSync(await nt.path(), "utf8").trim().split("\n");
  assert.ok(triples.length > 0 && triples.every((t) => / \.$/.test(t)), triples.slice(0, 3).join("\n"));
  assert.ok(triples.some((t) => t.includes("<http://schema.org/name>")));
  assert.deepEqual(problems, []);
  await context.close();
});

test("errors are shown in words: a syntax error is the server's 400", async () => {
  const { page, problems, context } = await open(`${base}/#/sparql`);
  await page.waitForSelector("#sparql-editor .CodeMirror");
  await setQuery(page, "SELECT ?x WHERE { ?x ?y }");
  await run(page);
  assert.match(await page.textContent("#sparql-problem [role=alert]"), /^400 \w+: /);
  // Chromium reports every 4xx answer as a console error; this one was asked for.
  const expected = problems.filter((p) => /status of 400/.test(p));
  assert.equal(expected.length, 1, problems.join("\n"));
  problems.splice(problems.indexOf(expected[0]), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a server that needs a token: the console says 401 in words, and runs with the read token", async () => {
  const auth = need("HYPATIA_UI_AUTH_URL");
  const token = need("HYPATIA_UI_TOKEN");
  const { page, problems, context } = await open(`${auth}/#/sparql`);
  await page.waitForSelector("#sparql-editor .CodeMirror");
  await page.waitForSelector("#sparql-note .error");
  assert.match(await page.textContent("#sparql-note"), /named queries could not be listed: 401 unauthorized: /);
  await run(page);
  assert.match(await page.textContent("#sparql-problem [role=alert]"), /^401 unauthorized: .+ \(set a token under Token, top right\)$/);

  await page.click("details.token summary");
  await page.fill("#token", token);
  await page.click('#token-form button[type="submit"]');
  await page.waitForSelector('#sparql-examples option[value="named:count_papers"]', { state: "attached" });
  // Whatever the other test files stored on this server by now: the query runs, with the token.
  assert.match(await run(page), /^\d+ rows? in/, "the store answers, with the token");
  await page.selectOption("#sparql-examples", "named:count_papers");
  assert.match(await run(page), /^1 row in/);
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  // Chromium reports every 4xx answer as a console error: the 401s asked for above (/access,
  // /healthz, /queries, /sparql before the token was given).
  const refused = problems.filter((p) => /^console: Failed to load resource: the server responded with a status of 401/.test(p));
  assert.ok(refused.length >= 2, problems.join("\n"));
  for (const p of refused) problems.splice(problems.indexOf(p), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the console is usable on a phone", async () => {
  const { page, problems, context } = await open(`${base}/#/sparql`, { viewport: { width: 390, height: 844 } });
  await page.waitForSelector("#sparql-editor .CodeMirror");
  assert.match(await run(page), /rows in/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `nothing is wider than the screen (${width}px)`);
  await screenshot(page, "sparql-phone");
  assert.deepEqual(problems, []);
  await context.close();
});
