// FileUpload: the chosen file goes to the server over HTTP; files over max_bytes are refused
// here and on the server. State: label, accept, max_bytes, file_name, file_size.
import { labelled, make } from "./field.js";

export default {
  render({ model, el }) {
    const input = make("input", "numerous-input", { type: "file" });
    const status = make("span", "numerous-upload-status");
    const sync = () => {
      input.accept = model.get("accept") ?? "";
      const name = model.get("file_name");
      status.textContent = name ? `${name} (${model.get("file_size")} bytes)` : "";
      status.classList.remove("numerous-upload-error");
    };
    const fail = (message) => {
      status.textContent = message;
      status.classList.add("numerous-upload-error");
    };
    input.addEventListener("change", async () => {
      const file = input.files?.[0];
      if (!file) return;
      const max = model.get("max_bytes");
      if (max != null && file.size > max) {
        fail(`${file.name} is ${file.size} bytes, over the limit of ${max} bytes`);
        input.value = "";
        return;
      }
      status.textContent = `Uploading ${file.name}…`;
      try {
        await model.upload(file);
      } catch (error) {
        fail(error.message);
      }
      input.value = "";
    });
    model.on("change", sync);
    sync();
    el.replaceChildren(labelled(model, el, input, status));
    return () => model.off("change", sync);
  },
};
