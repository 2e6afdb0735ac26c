// ProgressBar: value from 0 to 1. State: label, value.
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const bar = make("progress", "numerous-progress", { max: 1 });
    // The share as a sighted user reads it; the bar itself tells a screen reader.
    const pct = make("output", "numerous-slider-value", { ariaHidden: "true" });
    const sync = () => {
      const v = Math.min(1, Math.max(0, Number(model.get("value") ?? 0)));
      bar.value = v;
      pct.textContent = `${Math.round(v * 100)} %`;
    };
    model.on("change:value", sync);
    sync();
    el.replaceChildren(labelled(model, el, bar, pct));
    return () => model.off("change:value", sync);
  },
};
