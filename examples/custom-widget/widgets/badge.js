// @ts-check
// The anywidget >= 0.9 form: the default export is a function returning { initialize, render }.
// State: text, tone.
/** @returns {Promise<import("./badge.js").Widget>} */
export default async function () {
  let renders = 0;
  return {
    initialize({ model }) {
      model.on("change:text", () => {});
    },
    render({ model, el, experimental }) {
      renders += 1;
      const badge = document.createElement("span");
      badge.className = "badge";
      const sync = () => {
        badge.textContent = model.get("text");
        badge.dataset.tone = model.get("tone");
      };
      model.on("change", sync);
      sync();
      el.replaceChildren(badge);
      el.dataset.renders = String(renders);
      el.dataset.invoke = typeof experimental?.invoke;
      return () => model.off("change", sync);
    },
  };
}
