// Shared by the input widgets. Every control gets an accessible name: the widget's `label`, else
// (no label) the control's placeholder, else the widget's name in the page ("new_item" is read
// "new item").

const CONTROLS = "input, select, textarea, progress";

/** The widget's name in its page, words apart: the last resort of a control's name. */
function pageName(el) {
  return (el.dataset.numerousWidget ?? "").replaceAll("_", " ");
}

/**
 * A <label> holding the widget's `label` text and its controls; the first control is the one
 * the label names. Returns the label element; the caller puts it in `el`.
 */
export function labelled(model, el, ...controls) {
  const field = document.createElement("label");
  field.className = "numerous-field";
  const label = document.createElement("span");
  label.className = "numerous-label";
  const first = controls[0];
  const named = first.matches(CONTROLS) ? first : first.querySelector(CONTROLS);
  const sync = () => {
    const text = model.get("label") ?? "";
    label.textContent = text;
    label.hidden = text === "";
    if (text === "") named?.setAttribute("aria-label", model.get("placeholder") || pageName(el));
    else named?.removeAttribute("aria-label");
  };
  model.on("change:label", sync);
  model.on("change:placeholder", sync);
  sync();
  field.append(label, ...controls);
  return field;
}

/**
 * A <fieldset> whose <legend> is the widget's `label`: for a widget of several controls (radio
 * buttons, check boxes, two thumbs), so that the group has the name and each control its own,
 * and a click on the group's name ticks nothing.
 */
export function grouped(model, el, className, ...controls) {
  const box = make("fieldset", `numerous-field numerous-group ${className}`);
  const legend = make("legend", "numerous-label");
  const sync = () => {
    const text = model.get("label") ?? "";
    legend.textContent = text;
    legend.hidden = text === "";
    if (text === "") box.setAttribute("aria-label", pageName(el));
    else box.removeAttribute("aria-label");
  };
  model.on("change:label", sync);
  sync();
  box.append(legend, ...controls);
  return box;
}

/**
 * Keeps the keyboard where it was while `draw` replaces part of `root`: the focused element's
 * `data-focus` key is noted before and the element with the same key (or, if that one is
 * disabled now, `fallback`'s) is focused after.
 */
export function keepingFocus(root, draw, fallback = () => null) {
  const focused = root.contains(document.activeElement) ? document.activeElement?.dataset?.focus : undefined;
  draw();
  if (focused === undefined) return;
  const again = root.querySelector(`[data-focus="${CSS.escape(focused)}"]`);
  const target = again && !again.disabled ? again : fallback(focused);
  target?.focus();
}

/** Creates an element with a class. */
const linked = new Set();
/** Links the stylesheet at `url` (a vendored library's, beside its module) once per page. */
export function linkStylesheet(url) {
  if (linked.has(url)) return;
  linked.add(url);
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = url;
  document.head.append(link);
}

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
