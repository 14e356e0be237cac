// KPI tiles: received today, in progress and overdue (receipt and handling clocks apart) from
// the server's exact counters (GET /api/ops/v1/kpis, also in the snapshot), refreshed after
// live events and every minute; on-time % and satisfaction % from the statistics endpoint
// (last 30 days). Nothing is counted from the points drawn: a view shows only part of them.
import { api, withQuery } from "../../lib/api.js";
import { formatNumber, onLocaleChange, t } from "../../lib/i18n.js";

const TILES = ["today", "in_progress", "overdue", "on_time", "satisfaction"];
const COUNTER_EVENTS = /^report\./;

export class Kpis {
  constructor(section) {
    this.section = section;
    this.values = { today: null, in_progress: null, overdue: null, on_time: null, satisfaction: null };
    this.overdue = null; // {receipt, resolution, total}
    section.innerHTML = TILES.map(
      (key) => `<div class="ops-kpi" data-kpi="${key}"><b aria-live="polite">–</b><span data-i18n="ops.kpi.${key}">${t(`ops.kpi.${key}`)}</span>${
        key === "overdue" ? '<small data-role="overdue-split"></small>' : ""
      }</div>`,
    ).join("");
    onLocaleChange(() => this._draw());
  }

  start() {
    this._loadStatistics();
    setInterval(() => {
      this.refresh();
      this._loadStatistics();
    }, 60_000);
  }

  /** Counters from the server (the snapshot's `kpis`, or /kpis). */
  show(kpis) {
    if (!kpis) return;
    this.values.today = kpis.received_today;
    this.values.in_progress = kpis.in_progress;
    this.values.overdue = kpis.overdue.total;
    this.overdue = kpis.overdue;
    this._draw();
  }

  onEvent(event) {
    if (COUNTER_EVENTS.test(event.type || "")) this._refreshSoon();
    if (["report.resolved", "report.rated"].includes(event.type)) this._loadStatisticsSoon();
  }

  async refresh() {
    try {
      this.show(await api("/api/ops/v1/kpis"));
    } catch (error) {
      console.warn("kpis:", error.message);
    }
  }

  _refreshSoon() {
    // A burst of events costs one request.
    clearTimeout(this._countTimer);
    this._countTimer = setTimeout(() => this.refresh(), 1000);
  }

  _loadStatisticsSoon() {
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._loadStatistics(), 2000);
  }

  async _loadStatistics() {
    try {
      const month = await api(withQuery("/api/ops/v1/statistics", { group_by: "agency" }));
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
    const split = this.section.querySelector("[data-role=overdue-split]");
    split.textContent = this.overdue
      ? t("ops.kpi.overdue_split", {
          receipt: formatNumber(this.overdue.receipt),
          resolution: formatNumber(this.overdue.resolution),
        })
      : "";
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
