// Slider: a range input with its value shown. State: label, value, min, max, step.
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const input = make("input", "numerous-slider numerous-slider-single", { type: "range" });
    // The value as a sighted user reads it; the slider itself tells a screen reader.
    const output = make("output", "numerous-slider-value", { ariaHidden: "true" });
    // The track left of the thumb is filled: its share, for the stylesheet.
    const fill = () => {
      const min = Number(input.min) || 0;
      const span = (Number(input.max) || 100) - min;
      const share = span > 0 ? ((input.valueAsNumber - min) / span) * 100 : 0;
      input.style.setProperty("--numerous-fill", `${Math.min(100, Math.max(0, share))}%`);
    };
    const sync = () => {
      input.min = model.get("min");
      input.max = model.get("max");
      input.step = model.get("step");
      const value = String(model.get("value") ?? 0);
      if (input.value !== value) input.value = value;
      output.textContent = value;
      fill();
    };
    input.addEventListener("input", () => {
      output.textContent = input.value;
      fill();
      model.set("value", input.valueAsNumber);
      model.save_changes();
    });
    model.on("change", sync);
    sync();
    el.replaceChildren(labelled(model, el, input, output));
    return () => model.off("change", sync);
  },
};
