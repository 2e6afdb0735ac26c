// Slider: a range input with its value shown. State: label, value, min, max, step.
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const input = make("input", "numerous-slider", { type: "range" });
    const output = make("output", "numerous-slider-value");
    const sync = () => {
      input.min = model.get("min");
      input.max = model.get("max");
      input.step = model.get("step");
      const value = String(model.get("value") ?? 0);
      if (input.value !== value) input.value = value;
      output.textContent = value;
    };
    input.addEventListener("input", () => {
      output.textContent = input.value;
      model.set("value", input.valueAsNumber);
      model.save_changes();
    });
    model.on("change", sync);
    sync();
    el.replaceChildren(labelled(model, input, output));
    return () => model.off("change", sync);
  },
};
