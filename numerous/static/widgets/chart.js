// Chart: line, bar or scatter chart of Rust series, drawn as SVG (no library, works offline).
// State: label, kind, series [{name, points: [[x, y]]}], x_label, y_label.
const NS = "http://www.w3.org/2000/svg";
const COLORS = ["#6366f1", "#f59e0b", "#10b981", "#ef4444", "#3b82f6", "#a855f7"];
const W = 640;
const H = 320;
const PAD = { left: 56, right: 16, top: 28, bottom: 44 };

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text != null) node.textContent = text;
  return node;
}

/** About five round tick values between lo and hi. */
function ticks(lo, hi) {
  if (hi === lo) return [lo];
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(+t.toFixed(10));
  return out;
}

function draw(model) {
  const kind = model.get("kind") ?? "line";
  const series = model.get("series") ?? [];
  const points = series.flatMap((s) => s.points);
  // A picture has a name: the chart's label, its kind and its series.
  const names = series.map((s) => s.name).join(", ");
  const name = `${model.get("label") || "Chart"}: ${kind} chart${names ? ` of ${names}` : ", empty"}`;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "numerous-chart-svg", role: "img", "aria-label": name });
  root.append(svg("text", { x: W / 2, y: 18, "text-anchor": "middle", class: "numerous-chart-title" }, model.get("label") ?? ""));
  if (points.length === 0) return root;
  let [x0, x1] = [Math.min(...points.map((p) => p[0])), Math.max(...points.map((p) => p[0]))];
  let [y0, y1] = [Math.min(0, ...points.map((p) => p[1])), Math.max(...points.map((p) => p[1]))];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) y1 = y0 + 1;
  const bw = kind === "bar" ? (W - PAD.left - PAD.right) / (new Set(points.map((p) => p[0])).size + 1) : 0;
  const sx = (x) => PAD.left + bw / 2 + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right - bw);
  const sy = (y) => H - PAD.bottom - ((y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  for (const t of ticks(y0, y1)) {
    root.append(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: sy(t), y2: sy(t), class: "numerous-chart-grid" }));
    root.append(svg("text", { x: PAD.left - 6, y: sy(t) + 4, "text-anchor": "end", class: "numerous-chart-tick" }, t));
  }
  for (const t of ticks(x0, x1)) {
    root.append(svg("text", { x: sx(t), y: H - PAD.bottom + 16, "text-anchor": "middle", class: "numerous-chart-tick" }, t));
  }
  root.append(svg("text", { x: W / 2, y: H - 6, "text-anchor": "middle", class: "numerous-chart-axis" }, model.get("x_label") ?? ""));
  root.append(svg("text", { x: 14, y: H / 2, transform: `rotate(-90 14 ${H / 2})`, "text-anchor": "middle", class: "numerous-chart-axis" }, model.get("y_label") ?? ""));
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const g = svg("g", { "data-series": s.name });
    if (kind === "line") {
      const d = s.points.map((p, j) => `${j ? "L" : "M"}${sx(p[0])},${sy(p[1])}`).join("");
      g.append(svg("path", { d, fill: "none", stroke: color, "stroke-width": 2 }));
    }
    for (const [x, y] of s.points) {
      if (kind === "bar") {
        const w = bw / series.length;
        const left = sx(x) - bw / 2 + i * w;
        g.append(svg("rect", { x: left, y: Math.min(sy(y), sy(0)), width: Math.max(1, w - 2), height: Math.abs(sy(0) - sy(y)), fill: color }));
      } else {
        g.append(svg("circle", { cx: sx(x), cy: sy(y), r: kind === "scatter" ? 4 : 3, fill: color }));
      }
    }
    root.append(g);
    root.append(svg("rect", { x: PAD.left + i * 110, y: H - 14, width: 10, height: 10, fill: color }));
    root.append(svg("text", { x: PAD.left + 14 + i * 110, y: H - 5, class: "numerous-chart-tick" }, s.name));
  });
  return root;
}

export default {
  render({ model, el }) {
    const box = document.createElement("div");
    box.className = "numerous-chart";
    const sync = () => box.replaceChildren(draw(model));
    model.on("change", sync);
    sync();
    el.replaceChildren(box);
    return () => model.off("change", sync);
  },
};
