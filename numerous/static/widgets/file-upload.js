// FileUpload: a drop zone (or the system's file picker) whose files go to the server over HTTP,
// one after the other, with their progress; files over max_bytes or outside accept are refused
// here and on the server. State: label, accept, max_bytes, multiple, file_name, file_size,
// received ({name, size} of each file of the last batch).
import { make } from "./field.js";

let zones = 0;

/**
 * Whether `file` is one the `accept` attribute takes (".csv, text/plain, image/*"): the picker
 * applies it, a dropped file must be checked here (and the server checks again).
 */
function accepts(accept, file) {
  const rules = accept.split(",").map((r) => r.trim().toLowerCase()).filter(Boolean);
  const name = file.name.toLowerCase();
  const type = (file.type ?? "").toLowerCase();
  return (
    rules.length === 0 ||
    rules.some((r) =>
      r.startsWith(".") ? name.endsWith(r) : r.endsWith("/*") ? type.startsWith(r.slice(0, -1)) : type === r,
    )
  );
}

/** "2 KB", "1.4 MB": a size as people read it (1 KB is 1,024 bytes, as the limits are set). */
export function formatBytes(n) {
  const units = ["bytes", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${i === 0 ? n : n.toLocaleString(undefined, { maximumFractionDigits: 1 })} ${units[i]}`;
}

export default {
  render({ model, el }) {
    const id = `numerous-upload-${++zones}`;
    const field = make("div", "numerous-field");
    const label = make("span", "numerous-label", { id: `${id}-label` });
    // The zone is a <label> around the real file input: a click, Enter or Space opens the
    // picker; a file dropped on it goes the same way as a picked one.
    const zone = make("label", "numerous-drop");
    const input = make("input", "numerous-visually-hidden", { type: "file" });
    input.setAttribute("aria-labelledby", `${id}-label`);
    input.setAttribute("aria-describedby", `${id}-hint`);
    const call = make("span", "numerous-drop-call");
    const browse = make("span", "numerous-drop-browse", { textContent: "choose one" });
    call.append("Drop a file here or ", browse);
    const hint = make("span", "numerous-drop-hint", { id: `${id}-hint` });
    zone.append(input, call, hint);
    const progress = make("progress", "numerous-progress", { max: 1, hidden: true });
    progress.setAttribute("aria-labelledby", `${id}-label`);
    const status = make("span", "numerous-upload-status");
    status.setAttribute("role", "status");
    field.append(label, zone, progress, status);

    let busy = false;
    const sync = () => {
      label.textContent = model.get("label") || (model.get("multiple") ? "Files" : "File");
      input.accept = model.get("accept") ?? "";
      input.multiple = !!model.get("multiple");
      call.firstChild.textContent = model.get("multiple") ? "Drop files here or " : "Drop a file here or ";
      browse.textContent = model.get("multiple") ? "choose them" : "choose one";
      const accept = (model.get("accept") ?? "").split(",").map((a) => a.trim()).filter(Boolean);
      const max = model.get("max_bytes");
      const each = model.get("multiple") ? "each " : "";
      hint.textContent = [accept.join(", "), max != null ? `${each}up to ${formatBytes(max)}` : ""].filter(Boolean).join(" · ");
      // While a batch goes, the status says which file is on its way.
      if (busy) return;
      const received = model.get("received") ?? [];
      status.textContent = received.map((f) => `${f.name} · ${formatBytes(f.size ?? 0)}`).join(", ");
      status.classList.remove("numerous-upload-error");
    };
    const fail = (message) => {
      status.textContent = message;
      status.classList.add("numerous-upload-error");
    };
    // Every file is checked before the first is sent; a file the server refuses stops the
    // batch there, and the status names it.
    const send = async (picked) => {
      const files = [...(picked ?? [])];
      if (files.length === 0 || busy) return;
      if (files.length > 1 && !model.get("multiple")) {
        fail("Drop one file at a time.");
        return;
      }
      const max = model.get("max_bytes");
      for (const file of files) {
        if (!accepts(model.get("accept") ?? "", file)) {
          fail(`${file.name} is not one of the accepted types (${model.get("accept")})`);
          return;
        }
        if (max != null && file.size > max) {
          fail(`${file.name} is ${file.size} bytes, over the limit of ${max} bytes`);
          return;
        }
      }
      status.classList.remove("numerous-upload-error");
      busy = true;
      zone.classList.add("numerous-drop-busy");
      progress.hidden = false;
      try {
        for (const [i, file] of files.entries()) {
          const place = files.length > 1 ? ` (${i + 1} of ${files.length})` : "";
          status.textContent = `Uploading ${file.name}${place}, ${formatBytes(file.size)}…`;
          progress.value = 0;
          const batch = model.get("multiple") ? { part: i + 1, of: files.length } : {};
          await model.upload(file, { onProgress: (share) => (progress.value = share), ...batch });
        }
        busy = false;
        // The same file again changes no state, so no change event says it arrived.
        sync();
      } catch (error) {
        busy = false;
        fail(error.message);
      } finally {
        progress.hidden = true;
        zone.classList.remove("numerous-drop-busy");
      }
    };
    input.addEventListener("change", () => {
      const files = [...(input.files ?? [])];
      input.value = "";
      send(files);
    });
    for (const type of ["dragenter", "dragover"]) {
      zone.addEventListener(type, (event) => {
        event.preventDefault();
        zone.classList.add("numerous-drop-over");
      });
    }
    for (const type of ["dragleave", "drop"]) {
      zone.addEventListener(type, () => zone.classList.remove("numerous-drop-over"));
    }
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      send(event.dataTransfer?.files);
    });
    model.on("change", sync);
    sync();
    el.replaceChildren(field);
    return () => model.off("change", sync);
  },
};
