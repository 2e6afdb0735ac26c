// Toggle: an on/off switch. State: label, value.
import { make } from "./field.js";

export default {
  render({ model, el }) {
    const field = make("label", "numerous-field numerous-check numerous-toggle");
    const input = make("input", "", { type: "checkbox", role: "switch" });
    const track = make("span", "numerous-toggle-track");
    const label = make("span", "");
    const sync = () => {
      label.textContent = model.get("label") ?? "";
      input.checked = Boolean(model.get("value"));
    };
    input.addEventListener("change", () => {
      model.set("value", input.checked);
      model.save_changes();
    });
    model.on("change", sync);
    sync();
    field.append(input, track, label);
    el.replaceChildren(field);
    return () => model.off("change", sync);
  },
};
