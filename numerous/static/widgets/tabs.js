// Tabs: a tab bar; the selected tab is `value`. Content under each tab is marked in the
// template with {{ tabs.panel("Name") }} and shown by the client. State: tabs, value.
export default {
  render({ model, el }) {
    const bar = document.createElement("div");
    bar.className = "numerous-tabs";
    bar.setAttribute("role", "tablist");
    const sync = () => {
      const value = model.get("value");
      bar.replaceChildren(
        ...(model.get("tabs") ?? []).map((name) => {
          const tab = document.createElement("button");
          tab.type = "button";
          tab.className = "numerous-tab";
          tab.setAttribute("role", "tab");
          tab.setAttribute("aria-selected", String(name === value));
          tab.textContent = name;
          tab.addEventListener("click", () => {
            model.set("value", name);
            model.save_changes();
          });
          return tab;
        }),
      );
    };
    model.on("change", sync);
    sync();
    el.replaceChildren(bar);
    return () => model.off("change", sync);
  },
};
