// The paper page in a real browser: notices, extracted spans highlighted at their offsets,
// citations in and out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { base, open, screenshot } from "./browser.mjs";

const RETRACTED = "https://pubmed.ncbi.nlm.nih.gov/11543891";
const CITING = "https://doi.org/10.18653/v1/n18-3011";

/** Each mark on the page with its offsets, and the text its passage holds at those offsets. */
async function marks(page) {
  return page.$$eval("mark.x", (els) =>
    els.map((m) => {
      const li = m.closest("li[data-start]");
      const text = Array.from(li.querySelector("p.text").textContent);
      const from = Number(m.dataset.start) - Number(li.dataset.start);
      const to = Number(m.dataset.end) - Number(li.dataset.start);
      return { mark: m.textContent, atOffsets: text.slice(from, to).join(""), kind: m.className };
    }));
}

test("a paper page highlights what the extractor found at its offsets, and shows its notice", async () => {
  const { page, problems, context } = await open(`${base}/#/paper/${encodeURIComponent(RETRACTED)}`);
  await page.waitForSelector("article.paper h1");
  assert.match(await page.textContent(".notice-retraction"), /Retracted/);
  const mentions = await marks(page);
  assert.ok(mentions.length > 0, "concept mentions are highlighted");
  for (const m of mentions) {
    assert.equal(m.atOffsets, m.mark, "a highlight is the passage's text at its offsets");
    assert.match(m.kind, /x-mention/);
  }
  // The list beside the text names the concepts with their types.
  assert.ok((await page.$$(".extracted .concepts li")).length > 0);
  await screenshot(page, "paper");

  // Claims: another layer, the same check.
  await page.click(".layers a.x-claim");
  await page.waitForSelector("mark.x-claim");
  const claims = await marks(page);
  assert.ok(claims.length > 0 && claims.every((m) => m.atOffsets === m.mark && /x-claim/.test(m.kind)));
  // A claim in the list leads to its span, focused.
  await page.click(".extracted .items li a >> nth=0");
  await page.waitForSelector("mark.x-claim.focused");
  assert.match(new URL(page.url()).hash, /span=\d+-\d+/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("citations: the bibliography links stored papers, and they list who cites them", async () => {
  const { page, problems, context } = await open(`${base}/#/paper/${encodeURIComponent(CITING)}`);
  await page.waitForSelector(".citations");
  assert.match(await page.textContent(".citations h2 >> nth=0"), /^Cites \(\d+, 2 in the store\)$/);
  const resolved = await page.$$eval(".references li.resolved a.title", (els) => els.map((a) => a.textContent));
  assert.equal(resolved.length, 2, resolved.join("\n"));
  const title = await page.textContent("article.paper h1");
  await page.click(".references li.resolved a.title >> nth=0");
  await page.waitForFunction((t) => document.querySelector("article.paper h1")?.textContent === t, resolved[0]);
  assert.match(await page.textContent(".citations h2 >> nth=1"), /^Cited by \(1 in the store\)$/);
  assert.equal(await page.textContent(".cited-by li a.title"), title);
  await page.click(".cited-by li a.title");
  await page.waitForFunction((t) => document.querySelector("article.paper h1")?.textContent === t, title);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the paper page reads on a phone", async () => {
  const { page, problems, context } = await open(`${base}/#/paper/${encodeURIComponent(CITING)}`, {
    viewport: { width: 390, height: 844 },
  });
  await page.waitForSelector(".citations");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await screenshot(page, "paper-phone");
  assert.deepEqual(problems, []);
  await context.close();
});
