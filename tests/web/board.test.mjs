// The research board in a real browser: gaps by kind with their evidence, a hypothesis proposed
// from a gap, runs logged with a metric and charted, the novelty check, and the write forms
// shown only to a token that may write.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { base, need, open, screenshot } from "./browser.mjs";

// The servers are shared by every test file: names carry this run's stamp.
const stamp = `${Date.now()}-${process.pid}`;

/** Waits until the gap tab `kind` shows its gaps, says it has none, or shows an error. */
async function gapTab(page, kind) {
  await page.click(`#gap-tab-${kind}`);
  await page.waitForFunction((k) => {
    const panel = document.getElementById("gap-panel");
    return panel.getAttribute("aria-labelledby") === `gap-tab-${k}` &&
      panel.querySelector("ol.gaps, p.empty, [role=alert]");
  }, kind);
  assert.equal(await page.$("#gap-panel [role=alert]"), null, `the ${kind} tab loads: ${await page.textContent("#gap-panel")}`);
  return page.$$("#gap-panel li.gap");
}

/** The first gap kind that has gaps on this server. */
async function kindWithGaps(page) {
  for (const kind of await page.$$eval("#board-gaps [role=tab]", (els) => els.map((e) => e.dataset.kind))) {
    if ((await gapTab(page, kind)).length) return kind;
  }
  return null;
}

async function logRun(page, { description, metric, value, status = "keep", hypothesis, agent }) {
  await page.fill('#log-run input[name="description"]', description);
  if (agent) await page.fill("#run-agent", agent);
  await page.selectOption('#log-run select[name="status"]', status);
  if (hypothesis) await page.selectOption("#run-hypothesis", hypothesis);
  await page.fill('#log-run input[name="metric_name"]', metric);
  await page.fill('#log-run input[name="metric_value"]', String(value));
  await page.click('#log-run button[type="submit"]');
  await page.waitForFunction((d) =>
    [...document.querySelectorAll("#experiment-list tr")].some((tr) => tr.textContent.includes(d)), description);
  assert.match(await page.textContent("#log-run .form-status"), /Logged as exp_/);
}

test("the board loads each section on the samples: gaps with evidence, hypotheses, runs, novelty", async () => {
  const { page, problems, context } = await open(`${base}/#/board`);
  await page.waitForSelector("#board-gaps h2");
  assert.equal(await page.getAttribute('nav a[data-page="board"]', "aria-current"), "page");
  assert.equal(await page.textContent('nav a[data-page="board"]'), "Research");
  const kinds = await page.$$eval("#board-gaps [role=tab]", (els) => els.map((e) => e.dataset.kind));
  assert.deepEqual(kinds, ["missing_link", "untested_combination", "open_question", "contested_claim"]);
  let withGaps = 0;
  for (const kind of kinds) {
    const gaps = await gapTab(page, kind);
    if (!gaps.length) continue;
    withGaps += 1;
    const first = await page.$eval("#gap-panel li.gap", (el) => ({
      badge: el.querySelector(".gap-head .badge").textContent,
      score: el.querySelector(".score").textContent,
      explanation: el.querySelector(".explanation").textContent,
      quotes: [...el.querySelectorAll(".evidence blockquote")].map((q) => q.textContent),
      links: [...el.querySelectorAll(".evidence a.paper-link")].map((a) => ({ href: a.getAttribute("href"), text: a.textContent })),
    }));
    assert.equal(first.badge, kind.replace(/_/g, " "));
    assert.match(first.score, /^score -?\d/);
    assert.ok(first.explanation.length > 20, first.explanation);
    assert.ok(first.quotes.length > 0 && first.quotes.every((q) => q.length > 0), JSON.stringify(first));
    assert.equal(first.links.length, first.quotes.length);
    for (const l of first.links) assert.match(l.href, /^#\/paper\/[0-9a-f]{16}$/, "evidence links to its paper by key");
    assert.ok(first.links.every((l) => !l.text.startsWith("http")), "papers are named by title");
  }
  assert.ok(withGaps > 0, "the samples have gaps of some kind");

  // Evidence links name the paper by the key /papers/{id} takes (the first 16 hex digits of the
  // SHA-256 of its IRI), and by the title the store has for it.
  const kind = await kindWithGaps(page);
  const gaps = await (await page.request.get(`${base}/gaps?kind=${kind}&limit=10`)).json();
  const e = gaps[0].evidence[0];
  const key = createHash("sha256").update(e.paper).digest("hex").slice(0, 16);
  assert.equal(await page.getAttribute("#gap-panel li.gap .evidence a.paper-link", "href"), `#/paper/${key}`);
  assert.equal(await page.textContent("#gap-panel li.gap .evidence blockquote"), e.quote);
  const hits = await (await page.request.get(`${base}/search?mode=bm25&k=50&q=${encodeURIComponent(e.quote.slice(0, 200))}`)).json();
  const hit = hits.hits.find((x) => x.citation.passage === e.passage.split("/").pop() || x.citation.paper.iri === e.paper);
  assert.ok(hit, "search finds the evidence passage");
  assert.equal(hit.citation.paper.key, key);
  assert.equal(await page.textContent("#gap-panel li.gap .evidence a.paper-link"), hit.citation.paper.title);
  // ...and lead to it: the paper page holds the quote.
  await page.click("#gap-panel li.gap .evidence a.paper-link");
  await page.waitForSelector("article.paper h1");
  assert.equal(await page.textContent("article.paper h1"), hit.citation.paper.title);
  const text = (await page.$$eval(".passages li p:not(.meta)", (els) => els.map((x) => x.textContent))).join("\n");
  assert.ok(text.includes(e.quote), `the paper holds the quote ${e.quote}`);
  await page.goBack();
  await page.waitForSelector("#board-gaps h2");

  await page.waitForSelector("#hypothesis-list ol.hypotheses, #hypothesis-list p.empty");
  await page.waitForSelector("#experiment-list table, #experiment-list p.empty");
  assert.equal(await page.$("#board-experiments [role=alert], #board-hypotheses [role=alert]"), null);
  assert.ok(await page.$("#novelty-form textarea"));
  assert.deepEqual(problems, []);
  await context.close();
});

test("a hypothesis proposed from a gap shows on the board as proposed, with its history", async () => {
  const { page, problems, context } = await open(`${base}/#/board`);
  await page.waitForSelector("#board-gaps h2");
  const kind = await kindWithGaps(page);
  assert.ok(kind, "a gap to propose from");
  const gap = await page.$("#gap-panel li.gap");
  const explanation = await gap.$eval(".explanation", (e) => e.textContent);
  const evidence = await gap.$$eval(".evidence", (els) => els.length);
  await (await gap.$("button.propose-open")).click();
  const form = await gap.waitForSelector("form.propose-form");
  const prefilled = await form.$eval("textarea", (t) => t.value);
  assert.ok(prefilled.length > 20, `the statement is prefilled from the gap: ${prefilled}`);
  const statement = `${prefilled} (board test ${stamp})`;
  const agent = `board-test-${stamp}`;
  await form.$eval("textarea", (t, v) => { t.value = v; }, statement);
  await (await form.$('input[name="agent"]')).fill(agent);
  await (await form.$('button[type="submit"]')).click();
  await page.waitForSelector("form.propose-form .form-status .ok");
  assert.match(await page.textContent("form.propose-form .form-status"), /^Proposed as hyp_[0-9a-f]{16}/);

  // The board shows it, opened, with status proposed and the proposal in its history.
  const card = await page.waitForSelector("li.hypothesis.focus .status-history li.change");
  const shown = await page.$eval("li.hypothesis.focus", (el) => ({
    key: el.dataset.key,
    statement: el.querySelector(".statement").textContent,
    status: el.querySelector(".meta .badge").textContent,
    meta: el.querySelector(".meta").textContent,
    history: [...el.querySelectorAll(".status-history li.change")].map((c) => c.textContent),
    gap: el.querySelector(".history-body").textContent,
    evidence: el.querySelectorAll(".history-body .evidence").length,
  }));
  assert.ok(card);
  assert.equal(shown.statement, statement);
  assert.equal(shown.status, "proposed");
  assert.match(shown.meta, new RegExp(`proposed by ${agent}`));
  assert.match(shown.meta, /Elo 1200 \(0 comparisons/);
  assert.equal(shown.history.length, 1);
  assert.match(shown.history[0], new RegExp(`^proposed\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC · ${agent}$`));
  assert.ok(shown.gap.includes(explanation), "the gap behind it is shown");
  assert.ok(evidence > 0 && shown.evidence >= evidence, `its evidence is the gap's (${shown.evidence} of ${evidence})`);

  // It is stored: the API has it with its gap, and the agent filter finds it.
  const stored = await (await page.request.get(`${base}/hypotheses/${shown.key}`)).json();
  assert.equal(stored.statement, statement);
  assert.equal(stored.gap[0], kind);
  await page.fill('#hypothesis-filters input[name="agent"]', agent);
  await page.selectOption('#hypothesis-filters select[name="status"]', "proposed");
  await page.waitForFunction(() => document.querySelectorAll("#hypothesis-list li.hypothesis").length === 1 &&
    !document.querySelector("#hypothesis-list > p.hint"));
  assert.equal(await page.textContent("#hypothesis-list li.hypothesis .statement"), statement);
  await page.selectOption('#hypothesis-filters select[name="status"]', "testing");
  await page.waitForSelector("#hypothesis-list p.empty");
  assert.deepEqual(problems, []);
  await context.close();
});

test("runs logged with a metric show in experiments, behind the hypothesis' change, and on a chart", async () => {
  const { page, problems, context } = await open(`${base}/#/board`);
  const agent = `board-runner-${stamp}`;
  const statement = `Halving the learning rate lowers bits per byte (board test ${stamp}).`;
  const proposed = await page.request.post(`${base}/hypotheses`, { data: { statement, agent } });
  assert.equal(proposed.status(), 201);
  const key = (await proposed.json()).record.key;
  await page.reload();
  await page.waitForSelector(`#run-hypothesis option[value="${key}"]`, { state: "attached" });

  const metric = `bpb_${stamp}`;
  await logRun(page, { description: `lr 3e-4 (board test ${stamp})`, metric, value: 1.25, hypothesis: key, agent });
  await logRun(page, { description: `lr 1.5e-4 (board test ${stamp})`, metric, value: 1.125, status: "discard", hypothesis: key, agent });

  // The runs, newest first, with their metric and hypothesis.
  const rows = await page.$$eval("#experiment-list tbody tr", (trs, s) =>
    trs.filter((tr) => tr.textContent.includes(s)).map((tr) => [...tr.cells].map((c) => c.textContent)), `board test ${stamp}`);
  assert.equal(rows.length, 2);
  assert.ok(rows[0][1].startsWith(`lr 1.5e-4`) && rows[0][2] === "discard" && rows[0][3] === agent && rows[0][4] === key, rows[0].join(" | "));
  assert.equal(rows[0][5], `${metric} 1.125`);
  assert.equal(rows[1][5], `${metric} 1.25`);

  // The chart shows the logged metric: a line through one point per run.
  assert.equal(await page.inputValue("#chart-metric"), metric);
  await page.selectOption("#chart-hypothesis", key);
  assert.equal(await page.$$eval("#metric-chart svg.chart circle.point", (c) => c.length), 2);
  const d = await page.getAttribute("#metric-chart svg.chart path.line", "d");
  assert.match(d, /^M[\d.]+ [\d.]+ L[\d.]+ [\d.]+$/, d);
  const ys = await page.$$eval("#metric-chart svg.chart circle.point", (cs) => cs.map((c) => Number(c.getAttribute("cy"))));
  assert.ok(ys[1] > ys[0], "the lower value is drawn lower");
  assert.deepEqual(await page.$$eval("#metric-chart svg.chart circle.point", (cs) => [...cs].map((c) => c.classList.contains("discard"))), [false, true]);
  assert.equal(await page.textContent("#metric-chart svg.chart text.label >> nth=1"), metric);

  // The hypothesis moved to testing when the first run was logged; the change names that run.
  await page.click(`#experiment-list tr:has-text("lr 3e-4 (board test ${stamp})") button.link`);
  await page.waitForSelector(`#hyp-${key}.focus .status-history li.change >> nth=1`);
  const history = await page.$$eval(`#hyp-${key} .status-history li.change`, (els) => els.map((e) => e.textContent));
  assert.equal(history.length, 2);
  assert.match(history[0], new RegExp(`^proposed\\d{4}-.* · ${agent}$`));
  assert.match(history[1], /^proposed→ testing/);
  assert.match(history[1], /Why: an experiment testing it was logged/);
  assert.ok(history[1].includes(`lr 3e-4 (board test ${stamp})`), history[1]);
  assert.equal(await page.textContent(`#hyp-${key} .meta .badge`), "testing");
  assert.equal(await page.$$eval(`#hyp-${key} ul.runs li`, (l) => l.length), 2);

  // Supported, resting on the kept run.
  const form = `#hyp-${key} form.status-form`;
  await page.selectOption(`${form} select[name="status"]`, "supported");
  await page.check(`${form} input[name="outcome"] >> nth=0`);
  await page.fill(`${form} input[name="note"]`, "the kept run lowered bpb");
  await page.click(`${form} button[type="submit"]`);
  await page.waitForFunction((k) => document.querySelectorAll(`#hyp-${k} .status-history li.change`).length === 3, key);
  const last = await page.textContent(`#hyp-${key} .status-history li.change >> nth=2`);
  assert.match(last, /^testing→ supported/);
  assert.match(last, /Why: the kept run lowered bpb/);
  await screenshot(page, "board");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the novelty check shows a verdict and the nearest papers", async () => {
  const { page, problems, context } = await open(`${base}/#/board`);
  await page.fill("#novelty-form textarea", "DNA methylation in blood cells changes with age");
  await page.click('#novelty-form button[type="submit"]');
  await page.waitForSelector("#novelty-results .verdict");
  assert.match(await page.textContent("#novelty-results .verdict"), /^Novelty [01]\.\d\d — /);
  const papers = await page.$$eval("#novelty-results ol.near-papers > li", (els) =>
    els.map((e) => ({ title: e.querySelector("a.title")?.textContent, quote: e.querySelector("blockquote")?.textContent })));
  assert.ok(papers.length > 0 && papers.every((p) => p.title && p.quote), JSON.stringify(papers));
  assert.deepEqual(problems, []);
  await context.close();
});

test("the board reads well on a phone", async () => {
  const { page, problems, context } = await open(`${base}/#/board`, { viewport: { width: 390, height: 844 } });
  await page.waitForSelector("#gap-panel ol.gaps, #gap-panel p.empty");
  await page.waitForSelector("#experiment-list table, #experiment-list p.empty");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `nothing wider than the screen (${overflow} px too wide)`);
  await screenshot(page, "board-phone");
  assert.deepEqual(problems, []);
  await context.close();
});

test("with a read token the board shows no write form", async () => {
  const auth = need("HYPATIA_UI_AUTH_URL");
  const { page, problems, context } = await open(`${auth}/#/board`, { token: need("HYPATIA_UI_TOKEN") });
  await page.waitForSelector("#gap-panel ol.gaps, #gap-panel p.empty");
  await page.waitForSelector("#hypothesis-list ol.hypotheses, #hypothesis-list p.empty");
  await page.waitForSelector("#experiment-list table, #experiment-list p.empty");
  assert.match(await page.textContent("#page > p.hint"), /^Read only/);
  assert.equal(await page.$("#log-run"), null);
  assert.equal(await page.$(".write-form, .propose-open"), null);
  assert.deepEqual(problems, []);
  await context.close();
});

test("with a write token the forms are shown, bound to the token's agent", async () => {
  const auth = need("HYPATIA_UI_AUTH_URL");
  const { page, problems, context } = await open(`${auth}/#/board`, { token: need("HYPATIA_UI_WRITE_TOKEN") });
  await page.waitForSelector("#log-run");
  await page.waitForSelector("#experiment-list table, #experiment-list p.empty");
  assert.match(await page.textContent("#page > p.hint"), /web-ui-writer\) may write/);
  assert.equal(await page.inputValue("#run-agent"), "web-ui-writer", "the agent the token is bound to");
  assert.match(await page.textContent("#log-run"), /this token may act as web-ui-writer/);

  // Another agent is refused, and the page says why in words. (Nothing is stored: the other
  // test files expect this server's store to stay empty.)
  await page.fill("#run-agent", "someone-else");
  await page.fill('#log-run input[name="description"]', `not mine (board test ${stamp})`);
  await page.fill('#log-run input[name="metric_name"]', `loss_${stamp}`);
  await page.fill('#log-run input[name="metric_value"]', "0.25");
  await page.click('#log-run button[type="submit"]');
  await page.waitForSelector('#log-run [role="alert"]');
  assert.match(await page.textContent('#log-run [role="alert"]'), /^403 forbidden: .*credential `web-ui-writer` may act as web-ui-writer, not as `someone-else`/);
  // The browser logs the refused request; that one is expected, nothing else is.
  const refused = problems.filter((p) => /status of 403/.test(p));
  assert.equal(refused.length, 1, problems.join("\n"));
  problems.splice(problems.indexOf(refused[0]), 1);
  assert.deepEqual(problems, []);
  await context.close();
});
