// Modal: a native <dialog> holding the template's markup marked {{ m.content() }}. State:
// title, open, dismissible. The server opens and closes it; the user may close it (Esc, the
// Close button) when it is dismissible, which sends open = false.
import { make } from "./field.js";

export default {
  render({ model, el }) {
    const key = el.dataset.numerousWidget;
    const dialog = make("dialog", "numerous-dialog");
    const header = make("div", "numerous-dialog-header");
    const title = make("h2", "numerous-dialog-title");
    title.id = `numerous-dialog-title-${key}`;
    dialog.setAttribute("aria-labelledby", title.id);
    const close = make("button", "numerous-dialog-close");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", () => dialog.close());
    header.append(title, close);
    dialog.append(header);
    // The content stays where the template put it until the dialog is drawn; a marker keeps
    // its place for when the widget is drawn again.
    const content = document.querySelector(`[data-numerous-modal="${CSS.escape(key)}"]`);
    const marker = document.createComment("numerous-dialog");
    if (content) {
      content.before(marker);
      content.hidden = false;
      content.classList.add("numerous-dialog-body");
      dialog.append(content);
    }
    el.replaceChildren(dialog);

    dialog.addEventListener("cancel", (event) => {
      if (!model.get("dismissible")) event.preventDefault();
    });
    dialog.addEventListener("close", () => {
      // Closed by the user (Esc, Close): the server hears of it. Closed by the server: it knows.
      if (model.get("open")) {
        model.set("open", false);
        model.save_changes();
      }
    });
    const sync = () => {
      title.textContent = model.get("title") ?? "";
      close.hidden = !model.get("dismissible");
      const open = Boolean(model.get("open"));
      if (open && !dialog.open) dialog.showModal();
      else if (!open && dialog.open) dialog.close();
    };
    const events = ["change:open", "change:title", "change:dismissible"];
    for (const e of events) model.on(e, sync);
    sync();
    return () => {
      for (const e of events) model.off(e, sync);
      if (dialog.open) dialog.close();
      if (content) {
        content.hidden = true;
        marker.replaceWith(content);
      }
    };
  },
};
