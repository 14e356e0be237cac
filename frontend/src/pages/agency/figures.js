// "Số liệu": the agency's own figures for a period (this month, last month, this year or
// chosen days) from GET /api/agency/v1/statistics — the numbers the public scorecard shows for
// it — as tiles and a table by category, the export of its reports for the same period, and,
// for the manager, the figures per officer (GET /api/agency/v1/statistics/officers).
import { api, withQuery } from "../../lib/api.js";
import { escapeHtml } from "../../lib/html.js";
import { formatNumber, t } from "../../lib/i18n.js";
import { isManager } from "./team.js";

const TIME_ZONE = "Asia/Ho_Chi_Minh";
const PERIODS = ["this_month", "last_month", "this_year", "custom"];
const TILES = ["received", "on_time", "late", "extended", "returned", "satisfaction"];
const OFFICER_COLUMNS = ["assigned", "resolved", "on_time", "late", "open_overdue"];

function iso(year, month, day) {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.toISOString().slice(0, 10);
}

/** Today's date in Vietnam as [year, month, day]. */
function localToday(now = new Date()) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" })
    .format(now)
    .split("-")
    .map(Number);
  return parts;
}

/** {since, until} local days (until exclusive) of a named period; null for "custom". */
export function periodDays(name, now = new Date()) {
  const [y, m] = localToday(now);
  if (name === "this_month") return { since: iso(y, m, 1), until: iso(y, m + 1, 1) };
  if (name === "last_month") return { since: iso(y, m - 1, 1), until: iso(y, m, 1) };
  if (name === "this_year") return { since: iso(y, 1, 1), until: iso(y + 1, 1, 1) };
  return null;
}

/** The counts a row of the statistics answer gives for each column. */
function counts(row) {
  const resolved = row.resolved || 0;
  const late = row.resolved_late || 0;
  return {
    received: row.received || 0,
    on_time: resolved - late,
    on_time_percent: row.on_time_percent,
    late,
    extended: row.extended || 0,
    returned: row.returned || 0,
    satisfaction: row.satisfaction_percent,
  };
}

function number(value) {
  return value === null || value === undefined ? "–" : formatNumber(value);
}

function percent(value) {
  return value === null || value === undefined ? "–" : `${formatNumber(value)} %`;
}

function cell(key, c) {
  if (key === "satisfaction") return percent(c.satisfaction);
  if (key === "on_time") {
    return `${number(c.on_time)}${c.on_time_percent === null || c.on_time_percent === undefined ? "" : ` (${percent(c.on_time_percent)})`}`;
  }
  return number(c[key]);
}

export class FiguresView {
  constructor(section) {
    this.section = section;
    this.period = "this_month";
    this.custom = { since: "", until: "" };
    this.data = null;
    this.officers = null;
    this.error = null;
  }

  /** The period asked for, or null when the chosen days are incomplete. */
  days() {
    if (this.period !== "custom") return periodDays(this.period);
    const { since, until } = this.custom;
    // The form asks for the last day included; the API wants the day after it.
    if (!since || !until) return null;
    const [y, m, d] = until.split("-").map(Number);
    return { since, until: iso(y, m, d + 1) };
  }

  async load() {
    const days = this.days();
    this.error = null;
    if (!days) {
      this.render();
      return;
    }
    try {
      const [total, byCategory, officers] = await Promise.all([
        api(withQuery("/api/agency/v1/statistics", { group_by: "agency", ...days })),
        api(withQuery("/api/agency/v1/statistics", { group_by: "category", ...days })),
        isManager ? api(withQuery("/api/agency/v1/statistics/officers", days)).catch(() => null) : null,
      ]);
      this.data = { total: total.items, rows: byCategory.items };
      this.officers = officers?.items || null;
    } catch (error) {
      this.error = error.message;
    }
    this.render();
  }

  render() {
    const days = this.days();
    const exportLink = (fmt) =>
      days
        ? `<a class="ioc-button" data-testid="export-${fmt}" href="${escapeHtml(
            withQuery(`/api/agency/v1/exports/reports.${fmt}`, days),
          )}" download>${t(`figures.export_${fmt}`)}</a>`
        : "";
    this.section.innerHTML = `<h1 id="figures-title">${t("figures.title")}</h1>
      <form class="row figures-period" data-period-form>
        <label for="figures-period">${t("figures.period")}</label>
        <select id="figures-period" name="period" data-testid="figures-period">${PERIODS.map(
          (p) => `<option value="${p}"${p === this.period ? " selected" : ""}>${t(`figures.period.${p}`)}</option>`,
        ).join("")}</select>
        <span data-custom ${this.period === "custom" ? "" : "hidden"}>
          <label for="figures-since">${t("figures.since")}</label>
          <input type="date" id="figures-since" name="since" value="${escapeHtml(this.custom.since)}">
          <label for="figures-until">${t("figures.until")}</label>
          <input type="date" id="figures-until" name="until" value="${escapeHtml(this.custom.until)}">
        </span>
        ${exportLink("csv")}${exportLink("xlsx")}
      </form>
      ${this.error ? `<p class="notice is-error" role="alert">${escapeHtml(this.error)}</p>` : ""}
      ${this.data ? this.tiles() + this.table() + this.officerTable() : ""}`;
  }

  tiles() {
    const total = this.data.total.reduce(
      (sum, row) => {
        const c = counts(row);
        for (const key of Object.keys(sum)) sum[key] = c[key] === null ? sum[key] : (sum[key] ?? 0) + c[key];
        return sum;
      },
      { received: 0, on_time: 0, late: 0, extended: 0, returned: 0 },
    );
    // Percentages come from the server as it computes them (one row for the agency).
    const one = this.data.total.length === 1 ? counts(this.data.total[0]) : {};
    total.on_time_percent = one.on_time_percent ?? null;
    total.satisfaction = one.satisfaction ?? null;
    return `<div class="figure-tiles" data-testid="figure-tiles">${TILES.map(
      (key) => `<div class="figure-tile" data-figure="${key}"><b>${cell(key, total)}</b><span>${t(`figures.${key}`)}</span></div>`,
    ).join("")}</div>`;
  }

  table() {
    if (!this.data.rows.length) return `<p class="empty">${t("figures.none")}</p>`;
    return `<table class="figures-table" data-testid="figures-table">
      <caption>${t("figures.by_category")}</caption>
      <thead><tr><th scope="col">${t("figures.category")}</th>${TILES.map((k) => `<th scope="col">${t(`figures.${k}`)}</th>`).join("")}</tr></thead>
      <tbody>${this.data.rows
        .map((row) => {
          const c = counts(row);
          return `<tr><th scope="row">${escapeHtml(row.name)}</th>${TILES.map((k) => `<td>${cell(k, c)}</td>`).join("")}</tr>`;
        })
        .join("")}</tbody></table>`;
  }

  officerTable() {
    if (!isManager || !this.officers) return "";
    return `<table class="figures-table" data-testid="officer-figures">
      <caption>${t("figures.by_officer")}</caption>
      <thead><tr><th scope="col">${t("figures.officer")}</th>${OFFICER_COLUMNS.map(
        (k) => `<th scope="col">${t(`figures.officer.${k}`)}</th>`,
      ).join("")}</tr></thead>
      <tbody>${this.officers
        .map(
          (o) =>
            `<tr data-officer="${escapeHtml(o.username)}"><th scope="row">${escapeHtml(o.full_name)}</th>${OFFICER_COLUMNS.map(
              (k) => `<td>${number(o[k])}</td>`,
            ).join("")}</tr>`,
        )
        .join("")}</tbody></table>`;
  }

  /** Wires the period form (call once). */
  listen() {
    this.section.addEventListener("change", (event) => {
      const form = event.target.closest("[data-period-form]");
      if (!form) return;
      this.period = form.elements.period.value;
      this.custom = { since: form.elements.since.value, until: form.elements.until.value };
      this.load();
    });
  }
}
