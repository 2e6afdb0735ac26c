// MultiSelect: several of `options`. State: label, options, value (list).
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const select = make("select", "numerous-input", { multiple: true });
    const sync = () => {
      const chosen = new Set(model.get("value") ?? []);
      select.replaceChildren(
        ...(model.get("options") ?? []).map((o) => new Option(o, o, false, chosen.has(o))),
      );
      select.size = Math.min(6, select.options.length);
    };
    select.addEventListener("change", () => {
      model.set("value", [...select.selectedOptions].map((o) => o.value));
      model.save_changes();
    });
    model.on("change", sync);
    sync();
    el.replaceChildren(labelled(model, select));
    return () => model.off("change", sync);
  },
};
