// Button: sends {event: "click"}; the server runs the #[on_click] handlers. State: label, disabled.
export default {
  render({ model, el }) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "numerous-btn numerous-btn-primary";
    const sync = () => {
      button.textContent = model.get("label") ?? "";
      button.disabled = Boolean(model.get("disabled"));
      button.className = `numerous-btn numerous-btn-${model.get("variant") || "primary"}`;
    };
    button.addEventListener("click", () => model.send({ event: "click" }));
    model.on("change", sync);
    sync();
    el.replaceChildren(button);
    return () => model.off("change", sync);
  },
};
