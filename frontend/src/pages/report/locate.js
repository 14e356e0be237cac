// Where the problem is: the device's position, or a pin the citizen drags (or puts down with a
// tap) on a small map of the province's boundaries.
import { createBaseMap, maplibregl } from "../../lib/basemap.js";

export function createLocator(container, { onChange }) {
  const { map, ready } = createBaseMap(container, { theme: "light" });
  let marker = null;
  let position = null; // {lon, lat, accuracy_m}

  function place(lon, lat, accuracy = null) {
    position = { lon, lat, accuracy_m: accuracy };
    if (!marker) {
      marker = new maplibregl.Marker({ draggable: true, color: "#d62828" }).setLngLat([lon, lat]).addTo(map);
      marker.on("dragend", () => {
        const { lng, lat: newLat } = marker.getLngLat();
        position = { lon: lng, lat: newLat, accuracy_m: null };
        onChange(position);
      });
    } else {
      marker.setLngLat([lon, lat]);
    }
    onChange(position);
  }

  map.on("click", (event) => place(event.lngLat.lng, event.lngLat.lat));

  /** Ask the device; resolves to the position or rejects with the browser's reason. */
  function fromDevice() {
    return new Promise((resolve, reject) => {
      if (!navigator.geolocation) {
        reject(new Error("geolocation unavailable"));
        return;
      }
      navigator.geolocation.getCurrentPosition(
        (found) => {
          const { longitude, latitude, accuracy } = found.coords;
          place(longitude, latitude, Math.round(accuracy));
          ready.then(() => map.jumpTo({ center: [longitude, latitude], zoom: 15 }));
          resolve(position);
        },
        (error) => reject(error),
        { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
      );
    });
  }

  return {
    map,
    ready,
    fromDevice,
    place,
    get position() {
      return position;
    },
  };
}
