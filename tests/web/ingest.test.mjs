// The ingest page in a real browser, against the server with tokens (an empty store at the
// start): uploads with live progress streamed by the server, failures with their location, the
// report's new papers found by search, the store's status, and no form without a write token.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { need, open, screenshot } from "./browser.mjs";

const auth = need("HYPATIA_UI_AUTH_URL");
const fixture = (p) => fileURLToPath(new URL(`../fixtures/papers/${p}`, import.meta.url));

/** The ingest page with `token` saved in the tab before the page first asks what it may do. */
const openWithToken = (token, options = {}) => open(`${auth}/#/ingest`, { ...options, token });

/** Records, in the page, the papers count each upload shows while it is still ingesting. */
async function watchProgress(page) {
  await page.evaluate(() => {
    window.seen = [];
    new MutationObserver(() => {
      for (const up of document.querySelectorAll("article.upload:not(.done):not(.failed)")) {
        const n = up.querySelector('[data-count="papers"] strong')?.textContent;
        const file = up.dataset.name;
        const last = window.seen.filter((s) => s.file === file).at(-1);
        if (n !== undefined && (!last || last.papers !== Number(n))) window.seen.push({ file, papers: Number(n) });
      }
    }).observe(document.getElementById("uploads"), { subtree: true, childList: true, characterData: true });
  });
}

/** The upload named `name`. */
const upload = (page, name) => page.locator(`article.upload[data-name="${name}"]`);

/** The report's counts of the upload named `name`, as {label: text}. */
async function report(page, name) {
  return upload(page, name).locator("dl.report-counts").evaluate((dl) => {
    const out = {};
    for (const dt of dl.querySelectorAll("dt")) out[dt.textContent] = dt.nextElementSibling.textContent;
    return out;
  });
}

test("an upload shows its progress live to the end, and its papers are then found", async () => {
  const { page, problems, context } = await openWithToken(need("HYPATIA_UI_WRITE_TOKEN"));
  await page.waitForSelector("#ingest-files");
  assert.match(await page.textContent("#token-status"), /web-ui-writer: write/);
  // The format select offers the API's format names.
  const formats = await page.$$eval("#ingest-format option", (os) => os.map((o) => o.value));
  assert.ok(["", "bibtex", "beir", "jats", "medline", "pdf"].every((f) => formats.includes(f)), formats.join(","));
  await page.waitForSelector("#consistency");
  const papersBefore = Number(await page.textContent(".store-counts dd >> nth=0"));

  await watchProgress(page);
  // Two files, ingested one after the other: 100 BibTeX entries (batches of 16, so several
  // progress steps), then 13 MEDLINE records.
  await page.setInputFiles("#ingest-files", [fixture("bibtex/biblatex-examples.bib"), fixture("medline/medsample1.sample.xml")]);
  assert.match(await page.textContent("#ingest-chosen"), /2 files: biblatex-examples\.bib .*medsample1\.sample\.xml/);
  await page.click('form.ingest button[type="submit"]');
  await page.waitForSelector("article.upload.done >> nth=1", { timeout: 120_000 });
  assert.equal(await page.$$eval("article.upload.failed", (a) => a.length), 0);

  const seen = await page.evaluate(() => window.seen);
  let distinct = 0;
  for (const name of ["biblatex-examples.bib", "medsample1.sample.xml"]) {
    const r = await report(page, name);
    const steps = seen.filter((s) => s.file === name).map((s) => s.papers);
    const papers = Number(r["papers written"]);
    assert.ok(papers > 0, `${name}: ${JSON.stringify(r)}`);
    // Progress was shown as it went, counting up, and ended at the report's count.
    assert.deepEqual(steps, [...steps].sort((a, b) => a - b), `${name} counted up: ${steps}`);
    assert.equal(steps.at(-1), papers, `${name}: the last progress shown is the report's count (${steps})`);
    const up = upload(page, name);
    assert.equal(Number(await up.locator('[data-count="papers"] strong').textContent()), papers);
    assert.equal(await up.locator("progress").evaluate((p) => p.value), 1);
    assert.match(await up.locator(".state").textContent(), new RegExp(`^Done: ${papers} papers written`));
    // A link to each new paper (a paper two records of the file merged into is written twice).
    const links = await up.locator("ul.new-papers a").count();
    assert.ok(links > 0 && links <= papers, `${links} links for ${papers} papers written`);
    distinct += links;
    if (name === "biblatex-examples.bib") {
      assert.ok(steps.filter((n) => n > 0).length >= 3, `several progress steps: ${steps}`);
    }
  }
  // The store's status follows, and its indexes agree.
  await page.waitForFunction((n) => Number(document.querySelector(".store-counts dd")?.textContent) === n, papersBefore + distinct);
  assert.match(await page.textContent("#consistency"), /^Consistent by count/);
  await screenshot(page, "ingest");

  // A new paper's link leads to its page; its title finds it by search.
  const link = upload(page, "biblatex-examples.bib").locator("ul.new-papers a").first();
  await page.waitForFunction(() =>
    !document.querySelector('article.upload[data-name="biblatex-examples.bib"] ul.new-papers a').textContent.startsWith("paper "));
  const title = await link.textContent();
  await link.click();
  await page.waitForSelector("article.paper h1");
  assert.equal(await page.textContent("article.paper h1"), title);
  await page.goto(`${auth}/#/search?q=${encodeURIComponent(title)}&mode=bm25`);
  await page.waitForSelector("li.hit");
  const titles = await page.$$eval("li.hit a.title", (as) => as.map((a) => a.textContent));
  assert.ok(titles.includes(title), `"${title}" among ${titles.join(" | ")}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a record that fails is shown with its location; the page fits a phone", async () => {
  const { page, problems, context } = await openWithToken(need("HYPATIA_UI_WRITE_TOKEN"), { viewport: { width: 390, height: 844 } });
  await page.waitForSelector("#ingest-files");
  const stamp = Date.now();
  const lines = [
    { _id: `ui-ok-${stamp}`, title: `Ingest page check ${stamp}`, text: "A record the page ingests." },
    { _id: `ui-bad-${stamp}`, title: 42, text: "A title that is not text." },
    { _id: `ui-ok2-${stamp}`, title: `Second ingest page check ${stamp}`, text: "Another record." },
  ];
  await page.setInputFiles("#ingest-files", {
    name: "ui-check.jsonl",
    mimeType: "application/json",
    buffer: Buffer.from(lines.map((l) => JSON.stringify(l)).join("\n") + "\n"),
  });
  await page.selectOption("#ingest-format", "beir");
  await page.click('form.ingest button[type="submit"]');
  await page.waitForSelector("article.upload.done");
  const failures = await page.$$eval("article.upload .failure", (ls) => ls.map((l) => l.textContent));
  assert.equal(failures.length, 1, failures.join("\n"));
  assert.match(failures[0], /^ui-check\.jsonl, line 2, .*field title: /);
  assert.equal(await page.textContent("article.upload .failures-box summary"), "Failures (1)");
  assert.equal(Number(await page.textContent('article.upload [data-count="papers"] strong')), 2);
  assert.equal(Number(await page.textContent('article.upload [data-count="failed"] strong')), 1);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await screenshot(page, "ingest-phone");

  // An upload refused as a whole says why in words.
  await page.setInputFiles("#ingest-files", { name: "empty.jsonl", mimeType: "application/json", buffer: Buffer.alloc(0) });
  await page.click('form.ingest button[type="submit"]');
  await page.waitForSelector("article.upload.failed [role=alert]");
  assert.match(await page.textContent("article.upload.failed [role=alert]"), /400 invalid_parameter: .*empty/);
  // The browser logs the refused request; that one line is expected, nothing else.
  const refused = problems.findIndex((p) => /^console: .*status of 400/.test(p));
  if (refused >= 0) problems.splice(refused, 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test("without a write token the upload form is not offered", async () => {
  const { page, problems, context } = await openWithToken(need("HYPATIA_UI_TOKEN"));
  await page.waitForSelector("#needs-write");
  assert.match(await page.textContent("#needs-write"), /needs a write token.*web-ui-reader.*may only read/);
  assert.equal(await page.$$eval("#ingest-files", (a) => a.length), 0);
  await page.waitForSelector("#consistency");
  assert.equal(await page.getAttribute('nav a[data-page="ingest"]', "aria-current"), "page");
  assert.deepEqual(problems, []);
  await context.close();
});
