// Writes a field the browser may not write.
export default {
  render({ model, el }) {
    el.addEventListener("click", () => {
      model.set("label", "clicked");
      model.save_changes();
    });
  },
};
