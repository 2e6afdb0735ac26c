// Table: one page of rows; sorting and paging happen on the server. State: label, columns,
// rows (this page), total, page, page_size, sort_by, descending.
//
// Each header is a button that sorts by its column (`aria-sort` says which and how); a column of
// numbers is aligned right, header included. The table is drawn again on each change, the
// keyboard kept on the button that had it.
import { keepingFocus, make } from "./field.js";

export default {
  render({ model, el }) {
    const box = make("div", "numerous-table");
    const send = (state) => {
      for (const [k, v] of Object.entries(state)) model.set(k, v);
      model.save_changes();
    };
    const draw = () => {
      const columns = model.get("columns") ?? [];
      const rows = model.get("rows") ?? [];
      const sortBy = model.get("sort_by");
      const desc = model.get("descending");
      // A column is numeric when its first value on this page is a number.
      const numeric = columns.map((_, i) => {
        const first = rows.find((r) => r[i] != null);
        return typeof first?.[i] === "number";
      });
      const table = make("table", "");
      if (model.get("label")) table.append(make("caption", "", { textContent: model.get("label") }));
      const head = table.createTHead().insertRow();
      columns.forEach((c, i) => {
        const sorted = sortBy === c;
        const th = make("th", numeric[i] ? "numerous-num" : "");
        th.scope = "col";
        th.setAttribute("aria-sort", sorted ? (desc ? "descending" : "ascending") : "none");
        const b = make("button", "numerous-table-sort", { type: "button", textContent: c });
        b.dataset.focus = `sort:${c}`;
        // ▲ or ▼ on the sorted column, a faint ↕ on the others: each header sorts.
        const mark = make("span", "numerous-table-mark", { ariaHidden: "true" });
        mark.textContent = sorted ? (desc ? "▼" : "▲") : "↕";
        mark.dataset.sorted = String(sorted);
        b.append(mark);
        b.addEventListener("click", () => send({ sort_by: c, descending: sorted ? !desc : false }));
        th.append(b);
        head.append(th);
      });
      const body = table.createTBody();
      for (const row of rows) {
        const tr = body.insertRow();
        row.forEach((cell, i) => {
          const td = tr.insertCell();
          td.textContent = cell == null ? "" : typeof cell === "object" ? JSON.stringify(cell) : String(cell);
          if (numeric[i] || typeof cell === "number") td.className = "numerous-num";
        });
      }
      const total = model.get("total") ?? 0;
      const size = Math.max(1, model.get("page_size") ?? 20);
      const pages = Math.max(1, Math.ceil(total / size));
      const page = model.get("page") ?? 0;
      const nav = make("div", "numerous-table-pages");
      const prev = make("button", "numerous-btn numerous-btn-secondary", { type: "button", textContent: "‹ Previous", disabled: page === 0 });
      const next = make("button", "numerous-btn numerous-btn-secondary", { type: "button", textContent: "Next ›", disabled: page + 1 >= pages });
      prev.dataset.page = prev.dataset.focus = "prev";
      next.dataset.page = next.dataset.focus = "next";
      prev.addEventListener("click", () => send({ page: page - 1 }));
      next.addEventListener("click", () => send({ page: page + 1 }));
      const where = make("span", "numerous-label", { textContent: `Page ${page + 1} of ${pages} · ${total} rows` });
      nav.append(prev, where, next);
      box.replaceChildren(table, nav);
    };
    // Paged to the first or last page, the button pressed is disabled: the other one takes over.
    const other = (key) =>
      key === "next" || key === "prev" ? box.querySelector(`[data-focus="${key === "next" ? "prev" : "next"}"]`) : null;
    const sync = () => keepingFocus(box, draw, other);
    model.on("change", sync);
    draw();
    el.replaceChildren(box);
    return () => model.off("change", sync);
  },
};
