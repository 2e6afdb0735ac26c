// Feed: a list that grows one item at a time. State: label, newest_first, markdown, empty (what
// an empty list says), items ([{text, html?}]), total. New items arrive as `$append` patches (the model merges them), so
// only what is new is drawn.
import { make } from "./field.js";

function itemNode(item) {
  const node = make("li", "numerous-feed-item");
  // `html` is made and made safe by the server (raw HTML shown as text).
  if (item.html != null) node.innerHTML = item.html;
  else node.textContent = item.text;
  return node;
}

export default {
  render({ model, el }) {
    const box = make("div", "numerous-feed");
    const label = make("div", "numerous-label");
    const list = make("ol", "numerous-feed-list");
    const empty = make("p", "numerous-empty");
    box.append(label, list, empty);
    el.replaceChildren(box);

    let drawn = []; // the items on screen, oldest first
    const draw = () => {
      label.textContent = model.get("label") ?? "";
      label.hidden = !label.textContent;
      const items = model.get("items") ?? [];
      const newestFirst = Boolean(model.get("newest_first"));
      // Common case: the items drawn last are still there (the same objects, as the model
      // appends to them), maybe fewer of the oldest, and new ones follow.
      const last = drawn.length ? items.lastIndexOf(drawn[drawn.length - 1]) : -1;
      const kept = last + 1;
      const appendOnly =
        last >= 0 &&
        kept <= drawn.length &&
        items.slice(0, kept).every((it, i) => it === drawn[drawn.length - kept + i]);
      const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
      if (appendOnly) {
        for (let i = 0; i < drawn.length - kept; i++) {
          (newestFirst ? list.lastChild : list.firstChild)?.remove();
        }
        for (const item of items.slice(kept)) {
          if (newestFirst) list.prepend(itemNode(item));
          else list.append(itemNode(item));
        }
      } else {
        list.replaceChildren(...(newestFirst ? [...items].reverse() : items).map(itemNode));
      }
      drawn = items;
      empty.textContent = model.get("empty") ?? "";
      empty.hidden = items.length > 0 || !empty.textContent;
      list.hidden = items.length === 0;
      if (!newestFirst && nearBottom) list.scrollTop = list.scrollHeight;
    };
    const events = ["change:items", "change:label", "change:newest_first", "change:empty"];
    for (const e of events) model.on(e, draw);
    draw();
    return () => {
      for (const e of events) model.off(e, draw);
    };
  },
};
