// A module whose keys are not Rust identifiers: `className`, `static`.
export default {
  render({ model, el }) {
    el.className = model.get("className");
    el.textContent = model.get("static");
  },
};
