// Download: a button whose click handler produces a file; the browser saves each new file once.
// State: label, file {name, mime, data (base64)}, nonce.
export default {
  render({ model, el }) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "numerous-btn numerous-btn-secondary";
    let saved = model.get("nonce") ?? 0;
    const sync = () => {
      button.textContent = model.get("label") ?? "";
      const nonce = model.get("nonce") ?? 0;
      const file = model.get("file");
      if (nonce !== saved && file) {
        saved = nonce;
        const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
        const url = URL.createObjectURL(new Blob([bytes], { type: file.mime }));
        const a = Object.assign(document.createElement("a"), { href: url, download: file.name });
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
      }
    };
    button.addEventListener("click", () => model.send({ event: "click" }));
    model.on("change", sync);
    sync();
    el.replaceChildren(button);
    return () => model.off("change", sync);
  },
};
