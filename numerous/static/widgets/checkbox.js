// Checkbox. State: label, value.
export default {
  render({ model, el }) {
    const field = document.createElement("label");
    field.className = "numerous-field numerous-check";
    const input = document.createElement("input");
    input.type = "checkbox";
    const label = document.createElement("span");
    const sync = () => {
      label.textContent = model.get("label") ?? "";
      input.checked = Boolean(model.get("value"));
    };
    input.addEventListener("change", () => {
      model.set("value", input.checked);
      model.save_changes();
    });
    model.on("change", sync);
    sync();
    field.append(input, label);
    el.replaceChildren(field);
    return () => model.off("change", sync);
  },
};
