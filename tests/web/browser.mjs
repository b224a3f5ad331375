// What every browser test of the web UI shares: Debian's Chromium driven by playwright-core
// (no browser download), pages that record every problem, and screenshots. The servers come
// from scripts/web_ui.sh:
//   HYPATIA_UI_URL       a server over the bundled samples, without tokens (it lets its
//                        network write: --writes);
//   HYPATIA_UI_AUTH_URL  a server with --tokens and --no-anonymous-read over an empty store;
//   HYPATIA_UI_TOKEN     a read token of that server, HYPATIA_UI_WRITE_TOKEN a write token;
//   HYPATIA_UI_SHOTS     where screenshots go (default: shots/ here).
import { after, before } from "node:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const base = need("HYPATIA_UI_URL");
const shots = process.env.HYPATIA_UI_SHOTS || new URL("./shots", import.meta.url).pathname;
let browser;

export function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through scripts/web_ui.sh`);
  return v;
}

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
});

/**
 * A fresh page at `url` (in a new context, so nothing is shared between tests) that records as
 * `problems`: console errors, uncaught exceptions, failed requests, CSP violations (they are
 * console errors), and every request to anything but the server that serves the page.
 * `options.viewport` sets the window size (default 1280×900); `options.token` is saved in the
 * tab (as the Token form saves it) before the page's script runs.
 */
export async function open(url, options = {}) {
  const context = await browser.newContext({ viewport: options.viewport || { width: 1280, height: 900 } });
  if (options.token) await context.addInitScript((t) => sessionStorage.setItem("hypatia.token", t), options.token);
  const page = await context.newPage();
  const problems = [];
  const origin = new URL(url).origin;
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith("data:") && !u.startsWith("blob:") && new URL(u).origin !== origin) {
      problems.push(`request outside the server: ${u}`);
    }
  });
  await page.goto(url);
  return { page, problems, context };
}

/** Saves a full-page screenshot of `page` as NAME.png under the shots directory. */
export async function screenshot(page, name) {
  mkdirSync(shots, { recursive: true });
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
