// MapPicker: a point or a region picked on a map drawn by Leaflet (vendor/leaflet.js,
// BSD-2-Clause, embedded: no network of its own; tiles only from the URL the app gives).
// State: label, tiles, attribution, center, zoom, mode ("point" | "region"), point, region.
//
// Pointer: a click puts the point; in region mode a drag draws the rectangle (the wheel and
// the keyboard still move the map; on a touch screen, pinch to the area and use the area in
// view). Keyboard: the map takes the arrows and +/-; the latitude and longitude boxes take a
// point typed in; "Use the area in view" makes the region. The attribution is text.
import * as L from "./vendor/leaflet.js";
import { linkStylesheet, make } from "./field.js";

const round = (x) => Math.round(x * 1e6) / 1e6;
const clamp = (x, m) => Math.max(-m, Math.min(m, x));
/** A place on the earth, as the server takes it: longitude within ±180, latitude ±90. */
const onEarth = (latlng) => {
  const w = latlng.wrap();
  return [round(clamp(w.lat, 90)), round(clamp(w.lng, 180))];
};
/** Text as HTML (Leaflet writes an attribution as HTML; the app gave text). */
const escapeHtml = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const format = new Intl.NumberFormat(undefined, { maximumFractionDigits: 5 });

/** Lines of latitude and longitude every 30° (every 10° closer in): a map without tiles. */
function graticule() {
  const lines = [];
  for (let lat = -80; lat <= 80; lat += 10) lines.push([[lat, -180], [lat, 180]]);
  for (let lon = -180; lon <= 180; lon += 10) lines.push([[-85, lon], [85, lon]]);
  return L.polyline(lines, { className: "numerous-map-grid", interactive: false, weight: 1 });
}

export default {
  render({ model, el }) {
    linkStylesheet(new URL("./vendor/leaflet.css", import.meta.url).href);
    const key = el.dataset.numerousWidget ?? "map";
    const box = make("div", "numerous-map");
    const label = make("div", "numerous-label");
    label.id = `numerous-map-label-${key}`;
    const area = make("div", "numerous-map-area");
    const said = make("p", "numerous-map-said");
    said.setAttribute("aria-live", "polite");
    const form = make("form", "numerous-map-form");
    const field = (text) => {
      const wrap = make("label", "numerous-field");
      const input = make("input", "numerous-input", { type: "number", step: "any" });
      wrap.append(make("span", "numerous-label", { textContent: text }), input);
      return [wrap, input];
    };
    const [latField, lat] = field("Latitude");
    const [lonField, lon] = field("Longitude");
    lat.min = "-90";
    lat.max = "90";
    lon.min = "-180";
    lon.max = "180";
    const put = make("button", "numerous-btn numerous-btn-secondary", { type: "submit", textContent: "Put the point there" });
    const useView = make("button", "numerous-btn numerous-btn-secondary", { type: "button", textContent: "Use the area in view" });
    form.append(latField, lonField, put, useView);
    box.append(label, area, said, form);
    el.replaceChildren(box);

    const map = L.map(area, {
      center: model.get("center") ?? [20, 0],
      zoom: model.get("zoom") ?? 2,
      attributionControl: false,
      boxZoom: false,
      // One world: a point's longitude is within ±180.
      maxBounds: [[-90, -180], [90, 180]],
      maxBoundsViscosity: 1,
    });
    // The map is one Tab stop that takes the arrows and +/-: say so, and name it.
    area.setAttribute("role", "application");
    area.setAttribute("aria-roledescription", "map");
    area.setAttribute("aria-describedby", said.id = `numerous-map-said-${key}`);
    let tiles = null;
    let grid = null;
    let attribution = null;
    let marker = null;
    let rect = null;

    const send = (name, value) => {
      model.set(name, value);
      model.save_changes();
    };
    const region = () => model.get("mode") === "region";

    map.on("click", (e) => {
      if (region()) return;
      send("point", onEarth(e.latlng));
    });
    // Region mode: a drag draws the rectangle (the map does not pan under the pointer then).
    let start = null;
    let drawing = null;
    map.on("mousedown", (e) => {
      if (!region()) return;
      start = e.latlng;
      drawing = L.rectangle(L.latLngBounds(start, start), { className: "numerous-map-region" }).addTo(map);
    });
    map.on("mousemove", (e) => {
      if (drawing) drawing.setBounds(L.latLngBounds(start, e.latlng));
    });
    const finish = (e) => {
      if (!drawing) return;
      const b = L.latLngBounds(start, e.latlng ?? start);
      drawing.remove();
      drawing = null;
      start = null;
      if (b.getSouthWest().equals(b.getNorthEast())) return;
      send("region", [
        [round(clamp(b.getSouth(), 90)), round(clamp(b.getWest(), 180))],
        [round(clamp(b.getNorth(), 90)), round(clamp(b.getEast(), 180))],
      ]);
    };
    map.on("mouseup", finish);
    useView.addEventListener("click", () => {
      const b = map.getBounds();
      send("region", [
        [round(clamp(b.getSouth(), 90)), round(clamp(b.getWest(), 180))],
        [round(clamp(b.getNorth(), 90)), round(clamp(b.getEast(), 180))],
      ]);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const p = [Number(lat.value), Number(lon.value)];
      if (lat.value === "" || lon.value === "" || !form.checkValidity()) {
        form.reportValidity();
        return;
      }
      send("point", p.map(round));
      map.panTo(p);
    });

    let shownView = null;
    const sync = () => {
      label.textContent = model.get("label") ?? "";
      label.hidden = !label.textContent;
      area.setAttribute("aria-label", label.textContent ? `${label.textContent}: map` : "Map");
      // Tiles from the app's URL, or the grid.
      const url = model.get("tiles") ?? "";
      if ((tiles?._url ?? "") !== url) {
        tiles?.remove();
        tiles = null;
        if (url) tiles = L.tileLayer(url, { maxZoom: 19 }).addTo(map);
      }
      if (!url && !grid) grid = graticule().addTo(map);
      if (url && grid) {
        grid.remove();
        grid = null;
      }
      const credit = model.get("attribution") ?? "";
      attribution?.remove();
      attribution = credit ? L.control.attribution({ prefix: false }).addAttribution(escapeHtml(credit)).addTo(map) : null;
      // The view the server set (a handler may move it); the user's own moves stay otherwise.
      const view = JSON.stringify([model.get("center"), model.get("zoom")]);
      if (view !== shownView) {
        shownView = view;
        map.setView(model.get("center") ?? [20, 0], model.get("zoom") ?? 2, { animate: false });
      }
      const isRegion = region();
      map.dragging[isRegion ? "disable" : "enable"]();
      latField.hidden = lonField.hidden = put.hidden = isRegion;
      useView.hidden = !isRegion;
      const point = model.get("point");
      marker?.remove();
      marker = null;
      const r = model.get("region");
      rect?.remove();
      rect = null;
      if (!isRegion && point) {
        marker = L.circleMarker(point, { radius: 8, className: "numerous-map-point", interactive: false }).addTo(map);
        lat.value = point[0];
        lon.value = point[1];
        said.textContent = `Point: latitude ${format.format(point[0])}, longitude ${format.format(point[1])}.`;
      } else if (isRegion && r) {
        rect = L.rectangle(r, { className: "numerous-map-region", interactive: false }).addTo(map);
        said.textContent = `Region: latitudes ${format.format(r[0][0])} to ${format.format(r[1][0])}, longitudes ${format.format(r[0][1])} to ${format.format(r[1][1])}.`;
      } else {
        said.textContent = isRegion ? "No region yet: drag on the map, or use the area in view." : "No point yet: click the map, or type a latitude and longitude.";
      }
    };
    const events = ["change"];
    for (const e of events) model.on(e, sync);
    sync();
    // Laid out again when its size changes (a map in a hidden tab: when it is shown), at once
    // and on the view the server set, until the user moves it.
    let moved = false;
    for (const e of ["mousedown", "keydown", "wheel", "touchstart"]) {
      area.addEventListener(e, () => (moved = true), { passive: true });
    }
    const resized = new ResizeObserver(() => {
      map.invalidateSize({ pan: false });
      if (!moved) map.setView(model.get("center") ?? [20, 0], model.get("zoom") ?? 2, { animate: false });
    });
    resized.observe(area);
    return () => {
      for (const e of events) model.off(e, sync);
      resized.disconnect();
      map.remove();
    };
  },
};
