// Reads a field the struct does not have, listens to another, and sends a message.
export default {
  render({ model, el }) {
    el.textContent = model.get("labl");
    model.on("change:valeu", () => {});
    model.send({ clicked: true });
  },
};
