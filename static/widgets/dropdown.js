// DropDown: one of `options`. State: label, options, value.
export default {
  render({ model, el }) {
    const field = document.createElement("label");
    field.className = "numerous-field";
    const label = document.createElement("span");
    label.className = "numerous-label";
    const select = document.createElement("select");
    select.className = "numerous-input";
    let shown = null;
    const sync = () => {
      label.textContent = model.get("label") ?? "";
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
    field.append(label, select);
    el.replaceChildren(field);
    return () => model.off("change", sync);
  },
};
