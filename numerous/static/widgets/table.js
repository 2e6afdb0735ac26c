// Table: one page of rows; sorting and paging happen on the server. State: label, columns,
// rows (this page), total, page, page_size, sort_by, descending.
import { make } from "./field.js";

export default {
  render({ model, el }) {
    const box = make("div", "numerous-table");
    const send = (state) => {
      for (const [k, v] of Object.entries(state)) model.set(k, v);
      model.save_changes();
    };
    const sync = () => {
      const columns = model.get("columns") ?? [];
      const sortBy = model.get("sort_by");
      const desc = model.get("descending");
      const table = make("table", "");
      if (model.get("label")) table.append(make("caption", "", { textContent: model.get("label") }));
      const head = table.createTHead().insertRow();
      for (const c of columns) {
        const th = make("th", sortBy === c ? "numerous-sorted" : "");
        const b = make("button", "numerous-table-sort", { type: "button" });
        b.textContent = c + (sortBy === c ? (desc ? " ▼" : " ▲") : "");
        b.addEventListener("click", () =>
          send({ sort_by: c, descending: sortBy === c ? !desc : false }),
        );
        th.append(b);
        head.append(th);
      }
      const body = table.createTBody();
      for (const row of model.get("rows") ?? []) {
        const tr = body.insertRow();
        for (const cell of row) {
          const td = tr.insertCell();
          td.textContent = cell == null ? "" : typeof cell === "object" ? JSON.stringify(cell) : String(cell);
          if (typeof cell === "number") td.className = "numerous-num";
        }
      }
      const total = model.get("total") ?? 0;
      const size = Math.max(1, model.get("page_size") ?? 20);
      const pages = Math.max(1, Math.ceil(total / size));
      const page = model.get("page") ?? 0;
      const nav = make("div", "numerous-table-pages");
      const prev = make("button", "numerous-btn numerous-btn-secondary", { type: "button", textContent: "‹ Previous", disabled: page === 0 });
      const next = make("button", "numerous-btn numerous-btn-secondary", { type: "button", textContent: "Next ›", disabled: page + 1 >= pages });
      prev.dataset.page = "prev";
      next.dataset.page = "next";
      prev.addEventListener("click", () => send({ page: page - 1 }));
      next.addEventListener("click", () => send({ page: page + 1 }));
      const where = make("span", "numerous-label", { textContent: `Page ${page + 1} of ${pages} · ${total} rows` });
      nav.append(prev, where, next);
      box.replaceChildren(table, nav);
    };
    model.on("change", sync);
    sync();
    el.replaceChildren(box);
    return () => model.off("change", sync);
  },
};
