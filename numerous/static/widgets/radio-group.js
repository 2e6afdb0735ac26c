// RadioGroup: one of `options` as radio buttons. State: label, options, value.
// The buttons are drawn again only when the options change, so the keyboard stays on the one
// the user chose.
import { grouped, make } from "./field.js";

let groups = 0;

export default {
  render({ model, el }) {
    const list = make("div", "numerous-radio-list");
    const name = `numerous-radio-${++groups}`;
    let shown = null;
    const sync = () => {
      const options = model.get("options") ?? [];
      const key = JSON.stringify(options);
      if (key !== shown) {
        shown = key;
        list.replaceChildren(
          ...options.map((o) => {
            const label = make("label", "numerous-check");
            const input = make("input", "", { type: "radio", name, value: o });
            input.addEventListener("change", () => {
              model.set("value", o);
              model.save_changes();
            });
            label.append(input, document.createTextNode(o));
            return label;
          }),
        );
      }
      const value = model.get("value");
      for (const input of list.querySelectorAll("input")) input.checked = input.value === value;
    };
    model.on("change", sync);
    sync();
    el.replaceChildren(grouped(model, el, "numerous-radios", list));
    return () => model.off("change", sync);
  },
};
