// Shared by the input widgets: a <label> holding the widget's `label` text and its controls.
// Returns the label element; the caller puts it in `el`.
export function labelled(model, ...controls) {
  const field = document.createElement("label");
  field.className = "numerous-field";
  const label = document.createElement("span");
  label.className = "numerous-label";
  const sync = () => {
    label.textContent = model.get("label") ?? "";
  };
  model.on("change:label", sync);
  sync();
  field.append(label, ...controls);
  return field;
}

/** Creates an element with a class. */
export function make(tag, className, props = {}) {
  const node = document.createElement(tag);
  node.className = className;
  return Object.assign(node, props);
}

/** Shows the server-made (and server-sanitized) `html` field; returns the cleanup. */
export function htmlView(model, el, className) {
  const box = make("div", className);
  const sync = () => {
    box.innerHTML = model.get("html") ?? "";
  };
  model.on("change:html", sync);
  sync();
  el.replaceChildren(box);
  return () => model.off("change:html", sync);
}
