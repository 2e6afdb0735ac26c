// Download: a button whose click handler produces a file; the browser saves each new file once.
// State: label, file {name, mime, size}, nonce. The bytes come over HTTP (model.download), not
// in the state, so a reload does not carry them again.
export default {
  render({ model, el }) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "numerous-btn numerous-btn-secondary";
    let saved = model.get("nonce") ?? 0;
    const sync = async () => {
      button.textContent = model.get("label") ?? "";
      const nonce = model.get("nonce") ?? 0;
      const file = model.get("file");
      if (nonce === saved || !file) return;
      saved = nonce;
      try {
        const blob = await model.download(nonce);
        const url = URL.createObjectURL(blob);
        const a = Object.assign(document.createElement("a"), { href: url, download: file.name });
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
        el.dataset.saved = file.name;
      } catch (error) {
        console.warn(`numerous: ${error.message}`);
      }
    };
    button.addEventListener("click", () => model.send({ event: "click" }));
    model.on("change", sync);
    sync();
    el.replaceChildren(button);
    return () => model.off("change", sync);
  },
};
