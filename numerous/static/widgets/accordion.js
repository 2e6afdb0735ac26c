// Accordion: turns each element marked {{ acc.panel("Name") }} into a collapsible section with
// a header. State: sections, open (list of open sections).
export default {
  render({ model, el }) {
    const key = el.dataset.numerousWidget;
    const headers = [];
    for (const panel of document.querySelectorAll(`[data-numerous-accordion="${CSS.escape(key)}"]`)) {
      const name = panel.dataset.numerousSection;
      const header = document.createElement("button");
      header.type = "button";
      header.className = "numerous-accordion-header";
      header.textContent = name;
      header.addEventListener("click", () => {
        const open = new Set(model.get("open") ?? []);
        if (open.has(name)) open.delete(name);
        else open.add(name);
        model.set("open", (model.get("sections") ?? []).filter((s) => open.has(s)));
        model.save_changes();
      });
      panel.before(header);
      panel.classList.add("numerous-accordion-panel");
      headers.push([header, panel, name]);
    }
    const sync = () => {
      const open = new Set(model.get("open") ?? []);
      for (const [header, panel, name] of headers) {
        panel.hidden = !open.has(name);
        header.setAttribute("aria-expanded", String(open.has(name)));
      }
    };
    model.on("change:open", sync);
    sync();
    return () => {
      model.off("change:open", sync);
      for (const [header] of headers) header.remove();
    };
  },
};
