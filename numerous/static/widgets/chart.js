// Chart: Rust series drawn by uPlot (vendor/uplot.js, MIT, embedded: no network). State: label,
// kind ("line", "area", "bar", "scatter"), x ("number", "time", "category"), categories,
// stacked, window, x_label, y_label, series [{name, points: [[x, y]]}], appended.
//
// Around uPlot's canvas: a figure named by its label, kind and series; a legend of toggle
// buttons (keyboard and pointer) that hide a series; the values under the pointer in a tooltip;
// zoom by dragging over a number or time axis (double click: back); and the data as a table
// (under "Data") that a screen reader reads. Points appended live (`$append`) reach uPlot with
// `setData`, keeping a zoom.
import uPlot from "./vendor/uplot.js";
import { linkStylesheet, make } from "./field.js";

const COLORS = ["#6366f1", "#f59e0b", "#10b981", "#ef4444", "#3b82f6", "#a855f7", "#14b8a6", "#f97316"];
const HEIGHT = 320;
/** Rows the data table shows at most (the rest is said, not listed). */
const TABLE_ROWS = 500;

const alpha = (hex, a) => `${hex}${Math.round(a * 255).toString(16).padStart(2, "0")}`;

/** The x values shown to people: a category's name, a date, or a number. */
function xText(state) {
  if (state.x === "category") return (x) => state.categories[x] ?? String(x);
  if (state.x === "time") {
    const f = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    return (x) => f.format(new Date(x * 1000));
  }
  const f = new Intl.NumberFormat();
  return (x) => f.format(x);
}
/** The point of `points` (in the order of x) at `x`, by bisection: a pointer's move is cheap at
 * 100,000 points. */
function at(points, x) {
  let lo = 0;
  let hi = points.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = points[mid][0] - x;
    if (Math.abs(d) < 1e-9) return points[mid];
    if (d < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  // Points out of order (the documented order is by x) are searched one by one, if few.
  return points.length < 5000 ? points.find((p) => Math.abs(p[0] - x) < 1e-9) : undefined;
}
const yText = (y) => (y == null || Number.isNaN(y) ? "–" : new Intl.NumberFormat().format(y));

/**
 * uPlot's aligned data ([xs, ys...]) from the series' own points: the xs of every series, each
 * series `null` where it has no point. Grouped bars shift each series within its category.
 */
function align(state) {
  const series = state.series ?? [];
  const n = series.length;
  const grouped = state.kind === "bar" && !state.stacked && n > 1;
  const tables = series.map((s, i) => {
    const shift = grouped ? -0.4 + (i + 0.5) * (0.8 / n) : 0;
    const xs = s.points.map((p) => p[0] + shift);
    const ys = s.points.map((p) => (p[1] == null ? null : p[1]));
    return [xs, ys];
  });
  if (tables.length === 0) return [[]];
  const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
  if (state.stacked) {
    // Each series on top of the ones before it.
    for (let s = 2; s < data.length; s++) {
      data[s] = data[s].map((y, i) => (y == null ? data[s - 1][i] : y + (data[s - 1][i] ?? 0)));
    }
  }
  return data;
}

export default {
  render({ model, el }) {
    linkStylesheet(new URL("./vendor/uplot.css", import.meta.url).href);
    const get = () => ({
      label: model.get("label") ?? "",
      kind: model.get("kind") ?? "line",
      x: model.get("x") ?? "number",
      categories: model.get("categories") ?? [],
      stacked: !!model.get("stacked"),
      x_label: model.get("x_label") ?? "",
      y_label: model.get("y_label") ?? "",
      series: model.get("series") ?? [],
    });
    const figure = make("figure", "numerous-chart");
    const title = make("figcaption", "numerous-chart-title");
    const legend = make("div", "numerous-chart-legend");
    const canvas = make("div", "numerous-chart-canvas");
    canvas.setAttribute("aria-hidden", "true");
    const tip = make("div", "numerous-chart-tip", { hidden: true });
    canvas.append(tip);
    const details = make("details", "numerous-chart-data");
    const summary = make("summary", "", { textContent: "Data" });
    const tableBox = make("div", "numerous-chart-table");
    details.append(summary, tableBox);
    figure.append(title, legend, canvas, details);

    let plot = null;
    let shape = "";
    let legendKeys = "";
    // Whether the user zoomed in (a drag); new points then keep the zoom.
    let zoomed = false;
    const hidden = new Set();

    const table = (state) => {
      const series = state.series;
      const rows = new Map();
      series.forEach((s, i) => {
        for (const [x, y] of s.points) {
          if (!rows.has(x)) rows.set(x, new Array(series.length).fill(null));
          rows.get(x)[i] = y;
        }
      });
      const xs = [...rows.keys()].sort((a, b) => a - b);
      const t = make("table", "");
      t.append(make("caption", "", { textContent: state.label || "Chart data" }));
      const head = t.createTHead().insertRow();
      for (const name of [state.x_label || (state.x === "category" ? "Category" : "x"), ...series.map((s) => s.name)]) {
        const th = make("th", "", { textContent: name });
        th.scope = "col";
        head.append(th);
      }
      const body = t.createTBody();
      const fx = xText(state);
      for (const x of xs.slice(0, TABLE_ROWS)) {
        const tr = body.insertRow();
        const th = make("th", "", { textContent: fx(x) });
        th.scope = "row";
        tr.append(th);
        for (const y of rows.get(x)) tr.insertCell().textContent = yText(y);
      }
      const note = xs.length > TABLE_ROWS ? make("p", "numerous-label", { textContent: `The first ${TABLE_ROWS} of ${xs.length} rows.` }) : "";
      tableBox.replaceChildren(t, note);
    };

    const options = (state, width) => {
      const text = getComputedStyle(figure).color;
      const grid = getComputedStyle(figure).getPropertyValue("--numerous-color-border").trim() || "#8884";
      const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
      const fx = xText(state);
      const n = state.series.length;
      const bars = state.kind === "bar";
      const series = state.series.map((s, i) => {
        const color = COLORS[i % COLORS.length];
        const base = { label: s.name, stroke: color, width: 2, show: !hidden.has(i), spanGaps: false };
        if (bars) {
          const size = state.stacked || n === 1 ? 0.7 : 0.9;
          return { ...base, fill: alpha(color, 0.85), paths: uPlot.paths.bars({ size: [size, Infinity], align: 0 }), points: { show: false } };
        }
        if (state.kind === "scatter") return { ...base, paths: () => null, points: { show: true, size: 7, fill: color } };
        if (state.kind === "area") return { ...base, fill: alpha(color, state.stacked ? 0.7 : 0.25) };
        return base;
      });
      // Stacked: the tallest (last) series is drawn first, the others over it.
      const order = state.stacked ? [...series.keys()].reverse() : [...series.keys()];
      const x = { time: state.x === "time" };
      if (state.x === "category" || bars) {
        const count = state.x === "category" ? state.categories.length : 0;
        if (count > 0) x.range = () => [-0.5, count - 0.5];
      }
      const xAxis = { ...axis, label: state.x_label || undefined };
      if (state.x === "category") {
        xAxis.splits = () => state.categories.map((_, i) => i);
        xAxis.values = (_, splits) => splits.map((i) => state.categories[i] ?? "");
      }
      return {
        width,
        height: HEIGHT,
        legend: { show: false },
        scales: { x, y: { range: (u, lo, hi) => [Math.min(0, lo), hi === lo ? lo + 1 : hi + (hi - Math.min(0, lo)) * 0.05] } },
        axes: [xAxis, { ...axis, label: state.y_label || undefined, size: 60 }],
        series: [{ label: state.x_label || "x" }, ...order.map((i) => series[i])],
        // Drag to zoom where x is a continuous axis; categories do not zoom.
        cursor: { drag: { x: state.x !== "category", y: false }, points: { show: !bars } },
        hooks: {
          setSelect: [(u) => (zoomed = zoomed || u.select.width > 0)],
          setCursor: [
            (u) => {
              const i = u.cursor.idx;
              if (i == null || u.cursor.left < 0) {
                tip.hidden = true;
                return;
              }
              const xv = u.data[0][i];
              const cat = state.x === "category" || (bars && n > 1 && !state.stacked) ? Math.round(xv) : xv;
              const lines = [fx(cat)];
              // The values as given (not stacked), for the series shown.
              state.series.forEach((s, k) => {
                if (hidden.has(k)) return;
                const p = at(s.points, cat);
                if (p) lines.push(`${s.name}: ${yText(p[1])}`);
              });
              tip.replaceChildren(...lines.map((l, k) => make(k === 0 ? "strong" : "div", "", { textContent: l })));
              tip.hidden = false;
              const left = Math.min(u.cursor.left + 12, u.over.clientWidth - tip.offsetWidth);
              tip.style.transform = `translate(${Math.max(0, left)}px, ${Math.max(0, u.cursor.top - tip.offsetHeight - 8)}px)`;
            },
          ],
        },
        _order: order,
      };
    };

    const draw = () => {
      const state = get();
      title.textContent = state.label;
      const names = state.series.map((s) => s.name).join(", ");
      figure.setAttribute("aria-label", `${state.label || "Chart"}: ${state.stacked ? "stacked " : ""}${state.kind} chart of ${names || "no series"}`);
      // The legend: a toggle button per series, made again only when the series are others (a
      // live point leaves the keyboard where it is).
      const keys = JSON.stringify(state.series.map((s) => s.name));
      if (keys !== legendKeys) {
        // Other series: none of them is hidden.
        if (legendKeys) hidden.clear();
        legendKeys = keys;
      } else if (plot) return redraw(state);
      legend.replaceChildren(
        ...state.series.map((s, i) => {
          const b = make("button", "numerous-chart-key", { type: "button" });
          b.setAttribute("aria-pressed", String(!hidden.has(i)));
          const swatch = make("span", "numerous-chart-swatch", { ariaHidden: "true" });
          swatch.style.background = COLORS[i % COLORS.length];
          b.append(swatch, s.name);
          b.title = `Show or hide ${s.name}`;
          b.addEventListener("click", () => {
            if (hidden.has(i)) hidden.delete(i);
            else hidden.add(i);
            b.setAttribute("aria-pressed", String(!hidden.has(i)));
            if (plot) {
              const at = plot._numerousOrder.indexOf(i) + 1;
              plot.setSeries(at, { show: !hidden.has(i) });
            }
          });
          return b;
        }),
      );
      redraw(state);
    };

    const redraw = (state) => {
      // The data table is made when it is open (or opened): a live chart of many points does
      // not rebuild a table nobody reads.
      if (details.open) table(state);
      const data = align(state);
      const order = state.stacked ? [...state.series.keys()].reverse() : [...state.series.keys()];
      const drawn = [data[0], ...order.map((i) => data[i + 1] ?? [])];
      // A new plot when what is drawn changes shape; new points alone go in with setData.
      const next = JSON.stringify({ ...state, series: state.series.map((s) => s.name) });
      const width = Math.max(200, canvas.clientWidth || figure.clientWidth || 600);
      if (plot && next === shape) {
        plot.setData(drawn, !zoomed);
        return;
      }
      shape = next;
      plot?.destroy();
      const opts = options(state, width);
      plot = new uPlot(opts, drawn, canvas);
      plot._numerousOrder = opts._order;
      zoomed = false;
      plot.over.addEventListener("mouseleave", () => (tip.hidden = true));
      plot.over.addEventListener("dblclick", () => (zoomed = false));
      canvas.append(tip);
    };

    details.addEventListener("toggle", () => details.open && table(get()));
    const resized = new ResizeObserver(() => {
      const width = Math.max(200, canvas.clientWidth);
      if (plot && Math.abs(plot.width - width) > 1) plot.setSize({ width, height: HEIGHT });
    });
    const sync = () => draw();
    // The canvas takes the theme's colours when drawn: a theme change draws it again.
    const rethemed = () => {
      shape = "";
      legendKeys = "";
      draw();
    };
    const dark = matchMedia("(prefers-color-scheme: dark)");
    dark.addEventListener("change", rethemed);
    const forced = new MutationObserver(rethemed);
    forced.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    model.on("change", sync);
    el.replaceChildren(figure);
    draw();
    resized.observe(canvas);
    return () => {
      model.off("change", sync);
      dark.removeEventListener("change", rethemed);
      forced.disconnect();
      resized.disconnect();
      plot?.destroy();
    };
  },
};
