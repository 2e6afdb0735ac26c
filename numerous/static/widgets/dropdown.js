// DropDown: one of `options`. State: label, options, value, placeholder. With a placeholder,
// an empty value shows it (a first option that cannot be chosen back).
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const select = make("select", "numerous-input");
    let shown = null;
    const sync = () => {
      const options = model.get("options") ?? [];
      const placeholder = model.get("placeholder") ?? "";
      const key = JSON.stringify([placeholder, options]);
      if (key !== shown) {
        shown = key;
        const none = placeholder ? [Object.assign(new Option(placeholder, ""), { disabled: true })] : [];
        select.replaceChildren(...none, ...options.map((o) => new Option(o, o)));
      }
      select.value = model.get("value") ?? "";
    };
    select.addEventListener("change", () => {
      model.set("value", select.value);
      model.save_changes();
    });
    model.on("change", sync);
    sync();
    el.replaceChildren(labelled(model, el, select));
    return () => model.off("change", sync);
  },
};
