// RangeSlider: two handles, value [low, high]. State: label, value, min, max, step.
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const low = make("input", "numerous-slider", { type: "range" });
    const high = make("input", "numerous-slider", { type: "range" });
    const output = make("output", "numerous-slider-value");
    const sync = () => {
      for (const input of [low, high]) {
        input.min = model.get("min");
        input.max = model.get("max");
        input.step = model.get("step");
      }
      const [a, b] = model.get("value") ?? [0, 0];
      if (low.valueAsNumber !== a) low.value = a;
      if (high.valueAsNumber !== b) high.value = b;
      output.textContent = `${a} – ${b}`;
    };
    const send = (moved) => {
      let a = low.valueAsNumber;
      let b = high.valueAsNumber;
      if (a > b) {
        if (moved === low) a = b;
        else b = a;
        low.value = a;
        high.value = b;
      }
      output.textContent = `${a} – ${b}`;
      model.set("value", [a, b]);
      model.save_changes();
    };
    low.addEventListener("input", () => send(low));
    high.addEventListener("input", () => send(high));
    model.on("change", sync);
    sync();
    const box = make("span", "numerous-range");
    box.append(low, high, output);
    el.replaceChildren(labelled(model, box));
    return () => model.off("change", sync);
  },
};
