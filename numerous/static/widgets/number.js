// Number: a labelled number input. State: label, value, min?, max?, step?.
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const input = make("input", "numerous-input", { type: "number" });
    const unit = make("span", "numerous-unit");
    const sync = () => {
      for (const bound of ["min", "max", "step"]) {
        const v = model.get(bound);
        if (v == null) input.removeAttribute(bound);
        else input.setAttribute(bound, v);
      }
      if (input.step === "") input.step = "any";
      unit.textContent = model.get("unit") ?? "";
      const value = String(model.get("value") ?? 0);
      if (input.value !== value) input.value = value;
    };
    input.addEventListener("change", () => {
      const value = input.valueAsNumber;
      if (Number.isFinite(value)) {
        model.set("value", value);
        model.save_changes();
      }
    });
    model.on("change", sync);
    sync();
    const row = make("span", "numerous-input-row");
    row.append(input, unit);
    el.replaceChildren(labelled(model, el, row));
    return () => model.off("change", sync);
  },
};
