// The concept explorer in a real browser: find a concept by label, its co-occurrence graph
// (Cytoscape.js on a canvas) with the same neighbours as links, the year slider, linked gaps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { base, open, screenshot } from "./browser.mjs";

/** What the page shows of the concept open now. */
async function shown(page) {
  return page.evaluate(() => ({
    title: document.querySelector("article.concept h1")?.firstChild?.textContent,
    nodes: Number(document.querySelector("#concept-graph")?.dataset.nodes || 0),
    neighbours: [...document.querySelectorAll("#concept-neighbours a")].map((a) => ({ label: a.textContent, href: a.getAttribute("href") })),
    papers: [...document.querySelectorAll("#concept-papers li")].map((li) => li.textContent),
    papersHeading: document.querySelector("#concept-papers-h")?.textContent,
  }));
}

/** Waits until the graph of the concept now open has been drawn. */
async function drawn(page) {
  await page.waitForSelector("#concept-graph[data-nodes]");
  await page.waitForSelector("#concept-gaps .concept-gaps, #concept-gaps #concept-gaps-none, #concept-gaps [role=alert]");
}

test("find a concept by label, see its graph and neighbours, follow one", async () => {
  const { page, problems, context } = await open(`${base}/`);
  await page.click('nav a[data-page="concept"]');
  await page.waitForSelector("#concept-find");
  await page.fill("#concept-q", "methylation");
  await page.press("#concept-q", "Enter");
  await page.waitForSelector(".concept-matches li a");
  const matches = await page.$$eval(".concept-matches li", (els) => els.map((e) => e.textContent));
  assert.ok(matches.length > 0 && matches.every((m) => /methylation/i.test(m)), matches.join("\n"));
  assert.match(new URL(page.url()).hash, /^#\/concept\?q=methylation$/);
  await screenshot(page, "concept-find");
  const first = await page.textContent(".concept-matches li a >> nth=0");
  await page.click(".concept-matches li a >> nth=0");
  await drawn(page);
  const s = await shown(page);
  assert.equal(s.title.trim(), first);
  assert.ok(s.nodes > 1, `Cytoscape drew ${s.nodes} nodes`);
  assert.equal(s.nodes, s.neighbours.length + 1, "the list beside the graph has the graph's neighbours");
  assert.ok(s.papers.length > 0, "its papers are listed");
  assert.equal(await page.locator("#concept-graph canvas").count() > 0, true, "Cytoscape draws on a canvas");
  // The type legend and the type badge.
  assert.equal(await page.locator(".legend li").count(), 6);
  assert.match(await page.textContent("article.concept h1 .badge"), /^(Method|Task|Dataset|Metric|Material|Other)$/);
  // Gaps: a list, or a sentence saying there are none.
  const gaps = await page.locator("#concept-gaps li").count();
  if (gaps === 0) assert.match(await page.textContent("#concept-gaps-none"), /No gap found/);
  else assert.equal(await page.locator('#concept-gaps a[href="#/board"]').count(), gaps);

  // A paper link leads to the paper.
  const paperHref = await page.getAttribute("#concept-papers li a >> nth=0", "href");
  assert.match(paperHref, /^#\/paper\/[0-9a-f]{16}$/);

  // A neighbour, followed from the list by keyboard, opens with its own graph.
  const next = s.neighbours[0];
  await page.focus("#concept-neighbours a >> nth=0");
  await page.keyboard.press("Enter");
  await page.waitForFunction((label) => document.querySelector("article.concept h1")?.firstChild?.textContent === label, next.label);
  await drawn(page);
  assert.equal(new URL(page.url()).hash, next.href);
  const t = await shown(page);
  assert.ok(t.nodes >= 2, `${t.nodes} nodes`);
  assert.ok(t.neighbours.some((n) => n.label === s.title.trim()), "the way back is a neighbour");
  assert.equal(await page.getAttribute('nav a[data-page="concept"]', "aria-current"), "page");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the year slider cuts the graph as of a year, and the year is in the URL", async () => {
  const { page, problems, context } = await open(`${base}/#/concept`);
  // A concept of the arXiv sample (dated papers), found through the API the page uses.
  const key = await page.evaluate(async () => {
    for (const q of ["accuracy", "quantum", "model", "energy"]) {
      const found = await (await fetch(`/concepts?q=${q}&limit=20`)).json();
      for (const c of found) {
        const v = await (await fetch(`/concepts/${encodeURIComponent(c.key)}?limit=5`)).json();
        if (v.years && v.neighbours.length) return c.key;
      }
    }
    return null;
  });
  assert.ok(key, "the samples have a concept with dated papers");
  await page.goto(`${base}/#/concept/${encodeURIComponent(key)}`);
  await drawn(page);
  const all = await shown(page);
  assert.ok(all.nodes > 1 && all.papers.length > 0);
  await screenshot(page, "concept");
  const [min, max] = await page.$eval("#concept-year", (i) => [Number(i.min), Number(i.max)]);
  assert.equal(await page.inputValue("#concept-year"), String(max), "every paper at first");
  assert.match(await page.textContent("#concept-year-value"), /every paper/);

  // One step left: as of the last year, by keyboard.
  await page.focus("#concept-year");
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction((y) => location.hash.endsWith(`as_of=${y}`), max - 1);
  await page.waitForFunction((y) => document.querySelector("#concept-papers-h")?.textContent.startsWith(`Papers as of ${y}`), max - 1);
  await drawn(page);
  const last = await shown(page);
  assert.ok(last.papers.length <= all.papers.length);
  assert.ok(last.neighbours.length <= all.neighbours.length);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "concept-year", "the slider keeps the focus");

  // All the way left: before the first paper, nothing is known.
  await page.keyboard.press("Home");
  await page.waitForFunction((y) => location.hash.endsWith(`as_of=${y}`), min);
  await page.waitForFunction((y) => document.querySelector("#concept-papers-h")?.textContent === `Papers as of ${y} (0)`, min);
  await drawn(page);
  const before = await shown(page);
  assert.deepEqual([before.papers.length, before.neighbours.length], [0, 0]);
  assert.match(await page.textContent("#concept-neighbours-none"), new RegExp(`as of ${min}`));

  // The URL with as_of opens the page cut at that year.
  await page.goto(`${base}/#/concept/${encodeURIComponent(key)}?as_of=${max - 1}`);
  await page.waitForFunction(() => document.querySelector("#concept-papers-h")?.textContent.startsWith("Papers as of"));
  assert.equal(await page.inputValue("#concept-year"), String(max - 1));
  await drawn(page);
  assert.deepEqual((await shown(page)).papers, last.papers);
  assert.deepEqual(problems, []);
  await context.close();
});

test("dark scheme, a phone screen, and an unknown concept", async () => {
  const { page, problems, context } = await open(`${base}/#/concept?q=methylation`, { viewport: { width: 390, height: 844 } });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.waitForSelector(".concept-matches li a");
  await page.click(".concept-matches li a >> nth=0");
  await drawn(page);
  const dark = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--type-method").trim());
  assert.equal(dark, "#8fb4ff");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  assert.ok((await shown(page)).nodes > 1);
  await screenshot(page, "concept-phone-dark");

  assert.deepEqual(problems, []);

  await page.goto(`${base}/#/concept/no%20such%20concept%20at%20all`);
  await page.waitForSelector('[role="alert"]');
  assert.match(await page.textContent('[role="alert"]'), /404 not_found: .*no paper mentions a concept called `no such concept at all`/);
  // Chromium logs the 404 the page was asked to show; that one is expected, nothing else.
  await page.waitForTimeout(200);
  const expected = problems.filter((p) => /status of 404/.test(p));
  assert.equal(expected.length, 1, problems.join("\n"));
  problems.splice(problems.indexOf(expected[0]), 1);
  assert.deepEqual(problems, []);
  await context.close();
});
