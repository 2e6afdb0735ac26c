// TextInput: one line of text, sent as it is typed. State: label, value, placeholder.
export default {
  render({ model, el }) {
    const field = document.createElement("label");
    field.className = "numerous-field";
    const label = document.createElement("span");
    label.className = "numerous-label";
    const input = document.createElement("input");
    input.type = "text";
    input.className = "numerous-input";
    const sync = () => {
      label.textContent = model.get("label") ?? "";
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
    field.append(label, input);
    el.replaceChildren(field);
    return () => model.off("change", sync);
  },
};
