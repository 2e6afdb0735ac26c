// DropDown: one of `options`. State: label, options, value.
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const select = make("select", "numerous-input");
    let shown = null;
    const sync = () => {
      const options = model.get("options") ?? [];
      const key = JSON.stringify(options);
      if (key !== shown) {
        shown = key;
        select.replaceChildren(...options.map((o) => new Option(o, o)));
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
