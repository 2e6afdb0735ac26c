// @ts-check
// An ordinary anywidget module: it would run unchanged in Jupyter or marimo.
// State: choices, counts, note (writable). Messages: sends {emoji}, receives {flash}.
// The JSDoc types come from reactions.d.ts, which the build writes from the struct (`types`).

/** @param {import("./reactions.js").InitializeProps} props */
function initialize({ model }) {
  model.set("note", model.get("note") ?? "");
}

/** @param {import("./reactions.js").RenderProps} props */
function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "reactions";
  const buttons = document.createElement("div");
  buttons.className = "reactions-buttons";
  const note = document.createElement("input");
  note.className = "reactions-note";
  note.placeholder = "Add a note…";

  const draw = () => {
    const counts = model.get("counts") ?? {};
    buttons.replaceChildren(
      ...(model.get("choices") ?? []).map((emoji) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "reactions-button";
        b.dataset.emoji = emoji;
        b.textContent = `${emoji} ${counts[emoji] ?? 0}`;
        b.addEventListener("click", () => model.send({ emoji }));
        return b;
      }),
    );
    if (document.activeElement !== note) note.value = model.get("note") ?? "";
  };
  const onMessage = (msg) => {
    /** @type {HTMLElement | null} */
    const b = buttons.querySelector(`[data-emoji="${CSS.escape(msg.flash ?? "")}"]`);
    if (!b) return;
    b.classList.remove("reactions-flash");
    void b.offsetWidth;
    b.classList.add("reactions-flash");
    root.dataset.lastFlash = msg.flash;
  };
  note.addEventListener("change", () => {
    model.set("note", note.value);
    model.save_changes();
  });

  model.on("change:counts", draw);
  model.on("change:choices", draw);
  model.on("change:note", draw);
  model.on("msg:custom", onMessage);
  draw();
  root.append(buttons, note);
  el.replaceChildren(root);
  return () => {
    model.off("change:counts", draw);
    model.off("change:choices", draw);
    model.off("change:note", draw);
    model.off("msg:custom", onMessage);
  };
}

export default { initialize, render };
