// Image: from a URL or inline bytes. State: src, label.
import { make } from "./field.js";

export default {
  render({ model, el }) {
    const figure = make("figure", "numerous-image");
    const img = make("img", "");
    const caption = make("figcaption", "numerous-label");
    const sync = () => {
      const src = model.get("src") ?? "";
      if (src) img.src = src;
      else img.removeAttribute("src");
      img.alt = model.get("label") ?? "";
      caption.textContent = model.get("label") ?? "";
      img.hidden = !src;
    };
    model.on("change", sync);
    sync();
    figure.append(img, caption);
    el.replaceChildren(figure);
    return () => model.off("change", sync);
  },
};
