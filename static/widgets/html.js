// Html: `html` is escaped by the server unless the app marked it trusted. State: content,
// trusted, html.
export default {
  render({ model, el }) {
    const box = document.createElement("div");
    box.className = "numerous-html";
    const sync = () => {
      box.innerHTML = model.get("html") ?? "";
    };
    model.on("change:html", sync);
    sync();
    el.replaceChildren(box);
    return () => model.off("change:html", sync);
  },
};
