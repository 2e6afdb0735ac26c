// MultiSelect: several of `options`, as a list of check boxes (no Ctrl+click). State: label,
// options, value (list, in the order of the options).
import { grouped, make } from "./field.js";

export default {
  render({ model, el }) {
    const list = make("span", "numerous-checklist");
    const sync = () => {
      const chosen = new Set(model.get("value") ?? []);
      const options = model.get("options") ?? [];
      const same =
        list.children.length === options.length &&
        options.every((o, i) => list.children[i].dataset.option === o);
      if (!same) {
        list.replaceChildren(
          ...options.map((o) => {
            const item = make("label", "numerous-checklist-item");
            item.dataset.option = o;
            const box = make("input", "numerous-checkbox", { type: "checkbox", value: o });
            item.append(box, document.createTextNode(o));
            return item;
          }),
        );
      }
      for (const box of list.querySelectorAll("input")) box.checked = chosen.has(box.value);
    };
    list.addEventListener("change", () => {
      const value = [...list.querySelectorAll("input")].filter((b) => b.checked).map((b) => b.value);
      model.set("value", value);
      model.save_changes();
    });
    model.on("change", sync);
    sync();
    el.replaceChildren(grouped(model, el, "", list));
    return () => model.off("change", sync);
  },
};
