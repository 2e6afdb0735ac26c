// @ts-check
// An anywidget module that moves binary data both ways, as Jupyter and marimo modules do:
// it sets a typed array as a value, sends buffers with a message, and reads the buffers of the
// messages it gets (DataViews).

/** @param {import("./sampler.js").RenderProps} props */
function render({ model, el }) {
  const send = document.createElement("button");
  send.type = "button";
  send.textContent = "Send samples";
  const status = document.createElement("output");
  send.addEventListener("click", () => {
    model.set("samples", new Float32Array([0.5, 1.5, 2.5]));
    model.save_changes();
    model.send({ name: "chunk" }, undefined, [new Uint8Array([1, 2, 3, 250])]);
  });
  const onMessage = (content, buffers) => {
    const view = buffers[0];
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    status.textContent = `${content.echo}: ${Array.from(bytes).join(",")}`;
    el.dataset.echo = status.textContent;
  };
  const show = () => {
    const samples = model.get("samples");
    el.dataset.samples =
      samples instanceof DataView ? `${samples.byteLength} bytes` : typeof samples;
  };
  model.on("msg:custom", onMessage);
  model.on("change:samples", show);
  show();
  el.append(send, status);
  return () => {
    model.off("msg:custom", onMessage);
    model.off("change:samples", show);
  };
}

export default { render };
