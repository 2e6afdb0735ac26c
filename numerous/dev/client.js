// numerous-dev's side of the page (served by debug builds under `numerous-dev` only, at
// `<base>/numerous-dev/client.js`; a release binary has none of it).

/**
 * Under `numerous-dev`: the build's status from `<base>/numerous-dev/events`. A failed build's
 * errors show over the page (the previous binary keeps serving), and a changed stylesheet is
 * fetched again without a reload.
 */
export function follow(config) {
  const style = document.createElement("style");
  style.textContent = `
.numerous-dev-error { position: fixed; inset: auto 1rem 1rem 1rem; z-index: 1000; max-height: 60vh; overflow: auto; padding: 1rem; border-radius: 8px; background: #1e1e24; color: #f8fafc; border: 2px solid #f87171; box-shadow: 0 8px 24px rgb(0 0 0 / 0.35); font-size: 0.85rem; }
.numerous-dev-error pre { white-space: pre-wrap; margin: 0.5rem 0 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
`;
  document.head.append(style);
  const events = new EventSource(`${config.base}/numerous-dev/events`);
  let css = null;
  // The template edits this page's markup has (the build that served it counted them).
  const reload = config.dev.reload ?? 0;
  let overlay = null;
  events.addEventListener("message", (event) => {
    let status;
    try {
      status = JSON.parse(event.data);
    } catch {
      return;
    }
    if (status.build === "failed") {
      overlay ??= document.body.appendChild(document.createElement("div"));
      overlay.className = "numerous-dev-error";
      overlay.setAttribute("role", "alert");
      const title = document.createElement("strong");
      title.textContent = "The build failed; the page runs the last build that worked.";
      const text = document.createElement("pre");
      text.textContent = status.error ?? "";
      overlay.replaceChildren(title, text);
    } else if (overlay) {
      overlay.remove();
      overlay = null;
    }
    if (css !== null && status.css !== css) {
      for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
        const url = new URL(link.href);
        url.searchParams.set("numerous-dev", String(status.css));
        link.href = url.href;
      }
    }
    css = status.css;
    // A template (or a static file other than a stylesheet) changed since this page was
    // served: once the build with it serves, the page loads again, on the same session.
    if (status.build === "ok" && status.reload > reload) {
      location.reload();
    }
  });
}
