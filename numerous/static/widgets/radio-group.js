// RadioGroup: one of `options` as radio buttons. State: label, options, value.
import { make } from "./field.js";

let groups = 0;

export default {
  render({ model, el }) {
    const box = make("fieldset", "numerous-field numerous-radios");
    const legend = make("legend", "numerous-label");
    const name = `numerous-radio-${++groups}`;
    const sync = () => {
      legend.textContent = model.get("label") ?? "";
      const value = model.get("value");
      box.replaceChildren(
        legend,
        ...(model.get("options") ?? []).map((o) => {
          const label = make("label", "numerous-check");
          const input = make("input", "", { type: "radio", name, value: o, checked: o === value });
          input.addEventListener("change", () => {
            model.set("value", o);
            model.save_changes();
          });
          label.append(input, document.createTextNode(o));
          return label;
        }),
      );
    };
    model.on("change", sync);
    sync();
    el.replaceChildren(box);
    return () => model.off("change", sync);
  },
};
