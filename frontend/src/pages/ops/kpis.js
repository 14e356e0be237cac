// KPI tiles: received today, in progress and overdue from the live map state; on-time % and
// satisfaction % from the statistics endpoint (last 30 days), refreshed every minute.
import { api, withQuery } from "../../lib/api.js";
import { formatNumber, onLocaleChange, t } from "../../lib/i18n.js";
import { isOverdue } from "../../lib/reportlayer.js";

const TILES = ["today", "in_progress", "overdue", "on_time", "satisfaction"];

function localDay(offsetDays = 0) {
  const date = new Date(Date.now() + 7 * 3600 * 1000 + offsetDays * 86400 * 1000);
  return date.toISOString().slice(0, 10); // Vietnam's date (UTC+7)
}

export class Kpis {
  constructor(section, layer) {
    this.section = section;
    this.layer = layer;
    this.values = { today: null, in_progress: null, overdue: null, on_time: null, satisfaction: null };
    section.innerHTML = TILES.map(
      (key) => `<div class="ops-kpi" data-kpi="${key}"><b aria-live="polite">–</b><span data-i18n="ops.kpi.${key}">${t(`ops.kpi.${key}`)}</span></div>`,
    ).join("");
    onLocaleChange(() => this._draw());
  }

  start() {
    this._loadStatistics();
    setInterval(() => this._loadStatistics(), 60_000);
  }

  onEvent(event) {
    if (event.type === "report.created" && this.values.today !== null) this.values.today += 1;
    this.refresh();
    if (["report.resolved", "report.rated"].includes(event.type)) this._loadStatisticsSoon();
  }

  refresh() {
    const points = [...this.layer.points.values()];
    const now = Date.now();
    this.values.in_progress = points.filter((p) => p.status === "in_progress").length;
    this.values.overdue = points.filter((p) => isOverdue(p, now)).length;
    this._draw();
  }

  _loadStatisticsSoon() {
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._loadStatistics(), 2000);
  }

  async _loadStatistics() {
    try {
      const [today, month] = await Promise.all([
        api(withQuery("/api/ops/v1/statistics", { group_by: "category", since: localDay(), until: localDay(1) })),
        api(withQuery("/api/ops/v1/statistics", { group_by: "agency" })),
      ]);
      this.values.today = today.items.reduce((sum, row) => sum + row.received, 0);
      this.values.on_time = weighted(month.items, "on_time_percent", (row) => row.resolved);
      this.values.satisfaction = weighted(month.items, "satisfaction_percent", (row) =>
        Object.values(row.satisfaction || {}).reduce((a, b) => a + b, 0),
      );
      this._draw();
    } catch (error) {
      console.warn("statistics:", error.message);
    }
  }

  _draw() {
    for (const key of TILES) {
      const value = this.values[key];
      const percent = key === "on_time" || key === "satisfaction";
      const text =
        value === null ? "–" : percent ? `${formatNumber(value, { maximumFractionDigits: 0 })}%` : formatNumber(value);
      const tile = this.section.querySelector(`[data-kpi=${key}]`);
      tile.querySelector("b").textContent = text;
      tile.dataset.value = value ?? "";
    }
  }
}

function weighted(rows, field, weightOf) {
  let total = 0;
  let sum = 0;
  for (const row of rows) {
    const weight = weightOf(row);
    if (row[field] === null || row[field] === undefined || !weight) continue;
    total += weight;
    sum += row[field] * weight;
  }
  return total ? sum / total : null;
}
