// Keys in camelCase (the struct's `rename_all`), and a value the browser may clear (`null`).
export default {
  render({ model, el }) {
    const input = document.createElement("input");
    input.type = "number";
    input.value = String(model.get("maxValue"));
    input.addEventListener("change", () => {
      model.set("maxValue", Number(input.value));
      model.set("note", input.value === "" ? null : input.value);
      model.save_changes();
    });
    model.on("change:maxValue", () => (input.value = String(model.get("maxValue"))));
    el.replaceChildren(input);
  },
};
