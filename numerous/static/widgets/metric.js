// Metric: a read-only value under its label, with a unit and a delta. State: label, value
// (number or text), unit, delta (number or null), lower_is_better.
import { make } from "./field.js";

const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export default {
  render({ model, el }) {
    const box = make("div", "numerous-metric");
    const label = make("div", "numerous-label");
    const value = make("div", "numerous-metric-value");
    const delta = make("div", "numerous-metric-delta");
    box.append(label, value, delta);
    const sync = () => {
      label.textContent = model.get("label") ?? "";
      const v = model.get("value");
      const unit = model.get("unit") ?? "";
      value.textContent = `${typeof v === "number" ? number.format(v) : (v ?? "")}${unit ? ` ${unit}` : ""}`;
      const d = model.get("delta");
      // The delta's line is kept while there is none: the page does not move when one comes.
      delta.style.visibility = typeof d === "number" ? "" : "hidden";
      if (typeof d !== "number") {
        delta.textContent = "\u00a0";
        delete delta.dataset.trend;
      } else {
        const good = model.get("lower_is_better") ? d < 0 : d > 0;
        delta.textContent = `${d > 0 ? "▲" : d < 0 ? "▼" : "■"} ${number.format(Math.abs(d))}`;
        delta.dataset.trend = d === 0 ? "flat" : good ? "good" : "bad";
      }
    };
    model.on("change", sync);
    sync();
    el.replaceChildren(box);
    return () => model.off("change", sync);
  },
};
