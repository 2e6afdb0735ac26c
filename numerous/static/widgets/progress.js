// ProgressBar: value from 0 to 1. State: label, value.
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const bar = make("progress", "numerous-progress", { max: 1 });
    const pct = make("output", "numerous-slider-value");
    const sync = () => {
      const v = Math.min(1, Math.max(0, Number(model.get("value") ?? 0)));
      bar.value = v;
      pct.textContent = `${Math.round(v * 100)} %`;
    };
    model.on("change:value", sync);
    sync();
    el.replaceChildren(labelled(model, bar, pct));
    return () => model.off("change:value", sync);
  },
};
