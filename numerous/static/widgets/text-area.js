// TextArea: several lines of text. State: label, value, placeholder, rows.
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const area = make("textarea", "numerous-input");
    const sync = () => {
      area.placeholder = model.get("placeholder") ?? "";
      area.rows = model.get("rows") ?? 4;
      const value = model.get("value") ?? "";
      if (area.value !== value) area.value = value;
    };
    area.addEventListener("input", () => {
      model.set("value", area.value);
      model.save_changes();
    });
    model.on("change", sync);
    sync();
    el.replaceChildren(labelled(model, el, area));
    return () => model.off("change", sync);
  },
};
