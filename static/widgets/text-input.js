// TextInput: one line of text, sent as it is typed. State: label, value, placeholder.
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const input = make("input", "numerous-input", { type: "text" });
    const sync = () => {
      input.placeholder = model.get("placeholder") ?? "";
      const value = model.get("value") ?? "";
      if (input.value !== value) input.value = value;
    };
    input.addEventListener("input", () => {
      model.set("value", input.value);
      model.save_changes();
    });
    model.on("change", sync);
    sync();
    el.replaceChildren(labelled(model, input));
    return () => model.off("change", sync);
  },
};
