// A chart of SPARQL results for YASR, drawn as SVG by hand (no chart library, nothing fetched):
// a numeric column as bars or a line against a label column. Colours come from the page's CSS
// variables (sparql.css), so the chart follows the light or dark scheme.

import { s, ticks } from "../chart.js";
import { h } from "../dom.js";

const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set(
  ["integer", "decimal", "float", "double", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte"].map((t) => XSD + t),
);
/** Most bars or points drawn; the rest of the rows are left out (the chart says so). */
export const MAX_MARKS = 200;

/** The number a binding holds, or null when it is not a number. */
export function numberOf(b) {
  if (!b || b.type === "uri" || b.type === "bnode") return null;
  if (b.datatype && !NUMERIC.has(b.datatype)) return null;
  const n = Number(b.value);
  return b.value.trim() !== "" && Number.isFinite(n) ? n : null;
}

/** The variables whose bound values are all numbers (and that are bound at least once). */
export function numericColumns(vars, bindings) {
  return vars.filter((v) => {
    const bound = bindings.filter((b) => b[v]);
    return bound.length > 0 && bound.every((b) => numberOf(b[v]) !== null);
  });
}

/** A short text for a binding: an IRI by its prefix or its last segment. */
function labelOf(b, prefixes) {
  if (!b) return "";
  if (b.type !== "uri") return b.value;
  for (const [p, ns] of Object.entries(prefixes)) {
    if (b.value.startsWith(ns) && b.value.length > ns.length) return `${p}:${b.value.slice(ns.length)}`;
  }
  return b.value.replace(/[/#]+$/, "").split(/[/#]/).pop() || b.value;
}

/** Round steps for an axis from `lo` to `hi`: about five ticks at 1, 2 or 5 × 10^k. */
const axisTicks = (lo, hi) => ticks(lo, hi, 5, [1, 2, 5, 10]);

const fmt = (n) => (Math.abs(n) >= 1e5 || (Math.abs(n) < 1e-3 && n !== 0) ? n.toExponential(2) : String(Number(n.toPrecision(6))));

/**
 * The chart as an `<svg>`: `rows` are `{label, value}`, drawn as `kind` ("bar" or "line"),
 * `title` names it for screen readers.
 */
export function chartSvg(rows, kind, title) {
  const width = 760;
  const height = 340;
  const m = { left: 64, right: 16, top: 16, bottom: 96 };
  const w = width - m.left - m.right;
  const ht = height - m.top - m.bottom;
  const values = rows.map((r) => r.value);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values) || 1;
  const y = (v) => m.top + ht - ((v - lo) / (hi - lo)) * ht;
  const band = w / Math.max(1, rows.length);
  const x = (i) => m.left + band * i + band / 2;
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart-svg",
    role: "img",
    "aria-label": title,
    preserveAspectRatio: "xMidYMid meet",
  }, s("title", {}, title));
  const grid = s("g", { class: "grid" });
  for (const t of axisTicks(lo, hi)) {
    grid.append(
      s("line", { x1: m.left, x2: width - m.right, y1: y(t), y2: y(t) }),
      s("text", { x: m.left - 6, y: y(t), "text-anchor": "end", "dominant-baseline": "middle", class: "tick" }, fmt(t)),
    );
  }
  svg.append(grid);
  const marks = s("g", { class: `marks ${kind}` });
  if (kind === "line") {
    marks.append(s("polyline", { class: "line", points: rows.map((r, i) => `${x(i)},${y(r.value)}`).join(" ") }));
    rows.forEach((r, i) => marks.append(s("circle", { class: "mark", cx: x(i), cy: y(r.value), r: 3.5 }, s("title", {}, `${r.label}: ${r.value}`))));
  } else {
    const bw = Math.max(1, band * 0.8);
    rows.forEach((r, i) => {
      const top = y(Math.max(0, r.value));
      const bottom = y(Math.min(0, r.value));
      marks.append(s("rect", { class: "mark", x: x(i) - bw / 2, y: top, width: bw, height: Math.max(0.5, bottom - top) },
        s("title", {}, `${r.label}: ${r.value}`)));
    });
  }
  svg.append(marks);
  const axis = s("g", { class: "axis" }, s("line", { x1: m.left, x2: width - m.right, y1: y(0), y2: y(0) }));
  // Label every bar when they fit, else about 40 of them.
  const every = Math.max(1, Math.ceil(rows.length / 40));
  rows.forEach((r, i) => {
    if (i % every) return;
    const text = r.label.length > 18 ? `${r.label.slice(0, 17)}…` : r.label;
    axis.append(s("text", { x: x(i), y: height - m.bottom + 12, transform: `rotate(-45 ${x(i)} ${height - m.bottom + 12})`, "text-anchor": "end", class: "tick" }, text));
  });
  svg.append(axis);
  return svg;
}

/**
 * The YASR plugin: `Yasr.registerPlugin("chart", ChartPlugin)`. Offered when the results have a
 * numeric column; the reader picks the value column, the label column and bars or a line.
 */
export class ChartPlugin {
  constructor(yasr) {
    this.yasr = yasr;
    this.priority = 5;
    this.label = "Chart";
    this.choice = { value: null, label: null, kind: "bar" };
  }

  table() {
    const r = this.yasr.results;
    if (!r) return null;
    try {
      if (r.getBoolean() !== undefined) return null;
      const vars = r.getVariables();
      const bindings = r.getBindings();
      return vars && bindings ? { vars, bindings } : null;
    } catch (_) {
      return null;
    }
  }

  canHandleResults() {
    const t = this.table();
    return !!t && t.bindings.length > 0 && numericColumns(t.vars, t.bindings).length > 0;
  }

  getIcon() {
    return s("svg", { viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true", class: "chart-icon" },
      s("rect", { x: 1, y: 9, width: 3, height: 6 }), s("rect", { x: 6, y: 4, width: 3, height: 11 }), s("rect", { x: 11, y: 7, width: 3, height: 8 }));
  }

  draw() {
    const t = this.table();
    if (!t) return;
    const numeric = numericColumns(t.vars, t.bindings);
    const c = this.choice;
    if (!numeric.includes(c.value)) c.value = numeric[numeric.length - 1];
    const others = t.vars.filter((v) => v !== c.value);
    if (!others.includes(c.label)) c.label = others.find((v) => !numeric.includes(v)) || others[0] || null;
    const pick = (name, label, options, value) =>
      h("label", {}, `${label} `, h("select", {
        name,
        onchange: (ev) => {
          c[name] = ev.target.value || null;
          this.draw();
        },
      }, options.map(([v, text]) => h("option", { value: v, selected: v === value }, text))));
    const controls = h("div", { class: "chart-controls" },
      pick("value", "value", numeric.map((v) => [v, `?${v}`]), c.value),
      pick("label", "against", [["", "row number"], ...others.map((v) => [v, `?${v}`])], c.label || ""),
      pick("kind", "as", [["bar", "bars"], ["line", "a line"]], c.kind));
    const prefixes = this.yasr.getPrefixes();
    const rows = t.bindings
      .filter((b) => numberOf(b[c.value]) !== null)
      .slice(0, MAX_MARKS)
      .map((b, i) => ({ label: c.label ? labelOf(b[c.label], prefixes) : String(i + 1), value: numberOf(b[c.value]) }));
    const title = `${c.kind === "line" ? "Line" : "Bar"} chart of ?${c.value} against ${c.label ? `?${c.label}` : "the row number"}`;
    const shown = t.bindings.filter((b) => numberOf(b[c.value]) !== null).length;
    const note = shown > MAX_MARKS ? h("p", { class: "hint" }, `The first ${MAX_MARKS} of ${shown} rows.`) : null;
    const box = h("div", { class: "hyp-chart" }, controls, note, chartSvg(rows, c.kind, title));
    this.yasr.resultsEl.replaceChildren(box);
  }

  download() {
    return undefined;
  }
}
