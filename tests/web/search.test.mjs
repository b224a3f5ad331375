// The search page in a real browser: hits as citations, paging, findings, errors, tokens.
import { test } from "node:test";
import assert from "node:assert/strict";
import { base, need, open, screenshot } from "./browser.mjs";

async function search(page, q, options = {}) {
  await page.fill('input[name="q"]', q);
  if (options.mode) await page.selectOption('select[name="mode"]', options.mode);
  if (options.view) await page.selectOption('select[name="view"]', options.view);
  if (options.section !== undefined) await page.fill('input[name="section"]', options.section);
  if (options.year_from !== undefined) await page.fill('input[name="year_from"]', String(options.year_from));
  await page.click('#search-form button[type="submit"]');
}

test("search shows hits as citations, and a hit leads to its passage in its paper", async () => {
  const { page, problems, context } = await open(`${base}/`);
  await page.waitForSelector("footer #health:not(:empty)");
  assert.match(await page.textContent("#health"), /\d+ papers, \d+ passages/);
  await search(page, "DNA methylation in blood cells");
  await page.waitForSelector("li.hit");
  const hits = await page.$$eval("li.hit", (els) =>
    els.map((el) => ({
      title: el.querySelector("a.title")?.textContent,
      quote: el.querySelector("blockquote")?.textContent,
      marks: el.querySelectorAll("blockquote mark").length,
      meta: el.querySelector("p.meta")?.textContent,
    })));
  assert.equal(hits.length, 10, "a page of ten hits");
  for (const h of hits) {
    assert.ok(h.title && h.quote, JSON.stringify(h));
    assert.match(h.meta, /characters \d+–\d+/);
  }
  assert.ok(hits.some((h) => h.marks > 0), "query words are marked in the quotes");
  assert.equal(new URL(page.url()).hash.startsWith("#/search?"), true, "the search is in the URL");
  await screenshot(page, "search");

  // The first hit's passage, in its paper, holds the quote verbatim.
  const quote = hits[0].quote;
  await page.click("li.hit >> nth=0 >> text=in its paper");
  await page.waitForSelector("article.paper h1");
  assert.equal(await page.textContent("article.paper h1"), hits[0].title);
  const focused = await page.textContent(".passages li.focus");
  assert.ok(focused.includes(quote), `the focused passage holds the quote\n${quote}\n${focused}`);

  // Back to the same search.
  await page.goBack();
  await page.waitForSelector("li.hit");
  assert.equal(await page.inputValue('input[name="q"]'), "DNA methylation in blood cells");
  assert.deepEqual(problems, []);
  await context.close();
});

test("mode, section filter and paging", async () => {
  const { page, problems, context } = await open(`${base}/`);
  await search(page, "cells", { mode: "bm25", section: "abstract" });
  await page.waitForSelector("li.hit");
  const metas = await page.$$eval("li.hit p.meta", (els) => els.map((e) => e.textContent));
  assert.ok(metas.length > 0 && metas.every((m) => m.startsWith("abstract ·")), metas.join("\n"));
  assert.match(await page.textContent("#results > p.hint"), /^bm25: hits 1–/);
  await page.click('a[rel="next"]');
  await page.waitForSelector('ol.hits[start="11"] li.hit');
  assert.match(await page.textContent("#results > p.hint"), /^bm25: hits 11–/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("findings: quotes in their context, stance, and Markdown to copy", async () => {
  const { page, problems, context } = await open(`${base}/`);
  await search(page, "Does DNA methylation change with age?", { view: "findings" });
  await page.waitForSelector("article.paper-findings");
  const quotes = await page.$$eval(".finding .context .quote", (els) => els.map((e) => e.textContent));
  assert.ok(quotes.length > 0 && quotes.every((q) => q.length > 20), quotes.join("\n"));
  const badges = await page.$$eval(".finding .badge", (els) => els.map((e) => e.textContent));
  assert.ok(badges.every((b) => ["supports", "contradicts", "related", "affirmative", "negative", "hedged"].includes(b)), badges.join(","));
  const md = await page.inputValue("textarea#markdown");
  assert.match(md, /^## Evidence: /);
  assert.ok(quotes.some((q) => md.includes(q)), "the Markdown quotes what the page shows");
  await screenshot(page, "findings");
  assert.deepEqual(problems, []);
  await context.close();
});

test("errors are shown, not swallowed", async () => {
  const { page, context } = await open(`${base}/#/paper/no-such-paper`);
  await page.waitForSelector('[role="alert"]');
  assert.match(await page.textContent('[role="alert"]'), /404 not_found/);
  await page.goto(`${base}/#/search?q=cells&year_from=2999`);
  await page.waitForSelector("#results > p.hint");
  await page.waitForFunction(() => document.querySelector("#results > p.hint")?.textContent === "No hits.");
  await context.close();
});

test("a server that needs a token: the page asks for one, and uses it", async () => {
  const auth = need("HYPATIA_UI_AUTH_URL");
  const token = need("HYPATIA_UI_TOKEN");
  const { page, context } = await open(`${auth}/#/search?q=cells`);
  await page.waitForSelector('[role="alert"]');
  assert.match(await page.textContent('[role="alert"]'), /401 .*set a token/);
  await page.click("details.token summary");
  await page.fill("#token", token);
  await page.click('#token-form button[type="submit"]');
  // The answer, whatever the other test files have stored on this server by now: a search ran.
  await page.waitForFunction(() => /^(No hits\.|hybrid: hits 1–)/.test(document.querySelector("#results > p.hint")?.textContent || ""));
  assert.equal(await page.evaluate(() => sessionStorage.getItem("hypatia.token")), token);
  assert.equal(await page.evaluate(() => localStorage.getItem("hypatia.token")), null, "the token stays in the tab");
  assert.match(await page.textContent("#token-status"), /web-ui-reader: read/);
  await context.close();
});
