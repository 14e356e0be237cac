// A MapLibre map whose base layer is the province's administrative boundaries, served by this
// app: it works with no internet. A configured online style (IOC_MAP_STYLE_URL) replaces it.
import * as maplibregl from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";
import { boot } from "./boot.js";

// The worker ships as its own module; Vite copies it next to the page's files.
maplibregl.setWorkerUrl(workerUrl);

const AREAS_URL = "/api/public/v1/areas.geojson";

function offlineStyle(theme) {
  const dark = theme === "dark";
  return {
    version: 8,
    sources: {
      communes: { type: "geojson", data: `${AREAS_URL}?level=commune` },
      provinces: { type: "geojson", data: `${AREAS_URL}?level=province` },
    },
    layers: [
      { id: "background", type: "background", paint: { "background-color": dark ? "#07101c" : "#dfe8f1" } },
      {
        id: "commune-fill",
        type: "fill",
        source: "communes",
        paint: { "fill-color": dark ? "#10213a" : "#f7f9fb", "fill-opacity": 0.95 },
      },
      {
        id: "commune-line",
        type: "line",
        source: "communes",
        paint: { "line-color": dark ? "#2c4a72" : "#9fb3c8", "line-width": 0.8 },
      },
      {
        id: "province-line",
        type: "line",
        source: "provinces",
        paint: { "line-color": dark ? "#5d8fd0" : "#4a6a8c", "line-width": 2.2 },
      },
    ],
  };
}

/** Creates the map in `container`; resolves once the style is loaded and the view fits the province. */
export function createBaseMap(container, { theme = "dark" } = {}) {
  const map = new maplibregl.Map({
    container,
    style: boot.map_style_url || offlineStyle(theme),
    center: [106.7, 16.0],
    zoom: 5,
    attributionControl: false,
    // No glyphs or sprites are served: the maps draw no text layers, only shapes and HTML markers.
    localIdeographFontFamily: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
  map.addControl(new maplibregl.ScaleControl(), "bottom-left");
  const ready = new Promise((resolve) => {
    map.once("load", async () => {
      await fitProvince(map);
      resolve(map);
    });
  });
  return { map, ready };
}

async function fitProvince(map) {
  try {
    const response = await fetch(`${AREAS_URL}?level=province`);
    const areas = await response.json();
    const bounds = new maplibregl.LngLatBounds();
    for (const feature of areas.features) {
      for (const polygon of feature.geometry.type === "Polygon"
        ? [feature.geometry.coordinates]
        : feature.geometry.coordinates) {
        for (const [lon, lat] of polygon[0]) bounds.extend([lon, lat]);
      }
    }
    if (bounds.isEmpty()) return;
    const fit = () => map.fitBounds(bounds, { padding: 24, animate: false });
    fit();
    // The page's layout may still be settling (or the wall screen changes size): keep the
    // whole province in view until someone moves the map by hand.
    let movedByHand = false;
    const noteHand = (event) => {
      if (event.originalEvent) movedByHand = true;
    };
    map.on("dragstart", noteHand);
    map.on("zoomstart", noteHand);
    map.on("resize", () => {
      if (!movedByHand) fit();
    });
  } catch (error) {
    console.warn("could not fit the province:", error.message);
  }
}

export { maplibregl };
