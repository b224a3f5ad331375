// #/ingest: upload files or archives (with a write token) and watch each ingest's progress,
// streamed by the server as server-sent events; and what the store holds.

import "./ingest.css";
import { answer, api, canWrite, withToken } from "../api.js";
import { h, showError } from "../dom.js";

/** File names whose bytes are compressed or archived: how far the server read is not a share of them. */
const PACKED = /\.(zip|gz|tgz|tar|bz2|xz|zst)$/i;

/** Renders the ingest page into `main`; `a` is what the saved token may do. */
export async function ingestPage(a, main) {
  const status = h("section", { class: "store-status", "aria-labelledby": "store-status-h" });
  const uploads = h("section", { id: "uploads", "aria-label": "uploads" });
  const form = h("div", { id: "ingest-form" });
  main.replaceChildren(h("h1", {}, "Ingest"), form, uploads, status);
  storeStatus(status);
  if (!(await canWrite())) {
    const why = a.scope === "read"
      ? `The saved token (${a.credential}) may only read.`
      : a.scope === null && a.problem ? a.problem : "This server does not let you write without a token.";
    form.replaceChildren(h("p", { class: "hint", id: "needs-write" },
      `Ingesting needs a write token: ${why} Set one under Token, top right.`));
    return;
  }
  form.replaceChildren(await uploadForm((files, format) => ingestAll(files, format, uploads, status)));
}

/** The drop zone (also a file input) and the format select; `start(files, format)` on submit. */
async function uploadForm(start) {
  const input = h("input", { type: "file", id: "ingest-files", name: "files", multiple: true });
  const chosen = h("p", { class: "meta", id: "ingest-chosen", "aria-live": "polite" }, "No file chosen.");
  const showChosen = () => {
    const files = [...input.files];
    chosen.textContent = files.length
      ? `${files.length} file${files.length > 1 ? "s" : ""}: ${files.map((f) => `${f.name} (${size(f.size)})`).join(", ")}`
      : "No file chosen.";
  };
  input.addEventListener("change", showChosen);
  const zone = h("label", { class: "dropzone", for: "ingest-files" },
    h("strong", {}, "Drop files or an archive here"),
    h("span", { class: "hint" }, " or choose them: "),
    input);
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (ev) => {
      ev.preventDefault();
      zone.classList.add("over");
    });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (ev) => {
    ev.preventDefault();
    zone.classList.remove("over");
    if (ev.dataTransfer?.files?.length) {
      input.files = ev.dataTransfer.files;
      showChosen();
    }
  });
  const format = h("select", { name: "format", id: "ingest-format" },
    h("option", { value: "" }, "detect from the content"),
    (await formatNames()).map((f) => h("option", { value: f }, f)));
  const button = h("button", { type: "submit" }, "Ingest");
  return h("form", {
    class: "ingest",
    onsubmit: async (ev) => {
      ev.preventDefault();
      const files = [...input.files];
      if (!files.length) {
        chosen.textContent = "Choose or drop at least one file first.";
        return;
      }
      button.disabled = true;
      try {
        await start(files, format.value);
      } finally {
        button.disabled = false;
      }
    },
  },
  zone,
  chosen,
  h("div", { class: "row" }, h("label", {}, "format ", format), button),
  h("p", { class: "hint" }, "Each file is one upload (at most 256 MiB), ingested one after another: any format `hypatia ingest` reads, or a zip or tar(.gz) of them."));
}

/** The format names `POST /papers` takes, from the API's description (none if it cannot say). */
async function formatNames() {
  try {
    const spec = await api("/openapi.json");
    const param = spec.paths["/papers"].post.parameters.find((p) => p.name === "format");
    const find = (s) => (s?.enum ? s.enum : (s?.oneOf || s?.anyOf || []).map(find).find(Boolean));
    return (find(param.schema) || []).filter((f) => typeof f === "string");
  } catch (_) {
    return [];
  }
}

/** Ingests `files` one after another, each with its own progress in `uploads`. */
async function ingestAll(files, format, uploads, status) {
  const views = files.map((f) => uploadView(f));
  uploads.prepend(...views.map((v) => v.el).reverse());
  for (const [i, file] of files.entries()) {
    await ingestOne(file, format, views[i]);
  }
  storeStatus(status);
}

/** One upload's progress view: bar, counts, failures, report. */
function uploadView(file) {
  const bar = h("progress", { max: 1, "aria-label": `${file.name}: read` });
  bar.removeAttribute("value");
  const state = h("p", { class: "state", role: "status" }, "Waiting for its turn…");
  const counts = h("p", { class: "counts" });
  const failures = h("ol", { class: "failures" });
  const failuresBox = h("details", { class: "failures-box", hidden: true },
    h("summary", {}, "Failures"), failures);
  const report = h("div", { class: "report" });
  const el = h("article", { class: "upload", "data-name": file.name },
    h("h2", {}, file.name, h("span", { class: "meta" }, ` · ${size(file.size)}`)),
    bar, state, counts, failuresBox, report);
  return { el, bar, state, counts, failures, failuresBox, report, file };
}

async function ingestOne(file, format, v) {
  v.state.textContent = "Uploading…";
  const url = new URL("/papers", location.origin);
  url.searchParams.set("name", file.name);
  if (format) url.searchParams.set("format", format);
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: withToken({ Accept: "text/event-stream", "Content-Type": "application/octet-stream" }),
      body: file,
    });
    if (!response.ok) await answer(response);
  } catch (e) {
    failed(v, e);
    return;
  }
  v.state.textContent = "Ingesting…";
  const packed = PACKED.test(file.name);
  let done = false;
  try {
    for await (const { event, data } of serverEvents(response.body)) {
      if (event === "progress") progress(v, data, packed);
      else if (event === "failure") failure(v, data);
      else if (event === "report") {
        finished(v, data);
        done = true;
      } else if (event === "error") {
        failed(v, new Error(`the ingest failed: ${data.code || "error"}: ${data.message || "no reason given"}`));
        done = true;
      }
    }
    if (!done) throw new Error("the connection ended before the ingest's report");
  } catch (e) {
    failed(v, e);
  }
}

/** The events of a `text/event-stream` body, as `{event, data}` with `data` parsed as JSON. */
async function* serverEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}

function progress(v, p, packed) {
  v.last = p;
  v.committed = (v.committed || []).concat(p.committed || []);
  if (packed || !v.file.size) v.bar.removeAttribute("value");
  else v.bar.value = Math.min(1, p.bytes / v.file.size);
  v.counts.replaceChildren(
    count("papers written", p.papers, "papers"),
    count("failed", p.failed, "failed"),
    count("passages", p.passages, "passages"),
    count("records read", p.records, "records"),
    count("papers/s", p.papers_per_sec.toFixed(1), "rate"),
    count("seconds", p.elapsed_secs.toFixed(1), "elapsed"),
  );
  v.state.textContent = p.file ? `Ingesting… reading ${p.file}` : "Ingesting…";
}

function count(label, value, name) {
  return h("span", { class: "count", "data-count": name }, h("strong", {}, String(value)), ` ${label}`);
}

/** Where a failure is, in words: file, line or byte, field. */
export function where(f) {
  const at = [f.source];
  if (f.location?.line) at.push(`line ${f.location.line}`);
  if (f.location?.byte !== undefined && f.location?.byte !== null) at.push(`byte ${f.location.byte}`);
  if (f.field) at.push(`field ${f.field}`);
  return at.join(", ");
}

function failure(v, f) {
  v.failuresBox.hidden = false;
  v.failuresBox.open = true;
  v.failures.append(h("li", { class: "failure" }, h("span", { class: "where" }, where(f)), ": ", f.reason));
  v.failuresBox.querySelector("summary").textContent = `Failures (${v.failures.children.length})`;
}

function finished(v, r) {
  v.bar.max = 1;
  v.bar.value = 1;
  const secs = r.elapsed.secs + r.elapsed.nanos / 1e9;
  v.state.textContent = `Done: ${r.papers} papers written in ${secs.toFixed(1)} s.`;
  v.el.classList.add("done");
  v.counts.replaceChildren(
    count("papers written", r.papers, "papers"),
    count("failed", r.failures.length, "failed"),
    count("passages", r.passages, "passages"),
    count("papers/s", (r.papers / Math.max(secs, 1e-9)).toFixed(1), "rate"),
    count("seconds", secs.toFixed(1), "elapsed"),
  );
  const rows = [
    ["files read", r.files], ["papers written", r.papers], ["unchanged (already stored)", r.unchanged],
    ["merged with another record", r.merged], ["passages", r.passages], ["triples", r.triples],
    ["bytes read", size(r.bytes)], ["failures", r.failures.length],
  ];
  v.report.replaceChildren(
    h("h3", {}, "Report"),
    h("dl", { class: "ids report-counts" }, rows.flatMap(([k, x]) => [h("dt", {}, k), h("dd", {}, String(x))])),
    r.skipped_files.length
      ? h("details", {}, h("summary", {}, `Skipped files (${r.skipped_files.length})`),
        h("ul", {}, r.skipped_files.map((s) => h("li", {}, s))))
      : null,
  );
  // Failures the stream did not show (none, normally) are in the report.
  if (v.failures.children.length < r.failures.length) {
    v.failures.replaceChildren();
    for (const f of r.failures) failure(v, f);
  }
  const keys = [...new Set(v.committed || [])];
  if (keys.length) v.report.append(newPapers(keys));
}

/** Links to the papers written, titled for the first few. */
function newPapers(keys) {
  const shown = 12;
  const item = (k) => h("li", {}, h("a", { href: `#/paper/${encodeURIComponent(k)}`, "data-key": k }, `paper ${k}`));
  const list = h("ul", { class: "new-papers" }, keys.slice(0, shown).map(item));
  const box = h("div", {}, h("h3", {}, `New papers (${keys.length})`), list);
  if (keys.length > shown) {
    box.append(h("details", {}, h("summary", {}, `${keys.length - shown} more`),
      h("ul", { class: "new-papers" }, keys.slice(shown).map(item))));
  }
  (async () => {
    for (const a of list.querySelectorAll("a[data-key]")) {
      try {
        const p = await api(`/papers/${encodeURIComponent(a.dataset.key)}`);
        if (p.title) a.textContent = p.title;
      } catch (_) {
        // the key stays as the link's text
      }
    }
  })();
  return box;
}

function failed(v, e) {
  v.el.classList.add("failed");
  v.state.textContent = "Failed.";
  const msg = h("div", {});
  showError(msg, e);
  v.report.replaceChildren(msg);
}

/** What the store holds, and whether its indexes agree as far as their counts tell. */
async function storeStatus(el) {
  let hz;
  try {
    hz = await api("/healthz");
  } catch (e) {
    el.replaceChildren(h("h2", { id: "store-status-h" }, "Store"));
    const msg = h("div", {});
    showError(msg, e);
    el.append(msg);
    return;
  }
  const s = hz.stats;
  const agree = s.passages === s.vectors;
  el.replaceChildren(
    h("h2", { id: "store-status-h" }, "Store"),
    h("dl", { class: "ids store-counts" }, [
      ["papers", s.papers], ["agent records (hypotheses, experiments)", s.records],
      ["passages (text index)", s.passages], ["vectors (vector index)", s.vectors], ["triples (graph)", s.triples],
      ["embedding model", hz.embedder || "none loaded: ingest is off"],
    ].flatMap(([k, x]) => [h("dt", {}, k), h("dd", {}, String(x))])),
    h("p", { class: agree ? "consistency ok" : "consistency bad", id: "consistency" },
      agree
        ? `Consistent by count: the text index and the vector index both hold ${s.passages} passages.`
        : `Inconsistent: the text index holds ${s.passages} passages but the vector index ${s.vectors} vectors. The store repairs a half-applied write when it next writes or opens; if this stays, run \`hypatia stats\` on the store.`),
    h("p", { class: "hint" },
      "Every write goes through one journal to all three indexes. The full check (every paper and passage key across the three, each passage's text against its paper's graph) reads the whole store: `hypatia stats` runs it."),
  );
}

function size(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}
