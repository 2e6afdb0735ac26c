// DatePicker: a date, YYYY-MM-DD. State: label, value, min, max.
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const input = make("input", "numerous-input", { type: "date" });
    const sync = () => {
      // Assigning min/max, even unchanged, resets Chromium's digit-by-digit entry: only on change.
      const min = model.get("min") ?? "";
      const max = model.get("max") ?? "";
      if (input.min !== min) input.min = min;
      if (input.max !== max) input.max = max;
      const value = model.get("value") ?? "";
      if (input.value !== value) input.value = value;
    };
    input.addEventListener("change", () => {
      model.set("value", input.value);
      model.save_changes();
    });
    model.on("change", sync);
    sync();
    el.replaceChildren(labelled(model, el, input));
    return () => model.off("change", sync);
  },
};
