// RangeSlider: one track with two handles, value [low, high]. State: label, value, min, max, step.
// Two range inputs share the track: only their handles take the pointer, and the filled part
// between them is drawn underneath.
import { grouped, make } from "./field.js";

export default {
  render({ model, el }) {
    const low = make("input", "numerous-slider", { type: "range" });
    const high = make("input", "numerous-slider", { type: "range" });
    const fill = make("div", "numerous-range-fill");
    const track = make("div", "numerous-range-track");
    track.append(fill, low, high);
    // The range as a sighted user reads it; each thumb tells a screen reader its own value.
    const output = make("output", "numerous-slider-value", { ariaHidden: "true" });
    const paint = (a, b) => {
      const min = Number(model.get("min") ?? 0);
      const max = Number(model.get("max") ?? 100);
      const span = max > min ? max - min : 1;
      fill.style.left = `${((a - min) / span) * 100}%`;
      fill.style.width = `${((b - a) / span) * 100}%`;
      output.textContent = `${a} – ${b}`;
    };
    const sync = () => {
      const name = model.get("label") || "Range";
      low.setAttribute("aria-label", `${name}, minimum`);
      high.setAttribute("aria-label", `${name}, maximum`);
      for (const input of [low, high]) {
        input.min = model.get("min");
        input.max = model.get("max");
        input.step = model.get("step");
      }
      const [a, b] = model.get("value") ?? [0, 0];
      if (low.valueAsNumber !== a) low.value = a;
      if (high.valueAsNumber !== b) high.value = b;
      paint(a, b);
    };
    const send = (moved) => {
      let a = low.valueAsNumber;
      let b = high.valueAsNumber;
      if (a > b) {
        if (moved === low) a = b;
        else b = a;
        low.value = a;
        high.value = b;
      }
      paint(a, b);
      model.set("value", [a, b]);
      model.save_changes();
    };
    low.addEventListener("input", () => send(low));
    high.addEventListener("input", () => send(high));
    model.on("change", sync);
    sync();
    const box = make("span", "numerous-range");
    box.append(track, output);
    el.replaceChildren(grouped(model, el, "", box));
    return () => model.off("change", sync);
  },
};
