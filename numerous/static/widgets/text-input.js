// TextInput: one line of text, sent as it is typed; Enter submits it. State: label, value,
// placeholder. Sends {event: "submit"} (after the text, which the client sends first).
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
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.isComposing) model.send({ event: "submit" });
    });
    model.on("change", sync);
    sync();
    el.replaceChildren(labelled(model, el, input));
    return () => model.off("change", sync);
  },
};
