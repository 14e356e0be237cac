// Report counts per tile from the server (GET /api/ops/v1/map/cells) as bubbles at low zoom:
// the province opens fast however many reports there are.
import { api, withQuery } from "../../lib/api.js";
import { maplibregl } from "../../lib/basemap.js";
import { formatNumber, t } from "../../lib/i18n.js";
import { statusColor } from "../../lib/statuses.js";

export class Clusters {
  constructor(map, { maxZoom }) {
    this.map = map;
    this.maxZoom = maxZoom;
    this.params = {};
    this.markers = [];
    this.hidden = false;
    this._timer = null;
    this._request = null;
    map.on("moveend", () => this.refresh());
  }

  setCriteria(params) {
    this.params = params;
    this.refresh();
  }

  setHidden(hidden) {
    this.hidden = hidden;
    this.refresh();
  }

  /** After live events: one request for a burst of them. */
  refreshSoon() {
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this.refresh(), 1000);
  }

  async refresh() {
    const zoom = Math.floor(this.map.getZoom());
    if (this.hidden || zoom >= this.maxZoom) {
      this._draw([]);
      return;
    }
    const b = this.map.getBounds();
    const bbox = [
      Math.max(b.getWest(), -180),
      Math.max(b.getSouth(), -85),
      Math.min(b.getEast(), 180),
      Math.min(b.getNorth(), 85),
    ]
      .map((value) => value.toFixed(5))
      .join(",");
    this._request?.abort();
    this._request = new AbortController();
    try {
      const answer = await api(withQuery("/api/ops/v1/map/cells", { zoom, bbox, ...this.params }), {
        signal: this._request.signal,
      });
      this._draw(answer.cells);
    } catch (error) {
      if (error.name !== "AbortError") console.warn("clusters:", error.message);
    }
  }

  _draw(cells) {
    for (const marker of this.markers) marker.remove();
    this.markers = cells.map((cell) => {
      const [dominant] = Object.entries(cell.statuses).sort((a, b) => b[1] - a[1])[0];
      const element = document.createElement("button");
      element.type = "button";
      element.className = "ops-cluster";
      const size = Math.round(26 + Math.min(Math.log10(cell.count) * 16, 44));
      element.style.cssText = `width:${size}px;height:${size}px;--cluster:${statusColor(dominant)}`;
      element.textContent = formatNumber(cell.count, { notation: "compact" });
      element.setAttribute(
        "aria-label",
        `${formatNumber(cell.count)} – ${t(`status.${dominant}`)}`,
      );
      element.addEventListener("click", (event) => {
        event.stopPropagation();
        this.map.easeTo({ center: [cell.lon, cell.lat], zoom: Math.min(this.map.getZoom() + 2, 18) });
      });
      return new maplibregl.Marker({ element }).setLngLat([cell.lon, cell.lat]).addTo(this.map);
    });
  }
}
