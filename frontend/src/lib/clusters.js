// Report counts per tile from the server (a `/map/cells` answer) drawn as bubbles: the low
// zooms of a map, and any view holding more reports than the points endpoint returns.
import { maplibregl } from "./basemap.js";
import { formatNumber, t } from "./i18n.js";
import { statusColor } from "./statuses.js";

export class ClusterMarkers {
  constructor(map) {
    this.map = map;
    this.markers = [];
    this.cells = [];
  }

  /** The total drawn (tests and tiles read it). */
  get total() {
    return this.cells.reduce((sum, cell) => sum + cell.count, 0);
  }

  draw(cells) {
    for (const marker of this.markers) marker.remove();
    this.cells = cells;
    this.markers = cells.map((cell) => {
      const [dominant] = Object.entries(cell.statuses).sort((a, b) => b[1] - a[1])[0];
      const element = document.createElement("button");
      element.type = "button";
      element.className = "map-cluster";
      const size = Math.round(26 + Math.min(Math.log10(cell.count) * 16, 44));
      element.style.cssText = `width:${size}px;height:${size}px;--cluster:${statusColor(dominant)}`;
      element.textContent = formatNumber(cell.count, { notation: "compact" });
      element.setAttribute("aria-label", `${formatNumber(cell.count)} – ${t(`status.${dominant}`)}`);
      element.addEventListener("click", (event) => {
        event.stopPropagation();
        this.map.easeTo({ center: [cell.lon, cell.lat], zoom: Math.min(this.map.getZoom() + 2, 18) });
      });
      return new maplibregl.Marker({ element }).setLngLat([cell.lon, cell.lat]).addTo(this.map);
    });
  }
}
