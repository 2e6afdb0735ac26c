// Markdown: `html` is rendered and made safe by the server (raw HTML shown as text, script
// links disarmed). State: content, html.
export default {
  render({ model, el }) {
    const box = document.createElement("div");
    box.className = "numerous-markdown";
    const sync = () => {
      box.innerHTML = model.get("html") ?? "";
    };
    model.on("change:html", sync);
    sync();
    el.replaceChildren(box);
    return () => model.off("change:html", sync);
  },
};
