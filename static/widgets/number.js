// Number: a labelled number input. State: label, value, min?, max?, step?.
export default {
  render({ model, el }) {
    const field = document.createElement("label");
    field.className = "numerous-field";
    const label = document.createElement("span");
    label.className = "numerous-label";
    const input = document.createElement("input");
    input.type = "number";
    input.className = "numerous-input";
    const sync = () => {
      label.textContent = model.get("label") ?? "";
      for (const bound of ["min", "max", "step"]) {
        const v = model.get(bound);
        if (v == null) input.removeAttribute(bound);
        else input.setAttribute(bound, v);
      }
      if (input.step === "") input.step = "any";
      const value = String(model.get("value") ?? 0);
      if (input.value !== value) input.value = value;
    };
    input.addEventListener("change", () => {
      const value = input.valueAsNumber;
      if (Number.isFinite(value)) {
        model.set("value", value);
        model.save_changes();
      }
    });
    model.on("change", sync);
    sync();
    field.append(label, input);
    el.replaceChildren(field);
    return () => model.off("change", sync);
  },
};
