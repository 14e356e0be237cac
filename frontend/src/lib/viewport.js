// What a map shows of its viewport, always complete: below `pointZoom` the tiles' counts
// (clusters); at `pointZoom` and above every report in view as a point — unless the view holds
// more than the server returns at once, then clusters of finer tiles instead of a cut list.
// Points are also kept at low zoom when the whole view fits in one answer, so live changes and
// overdue pulses stay visible. Reloads on every move, on filter changes and on `resync`.
import { api, withQuery } from "./api.js";
import { ClusterMarkers } from "./clusters.js";

/** The points endpoint's largest answer (POINT_CAP in ioc/maps/points.py). */
export const POINT_CAP = 5000;

export class ViewportReports {
  /**
   * layer: a ReportLayer; urls: { points, cells } (the /map/reports and /map/cells endpoints).
   */
  constructor(map, layer, { urls, pointZoom }) {
    this.map = map;
    this.layer = layer;
    this.urls = urls;
    this.pointZoom = pointZoom;
    this.params = {};
    this.clusters = new ClusterMarkers(map);
    this.mode = "idle"; // "points" (every report in view is a point) or "clusters"
    this.pointsLoaded = false; // whether the layer holds every report in view
    this.hidden = false;
    this._request = null;
    this._timer = null;
    this._changed = null; // live payloads received while a load is in flight
    map.on("moveend", () => this.refresh());
  }

  setCriteria(params) {
    this.params = params;
    return this.refresh();
  }

  /** Heat map on: no bubbles over it (the points stay loaded). */
  setHidden(hidden) {
    this.hidden = hidden;
    return this.refresh();
  }

  /** A live event's map payload: drawn at once when it is in view, counted at the next load. */
  onChange(payload) {
    if (this._changed) this._changed.push(payload);
    this._apply(payload);
    this.refreshSoon();
  }

  /** After live events: one reload for a burst of them. */
  refreshSoon() {
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this.refresh(), 1000);
  }

  /** Reload the view; resolves once the newest load has drawn (a newer move supersedes). */
  refresh() {
    this._latest = this._load();
    return this._latest;
  }

  async _load() {
    clearTimeout(this._timer);
    this._request?.abort();
    const request = new AbortController();
    this._request = request;
    this._changed = [];
    const zoom = Math.floor(this.map.getZoom());
    const query = { bbox: this._bbox(), ...this.params };
    const get = (url, extra = {}) => api(withQuery(url, { ...query, ...extra }), { signal: request.signal });
    try {
      let points = null;
      let cells = [];
      if (zoom < this.pointZoom) {
        const answer = await get(this.urls.cells, { zoom });
        cells = answer.cells;
        if (answer.total <= POINT_CAP) points = await get(this.urls.points);
      } else {
        points = await get(this.urls.points);
        if (points.truncated) {
          points = null;
          cells = (await get(this.urls.cells, { zoom })).cells;
        }
      }
      if (request.signal.aborted) return this._latest;
      this.mode = points && zoom >= this.pointZoom ? "points" : "clusters";
      this.pointsLoaded = points !== null;
      this.layer.replaceAll(points ? points.reports : []);
      this.clusters.draw(this.hidden ? [] : cells);
      // Changes announced while the answer was on its way may be newer than it.
      for (const payload of this._changed) this._apply(payload);
      this._changed = null;
    } catch (error) {
      if (error.name === "AbortError") return this._latest;
      console.warn("map view:", error.message);
    }
    return undefined;
  }

  _apply(payload) {
    // Too many to draw one by one: the clusters' next load counts it.
    if (!this.pointsLoaded) return;
    if (this._inView(payload)) this.layer.upsert(payload);
    else this.layer.remove(payload.ref);
  }

  _inView(point) {
    const bounds = this.map.getBounds();
    return bounds.contains([point.lon, point.lat]);
  }

  _bbox() {
    const b = this.map.getBounds();
    return [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -85), Math.min(b.getEast(), 180), Math.min(b.getNorth(), 85)]
      .map((value) => value.toFixed(5))
      .join(",");
  }
}
