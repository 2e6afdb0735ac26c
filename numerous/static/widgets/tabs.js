// Tabs: a tab bar; the selected tab is `value`. Content under each tab is marked in the
// template with {{ tabs.panel("Name") }} (a `tabpanel`, drawn by the server) and shown by the
// client. State: tabs, value.
//
// The WAI-ARIA tabs pattern: one Tab stop for the bar (the selected tab); the arrow keys, Home and
// End move between tabs and choose the one they reach. Each tab controls the panels of its name,
// which it names. The bar is drawn again only when the tab names change, so the keyboard stays on
// the chosen tab.
export default {
  render({ model, el }) {
    const key = el.dataset.numerousWidget ?? "tabs";
    const bar = document.createElement("div");
    bar.className = "numerous-tabs";
    bar.setAttribute("role", "tablist");
    el.replaceChildren(bar);
    let shown = null;
    const choose = (name) => {
      if (name === model.get("value")) return;
      model.set("value", name);
      model.save_changes();
    };
    /** Links tab `tab` (the `i`th, named `name`) and the panels of its name, both ways. */
    const link = (tab, i, name) => {
      const panels = [...document.querySelectorAll(`[data-numerous-tabs="${CSS.escape(key)}"]`)].filter(
        (p) => p.dataset.numerousTab === name,
      );
      for (const panel of panels) panel.setAttribute("aria-labelledby", tab.id);
      if (panels.length > 0) {
        panels[0].id ||= `numerous-tabpanel-${key}-${i}`;
        tab.setAttribute("aria-controls", panels[0].id);
      }
    };
    const sync = () => {
      const tabs = model.get("tabs") ?? [];
      const names = JSON.stringify(tabs);
      if (names !== shown) {
        shown = names;
        bar.replaceChildren(
          ...tabs.map((name, i) => {
            const tab = document.createElement("button");
            tab.type = "button";
            tab.className = "numerous-tab";
            tab.id = `numerous-tab-${key}-${i}`;
            tab.setAttribute("role", "tab");
            tab.textContent = name;
            link(tab, i, name);
            tab.addEventListener("click", () => choose(name));
            return tab;
          }),
        );
      }
      const value = model.get("value");
      const all = [...bar.querySelectorAll('[role="tab"]')];
      // The selected tab is the bar's Tab stop; with none selected, the first one is.
      const stop = Math.max(0, tabs.indexOf(value));
      all.forEach((tab, i) => {
        tab.setAttribute("aria-selected", String(tabs[i] === value));
        tab.tabIndex = i === stop ? 0 : -1;
      });
      // The selected tab stays in view when the bar scrolls sideways (a narrow screen).
      const chosen = all[stop];
      if (chosen) {
        const [b, t] = [bar.getBoundingClientRect(), chosen.getBoundingClientRect()];
        if (t.left < b.left) bar.scrollLeft -= b.left - t.left;
        else if (t.right > b.right) bar.scrollLeft += t.right - b.right;
      }
      edges();
    };
    // Which ends of the bar have tabs scrolled out of sight: the stylesheet fades those ends.
    const edges = () => {
      const start = bar.scrollLeft > 1;
      const end = bar.scrollLeft + bar.clientWidth < bar.scrollWidth - 1;
      bar.dataset.more = start && end ? "both" : start ? "start" : end ? "end" : "";
    };
    bar.addEventListener("scroll", edges, { passive: true });
    const resized = new ResizeObserver(edges);
    resized.observe(bar);
    bar.addEventListener("keydown", (event) => {
      // Alt+Left is the browser's Back, Ctrl and Meta are the system's.
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const tabs = [...bar.querySelectorAll('[role="tab"]')];
      const at = tabs.indexOf(document.activeElement);
      if (at < 0) return;
      const to = {
        ArrowRight: (at + 1) % tabs.length,
        ArrowLeft: (at - 1 + tabs.length) % tabs.length,
        Home: 0,
        End: tabs.length - 1,
      }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      tabs[to].focus();
      choose(tabs[to].textContent);
    });
    model.on("change", sync);
    sync();
    return () => {
      model.off("change", sync);
      resized.disconnect();
    };
  },
};
