// Table: one page of rows; sorting, searching and paging happen on the server. State: label,
// columns, rows (this page), total (rows the search shows), all, page, page_size, sort_by,
// descending, searchable, search, select ("none", "one", "many"), key, selected (keys), formats.
//
// Each header is a button that sorts by its column (`aria-sort` says which and how); a column of
// numbers is aligned right, header included. A column's width can be dragged, or set from the
// keyboard on its resize handle (a `separator`, arrows). The table is drawn again on each change,
// the keyboard kept on the control that had it; the search box stays, so typing is never cut.
import { keepingFocus, make } from "./field.js";

/** How a cell shows under its column's format (`number:2`, `currency:EUR`, `date`...). */
function formatter(spec) {
  if (!spec || spec === "text") return null;
  const [kind, arg] = spec.split(":");
  const decimals = arg === undefined ? {} : { minimumFractionDigits: +arg, maximumFractionDigits: +arg };
  const number = (options) => {
    const f = new Intl.NumberFormat(undefined, options);
    return (v) => (typeof v === "number" ? f.format(v) : null);
  };
  const date = (options) => {
    const f = new Intl.DateTimeFormat(undefined, options);
    const utc = new Intl.DateTimeFormat(undefined, { ...options, timeZone: "UTC" });
    return (v) => {
      // A date without a time is a calendar day: shown as written, whatever the time zone.
      if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v)) return utc.format(new Date(`${v}T00:00:00Z`));
      const d = typeof v === "number" ? new Date(v * 1000) : typeof v === "string" ? new Date(v) : null;
      return d && !Number.isNaN(d.getTime()) ? f.format(d) : null;
    };
  };
  switch (kind) {
    case "number": return number(decimals);
    case "currency": return number({ style: "currency", currency: arg });
    case "percent": return number({ style: "percent", ...decimals });
    case "date": return date({ dateStyle: "medium" });
    case "datetime": return date({ dateStyle: "medium", timeStyle: "short" });
    default: return null;
  }
}

const text = (cell) => (cell == null ? "" : typeof cell === "object" ? JSON.stringify(cell) : String(cell));
const SELECT = "\u0000select";

export default {
  render({ model, el }) {
    const box = make("div", "numerous-table");
    const area = make("div", "numerous-table-area");
    const send = (state) => {
      // A search still being typed goes with it, first.
      if (typing !== null && !("search" in state)) {
        clearTimeout(typing);
        typing = null;
        state = { search: search.value, ...state };
      }
      for (const [k, v] of Object.entries(state)) model.set(k, v);
      model.save_changes();
    };

    // The search box: drawn once, so the caret and what is being typed survive every redraw.
    const search = make("input", "numerous-input numerous-table-search", { type: "search", placeholder: "Search…" });
    search.autocomplete = "off";
    // A search typed but not sent yet (`typing`) is sent before anything else the user does,
    // and the box is not set back to the model's older search meanwhile.
    let typing = null;
    const flush = () => {
      if (typing === null) return;
      clearTimeout(typing);
      typing = null;
      send({ search: search.value });
    };
    search.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(flush, 200);
    });
    search.addEventListener("keydown", (e) => e.key === "Enter" && flush());
    search.addEventListener("blur", flush);
    // What a search found, said to a screen reader (the pager is drawn again on each change).
    const found = make("span", "numerous-visually-hidden");
    found.setAttribute("aria-live", "polite");

    // Column widths the user set (by column name), kept across redraws.
    const widths = new Map();
    const resizer = (th, name, label) => {
      const handle = make("span", "numerous-table-resize", { tabIndex: 0, role: "separator" });
      handle.setAttribute("aria-orientation", "vertical");
      handle.setAttribute("aria-label", `Resize column ${label}`);
      handle.setAttribute("aria-valuemin", "40");
      handle.setAttribute("aria-valuemax", "1200");
      handle.dataset.focus = `resize:${name}`;
      handle.addEventListener("focus", () => handle.setAttribute("aria-valuenow", String(Math.max(40, widths.get(name) ?? th.offsetWidth))));
      const table = () => th.closest("table");
      // The first resize fixes every column at its width now, so the others stay where they are.
      const fix = () => {
        if (widths.size === 0) for (const h of table().tHead.rows[0].cells) widths.set(h.dataset.column, h.offsetWidth);
      };
      const set = (w) => {
        widths.set(name, Math.max(40, Math.min(1200, Math.round(w))));
        applyWidths(table());
        handle.setAttribute("aria-valuenow", String(widths.get(name)));
      };
      handle.addEventListener("keydown", (e) => {
        const step = e.shiftKey ? 64 : 16;
        const by = { ArrowLeft: -step, ArrowRight: step, ArrowDown: -step, ArrowUp: step }[e.key];
        if (by === undefined) return;
        e.preventDefault();
        fix();
        set((widths.get(name) ?? th.offsetWidth) + by);
      });
      handle.addEventListener("pointerdown", (e) => {
        e.preventDefault();
        fix();
        const x0 = e.clientX;
        const w0 = widths.get(name) ?? th.offsetWidth;
        handle.setPointerCapture(e.pointerId);
        const move = (m) => set(w0 + m.clientX - x0);
        const up = () => {
          handle.removeEventListener("pointermove", move);
          for (const end of ["pointerup", "pointercancel", "lostpointercapture"]) handle.removeEventListener(end, up);
        };
        handle.addEventListener("pointermove", move);
        for (const end of ["pointerup", "pointercancel", "lostpointercapture"]) handle.addEventListener(end, up);
      });
      th.append(handle);
    };
    const applyWidths = (table) => {
      if (widths.size === 0 || !table) return;
      let sum = 0;
      for (const th of table.tHead.rows[0].cells) {
        const w = widths.get(th.dataset.column) ?? th.offsetWidth;
        th.style.width = `${w}px`;
        sum += w;
      }
      table.style.tableLayout = "fixed";
      table.style.width = `${sum}px`;
    };

    const draw = () => {
      const columns = model.get("columns") ?? [];
      const rows = model.get("rows") ?? [];
      const sortBy = model.get("sort_by");
      const desc = model.get("descending");
      const formats = model.get("formats") ?? {};
      const mode = model.get("select") ?? "none";
      const label = model.get("label") || "the table";
      const keyAt = Math.max(0, columns.indexOf(model.get("key") ?? columns[0]));
      const selected = new Set((model.get("selected") ?? []).map((k) => JSON.stringify(k)));
      const shown = columns.map((c) => formatter(formats[c]));
      // A column is numeric when its format is a number's or its first value here is a number.
      const numeric = columns.map((c, i) => {
        const kind = (formats[c] ?? "").split(":")[0];
        if (["number", "currency", "percent"].includes(kind)) return true;
        if (["date", "datetime", "text"].includes(kind)) return false;
        const first = rows.find((r) => r[i] != null);
        return typeof first?.[i] === "number";
      });

      search.hidden = !model.get("searchable");
      search.setAttribute("aria-label", `Search ${label}`);
      if (document.activeElement !== search && typing === null) search.value = model.get("search") ?? "";

      const table = make("table", "");
      if (model.get("label")) table.append(make("caption", "", { textContent: model.get("label") }));
      const head = table.createTHead().insertRow();
      if (mode !== "none") {
        const th = make("th", "numerous-table-pick");
        th.scope = "col";
        th.dataset.column = SELECT;
        if (mode === "many") {
          // Ticks (or clears) every row of this page, keeping what is selected on other pages.
          const all = make("input", "", { type: "checkbox" });
          // Each key once; a row without one cannot be selected.
          const keys = [...new Map(rows.filter((r) => r[keyAt] != null).map((r) => [JSON.stringify(r[keyAt]), r[keyAt]])).values()];
          const on = keys.filter((k) => selected.has(JSON.stringify(k))).length;
          all.checked = keys.length > 0 && on === keys.length;
          all.indeterminate = on > 0 && on < keys.length;
          all.disabled = keys.length === 0;
          all.setAttribute("aria-label", "Select every row of this page");
          all.dataset.focus = "select-all";
          all.addEventListener("change", () => {
            const page = new Set(keys.map((k) => JSON.stringify(k)));
            const kept = (model.get("selected") ?? []).filter((k) => !page.has(JSON.stringify(k)));
            send({ selected: all.checked ? [...kept, ...keys] : kept });
          });
          th.append(all);
        } else {
          th.append(make("span", "numerous-visually-hidden", { textContent: "Selected" }));
        }
        head.append(th);
      }
      columns.forEach((c, i) => {
        const sorted = sortBy === c;
        const th = make("th", numeric[i] ? "numerous-num" : "");
        th.scope = "col";
        th.dataset.column = c;
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
        resizer(th, c, c);
        head.append(th);
      });
      const body = table.createTBody();
      for (const row of rows) {
        const tr = body.insertRow();
        const key = row[keyAt];
        if (mode !== "none" && key != null) {
          const on = selected.has(JSON.stringify(key));
          tr.dataset.selected = String(on);
          const td = tr.insertCell();
          td.className = "numerous-table-pick";
          const pick = make("input", "", { type: "checkbox", checked: on });
          pick.setAttribute("aria-label", `Select row ${text(key)}`);
          pick.dataset.focus = `select:${JSON.stringify(key)}`;
          pick.dataset.key = JSON.stringify(key);
          pick.addEventListener("change", () => {
            const now = (model.get("selected") ?? []).filter((k) => JSON.stringify(k) !== JSON.stringify(key));
            send({ selected: pick.checked ? (mode === "one" ? [key] : [...now, key]) : now });
          });
          td.append(pick);
        } else if (mode !== "none") {
          tr.insertCell().className = "numerous-table-pick";
        }
        row.forEach((cell, i) => {
          const td = tr.insertCell();
          td.textContent = shown[i]?.(cell) ?? text(cell);
          if (numeric[i]) td.className = "numerous-num";
        });
      }
      const total = model.get("total") ?? 0;
      const all = model.get("all") ?? total;
      if (rows.length === 0) {
        const td = body.insertRow().insertCell();
        td.colSpan = columns.length + (mode !== "none" ? 1 : 0);
        td.className = "numerous-table-empty";
        const query = model.get("search");
        td.textContent = query ? `No row contains “${query}”.` : "No rows yet.";
      }
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
      const count = total === all ? `${total} rows` : `${total} of ${all} rows`;
      const picked = mode !== "none" && selected.size > 0 ? ` · ${selected.size} selected` : "";
      const where = make("span", "numerous-label", { textContent: `Page ${page + 1} of ${pages} · ${count}${picked}` });
      const said = total === all ? "" : `${total} of ${all} rows match.`;
      if (found.textContent !== said) found.textContent = said;
      nav.append(prev, where, next);
      area.replaceChildren(table, nav);
      applyWidths(table);
      for (const th of head.cells) {
        const w = widths.get(th.dataset.column) ?? th.offsetWidth;
        th.querySelector(".numerous-table-resize")?.setAttribute("aria-valuenow", String(Math.max(40, Math.round(w))));
      }
    };
    // Paged to the first or last page, the button pressed is disabled: the other one takes over.
    const other = (key) =>
      key === "next" || key === "prev" ? box.querySelector(`[data-focus="${key === "next" ? "prev" : "next"}"]`) : null;
    const sync = () => keepingFocus(area, draw, other);
    model.on("change", sync);
    box.append(search, found, area);
    draw();
    el.replaceChildren(box);
    return () => {
      clearTimeout(typing ?? undefined);
      model.off("change", sync);
    };
  },
};
