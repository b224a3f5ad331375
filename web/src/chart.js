// A line chart of one metric across runs, as hand-written SVG: small enough not to need a
// charting library, and styled by classes (board.css) so that it follows light and dark and
// needs no inline style (the page's CSP allows none).

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element: `s("circle", {cx: 1})`; text children become text nodes. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null && v !== false) el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * About `count` round tick values covering [lo, hi], `steps` apart (each times a power of ten).
 */
export function ticks(lo, hi, count = 5, steps = [1, 2, 2.5, 5, 10]) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = steps.map((m) => m * mag).find((st) => st >= raw) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A number short enough for an axis or a tooltip. */
export function short(v) {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

/**
 * A line chart: `points` are `{value, label, kind}` in run order (x is the run's position, 1 to
 * n); `kind` becomes a class of the point (keep, discard, crash). `yLabel` and `xLabel` name the
 * axes, `title` the chart for screen readers.
 */
export function lineChart(points, { title, xLabel, yLabel }) {
  const W = 640;
  const H = 280;
  const m = { left: 64, right: 16, top: 14, bottom: 46 };
  const values = points.map((p) => p.value);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  } else {
    const pad = (hi - lo) * 0.06;
    lo -= pad;
    hi += pad;
  }
  const n = points.length;
  const x = (i) => m.left + (n === 1 ? (W - m.left - m.right) / 2 : (i * (W - m.left - m.right)) / (n - 1));
  const y = (v) => m.top + ((hi - v) * (H - m.top - m.bottom)) / (hi - lo);

  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": title });
  svg.append(s("title", {}, title));
  const grid = s("g", { class: "grid" });
  const yAxis = s("g", { class: "axis y" });
  for (const t of ticks(lo, hi)) {
    if (t < lo || t > hi) continue;
    grid.append(s("line", { x1: m.left, x2: W - m.right, y1: y(t), y2: y(t) }));
    yAxis.append(s("text", { x: m.left - 6, y: y(t), "text-anchor": "end", "dominant-baseline": "middle" }, short(t)));
  }
  const xAxis = s("g", { class: "axis x" });
  const every = Math.max(1, Math.ceil(n / 10));
  for (let i = 0; i < n; i += every) {
    xAxis.append(s("text", { x: x(i), y: H - m.bottom + 16, "text-anchor": "middle" }, String(i + 1)));
  }
  if ((n - 1) % every) xAxis.append(s("text", { x: x(n - 1), y: H - m.bottom + 16, "text-anchor": "middle" }, String(n)));
  svg.append(
    grid,
    s("line", { class: "frame", x1: m.left, x2: m.left, y1: m.top, y2: H - m.bottom }),
    s("line", { class: "frame", x1: m.left, x2: W - m.right, y1: H - m.bottom, y2: H - m.bottom }),
    yAxis,
    xAxis,
    s("text", { class: "label", x: (m.left + W - m.right) / 2, y: H - 8, "text-anchor": "middle" }, xLabel),
    s("text", { class: "label", transform: `translate(14 ${(m.top + H - m.bottom) / 2}) rotate(-90)`, "text-anchor": "middle" }, yLabel),
  );
  const d = points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)} ${y(p.value).toFixed(1)}`).join(" ");
  svg.append(s("path", { class: "line", d }));
  const dots = s("g", { class: "points" });
  points.forEach((p, i) => {
    dots.append(s("circle", { cx: x(i).toFixed(1), cy: y(p.value).toFixed(1), r: 4.5, class: `point ${p.kind || ""}` },
      s("title", {}, p.label)));
  });
  svg.append(dots);
  return svg;
}
