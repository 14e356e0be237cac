// Reports drawn as points coloured by status, with an optional heat map and a red pulse on
// overdue ones. Holds the drawn state, so pages (and tests) can ask what a report looks like.
import { STATUS_COLORS, statusColor } from "./statuses.js";

const SOURCE = "reports";
const colorExpression = ["match", ["get", "status"], ...Object.entries(STATUS_COLORS).flat(), "#cccccc"];
const RUNNING = new Set(["receipt", "resolution"]);

/**
 * Whether the point's running deadline has passed. Points carry the clock the server says runs
 * (`clock`: receipt, resolution, paused or none) and its deadline (null while paused or
 * finished), so a paused report is never overdue whatever its stored deadlines say.
 */
export function isOverdue(point, now = Date.now()) {
  return RUNNING.has(point.clock) && !!point.deadline && Date.parse(point.deadline) < now;
}

export class ReportLayer {
  constructor(map, { minZoom = 0, beforeId } = {}) {
    this.map = map;
    this.points = new Map();
    this.filter = () => true;
    this._pending = false;
    map.addSource(SOURCE, { type: "geojson", data: this._collection() });
    map.addLayer(
      {
        id: "reports-heat",
        type: "heatmap",
        source: SOURCE,
        layout: { visibility: "none" },
        paint: {
          "heatmap-radius": ["interpolate", ["linear"], ["zoom"], 8, 14, 15, 30],
          "heatmap-intensity": 0.8,
          "heatmap-opacity": 0.85,
        },
      },
      beforeId,
    );
    map.addLayer(
      {
        id: "reports-overdue",
        type: "circle",
        source: SOURCE,
        filter: ["==", ["get", "overdue"], true],
        paint: {
          "circle-color": "#ff3b3b",
          "circle-radius": 10,
          "circle-opacity": 0.35,
          "circle-stroke-color": "#ff3b3b",
          "circle-stroke-width": 1.5,
        },
      },
      beforeId,
    );
    map.addLayer(
      {
        id: "reports-points",
        type: "circle",
        source: SOURCE,
        minzoom: minZoom,
        paint: {
          "circle-color": colorExpression,
          "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 3.5, 14, 7, 18, 10],
          "circle-stroke-color": "#0b1320",
          "circle-stroke-width": 1,
        },
      },
      beforeId,
    );
    this._pulse();
  }

  /** Replace every point (a snapshot). */
  replaceAll(points) {
    this.points = new Map(points.map((point) => [point.ref, point]));
    this._redraw();
  }

  /** Add or update points (keeps the others). */
  upsert(...points) {
    for (const point of points) {
      const known = this.points.get(point.ref);
      this.points.set(point.ref, known ? { ...known, ...point } : point);
    }
    this._redraw();
  }

  remove(ref) {
    if (this.points.delete(ref)) this._redraw();
  }

  setFilter(predicate) {
    this.filter = predicate;
    this._redraw();
  }

  /** The status the report is drawn with, or null when it is not on the map. */
  statusOf(ref) {
    const point = this.points.get(ref);
    return point && this.filter(point) ? point.status : null;
  }

  /** Whether the report is drawn as overdue, or null when it is not on the map. */
  overdueOf(ref) {
    const point = this.points.get(ref);
    return point && this.filter(point) ? isOverdue(point) : null;
  }

  colorOf(ref) {
    const status = this.statusOf(ref);
    return status ? statusColor(status) : null;
  }

  visible() {
    return [...this.points.values()].filter(this.filter);
  }

  setHeatmap(on) {
    this.map.setLayoutProperty("reports-heat", "visibility", on ? "visible" : "none");
  }

  _collection() {
    const now = Date.now();
    return {
      type: "FeatureCollection",
      features: this.visible().map((point) => ({
        type: "Feature",
        geometry: { type: "Point", coordinates: [point.lon, point.lat] },
        properties: { ref: point.ref, status: point.status, overdue: isOverdue(point, now) },
      })),
    };
  }

  _redraw() {
    // Many events can arrive in one frame; draw once.
    if (this._pending) return;
    this._pending = true;
    requestAnimationFrame(() => {
      this._pending = false;
      this.map.getSource(SOURCE)?.setData(this._collection());
    });
  }

  _pulse() {
    const started = performance.now();
    const step = (time) => {
      const phase = ((time - started) % 1600) / 1600;
      if (this.map.getLayer("reports-overdue")) {
        this.map.setPaintProperty("reports-overdue", "circle-radius", 8 + phase * 14);
        this.map.setPaintProperty("reports-overdue", "circle-opacity", 0.45 * (1 - phase));
      }
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }
}
