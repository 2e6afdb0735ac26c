// The module of `numerous::widget`'s doc example: reads its two fields, sends a message.
export default {
  render({ model, el }) {
    const draw = () => {
      el.className = model.get("className");
      el.textContent = model.get("text");
    };
    model.on("change", draw);
    draw();
    el.addEventListener("click", () => model.send({ clicked: true }));
  },
};
