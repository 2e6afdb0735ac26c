// Slider: a range input with its value shown. State: label, value, min, max, step.
export default {
  render({ model, el }) {
    const field = document.createElement("label");
    field.className = "numerous-field";
    const label = document.createElement("span");
    label.className = "numerous-label";
    const input = document.createElement("input");
    input.type = "range";
    input.className = "numerous-slider";
    const output = document.createElement("output");
    output.className = "numerous-slider-value";
    const sync = () => {
      label.textContent = model.get("label") ?? "";
      input.min = model.get("min");
      input.max = model.get("max");
      input.step = model.get("step");
      const value = String(model.get("value") ?? 0);
      if (input.value !== value) input.value = value;
      output.textContent = value;
    };
    input.addEventListener("input", () => {
      output.textContent = input.value;
      model.set("value", input.valueAsNumber);
      model.save_changes();
    });
    model.on("change", sync);
    sync();
    field.append(label, input, output);
    el.replaceChildren(field);
    return () => model.off("change", sync);
  },
};
