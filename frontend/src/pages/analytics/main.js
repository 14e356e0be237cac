// Analytics for leadership and supervisors (/ops/analytics): series by week or month, two
// periods compared, agencies ranked with their trend, recurring hotspots on the map, handling
// and receipt distributions, and the monthly report. Every figure comes from
// /api/ops/v1/analytics/..., which reads the rollups; every chart has a table view and a CSV.
//
// Test contract: window.iocAnalytics = { ready, charts: {name: Chart}, panels: {name: Panel} };
// each panel is a <section data-panel=name> with buttons data-action=table and data-action=csv.
import "../../lib/base.css";
import "../../lib/staff.css";
import "./analytics.css";
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { api, withQuery } from "../../lib/api.js";
import { createBaseMap, maplibregl } from "../../lib/basemap.js";
import { mountHeader } from "../../lib/header.js";
import { addMessages, applyTranslations, getLocale, onLocaleChange, t } from "../../lib/i18n.js";
import { messages } from "./messages.js";
import { Panel } from "./panel.js";

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);
addMessages(messages);
mountHeader({ titleKey: "an.title", staff: true, theme: "light" });

const COLORS = ["#1c7ed6", "#2f9e44", "#f08c00", "#e03131", "#7048e8", "#0c8599", "#c2255c", "#5c940d"];
const state = { ready: false, charts: {}, panels: {} };
window.iocAnalytics = state;

const iso = (day) => day.toISOString().slice(0, 10);
const today = new Date();
const tomorrow = new Date(Date.UTC(today.getFullYear(), today.getMonth(), today.getDate() + 1));
const daysBefore = (day, n) => new Date(day.getTime() - n * 86400000);

const app = document.getElementById("app");
app.className = "an-layout";
app.innerHTML = `
  <form class="an-controls" data-role="controls">
    <label><span data-i18n="an.grain"></span>
      <select name="grain"><option value="week" data-i18n="an.week"></option><option value="month" data-i18n="an.month"></option></select></label>
    <label><span data-i18n="an.since"></span><input type="date" name="since" value="${iso(daysBefore(tomorrow, 182))}" required></label>
    <label><span data-i18n="an.until"></span><input type="date" name="until" value="${iso(tomorrow)}" required></label>
    <button class="ioc-button" type="submit" data-i18n="an.load"></button>
    <span style="flex:1"></span>
    <label><span data-i18n="an.month_pick"></span><input type="month" name="month" value="${iso(daysBefore(new Date(Date.UTC(today.getFullYear(), today.getMonth(), 1)), 1)).slice(0, 7)}"></label>
    <a class="ioc-button" data-action="report-xlsx" data-i18n="an.xlsx"></a>
    <a class="ioc-button" data-action="report-html" target="_blank" rel="noopener" data-i18n="an.html"></a>
  </form>`;
const form = app.querySelector("[data-role=controls]");
applyTranslations(app);

function panel(options) {
  const made = new Panel(app, options);
  state.panels[options.name] = made;
  return made;
}

const panels = {
  series: panel({ name: "series", titleKey: "an.series", wide: true }),
  rates: panel({ name: "rates", titleKey: "an.rates" }),
  channels: panel({ name: "channels", titleKey: "an.channels" }),
  compare: panel({
    name: "compare",
    titleKey: "an.compare",
    wide: true,
    controls: `
      <label><span data-i18n="an.period_a"></span><input type="date" name="a_since"></label>
      <label>&nbsp;<input type="date" name="a_until"></label>
      <label><span data-i18n="an.period_b"></span><input type="date" name="b_since"></label>
      <label>&nbsp;<input type="date" name="b_until"></label>
      <label><span data-i18n="an.group_by"></span><select name="group_by">
        ${["channel", "category", "agency", "area"].map((g) => `<option value="${g}" data-i18n="an.by.${g}"></option>`).join("")}
      </select></label>`,
  }),
  ranking: panel({ name: "ranking", titleKey: "an.ranking", wide: true }),
  hotspots: panel({
    name: "hotspots",
    titleKey: "an.hotspots",
    wide: true,
    map: true,
    controls: `<label><span data-i18n="an.min_weeks"></span><input type="number" name="min_weeks" min="2" max="53" value="3"></label>`,
  }),
  receipt_time: panel({ name: "receipt_time", titleKey: "an.receipt_time" }),
  handling: panel({ name: "handling", titleKey: "an.handling" }),
  receipt: panel({ name: "receipt", titleKey: "an.receipt" }),
};
applyTranslations(app);

function draw(name, config) {
  state.charts[name]?.destroy();
  state.charts[name] = new Chart(panels[name].canvas, {
    ...config,
    options: { responsive: true, maintainAspectRatio: false, animation: false, ...(config.options || {}) },
  });
}

const dataset = (label, data, i, extra = {}) => ({
  label,
  data,
  borderColor: COLORS[i % COLORS.length],
  backgroundColor: COLORS[i % COLORS.length],
  ...extra,
});

let last = {};

function renderSeries(series) {
  const labels = series.items.map((p) => p.start);
  draw("series", {
    type: "line",
    data: {
      labels,
      datasets: [
        dataset(t("col.received"), series.items.map((p) => p.received), 0),
        dataset(t("col.resolved"), series.items.map((p) => p.resolved), 1),
        dataset(t("col.on_time"), series.items.map((p) => p.on_time), 2),
        dataset(t("col.late"), series.items.map((p) => p.late), 3),
        dataset(t("col.returned"), series.items.map((p) => p.returned), 4),
      ],
    },
  });
  panels.series.setTable(
    ["col.period", "col.received", "col.resolved", "col.on_time", "col.late", "col.returned"],
    series.items.map((p) => [p.start, p.received, p.resolved, p.on_time, p.late, p.returned]),
  );
  draw("rates", {
    type: "line",
    data: {
      labels,
      datasets: [
        dataset(t("col.on_time_percent"), series.items.map((p) => p.on_time_percent), 2),
        dataset(t("col.satisfaction_percent"), series.items.map((p) => p.satisfaction_percent), 5),
      ],
    },
    options: { scales: { y: { min: 0, max: 100 } } },
  });
  panels.rates.setTable(
    ["col.period", "col.on_time_percent", "col.satisfaction_percent"],
    series.items.map((p) => [p.start, p.on_time_percent, p.satisfaction_percent]),
  );
  const channels = [...new Set(series.items.flatMap((p) => Object.keys(p.by_channel)))].sort();
  draw("channels", {
    type: "bar",
    data: {
      labels,
      datasets: channels.map((c, i) => dataset(c, series.items.map((p) => p.by_channel[c] || 0), i)),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true } } },
  });
  // Channel codes are not message keys: t() gives them back as they are.
  panels.channels.setTable(
    ["col.period", ...channels],
    series.items.map((p) => [p.start, ...channels.map((c) => p.by_channel[c] || 0)]),
  );
}

function renderCompare(result) {
  const labels = result.groups.map((g) => g.name);
  draw("compare", {
    type: "bar",
    data: {
      labels,
      datasets: [
        dataset(t("col.a"), result.groups.map((g) => g.a?.received ?? 0), 0),
        dataset(t("col.b"), result.groups.map((g) => g.b?.received ?? 0), 2),
      ],
    },
  });
  const row = (name, a, b) => [
    name,
    a?.received ?? 0,
    b?.received ?? 0,
    a?.on_time_percent ?? null,
    b?.on_time_percent ?? null,
    a?.satisfaction_percent ?? null,
    b?.satisfaction_percent ?? null,
  ];
  const both = (key) => [`${t(key)} A`, `${t(key)} B`];
  panels.compare.setTable(
    ["col.group", ...both("col.received"), ...both("col.on_time_percent"), ...both("col.satisfaction_percent")],
    [...result.groups.map((g) => row(g.name, g.a, g.b)), row("Σ", result.a, result.b)],
  );
}

function renderRanking(ranking) {
  draw("ranking", {
    type: "bar",
    data: {
      labels: ranking.items.map((a) => `${a.rank}. ${a.name}`),
      datasets: [
        dataset(t("col.on_time_percent"), ranking.items.map((a) => a.on_time_percent), 2),
        dataset(t("col.satisfaction_percent"), ranking.items.map((a) => a.satisfaction_percent), 5),
      ],
    },
    options: { indexAxis: "y", scales: { x: { min: 0, max: 100 } } },
  });
  panels.ranking.setTable(
    ["col.rank", "col.agency", "col.received", "col.resolved", "col.on_time_percent", "col.satisfaction_percent", "col.trend"],
    ranking.items.map((a) => [
      a.rank,
      a.name,
      a.received,
      a.resolved,
      a.on_time_percent,
      a.satisfaction_percent,
      a.trend.map((m) => `${m.month.slice(0, 7)}: ${m.on_time_percent ?? "–"}`).join(" · "),
    ]),
  );
}

let map = null;
let markers = [];
async function renderHotspots(result) {
  if (!map) {
    map = createBaseMap(panels.hotspots.section.querySelector(".an-map"), { theme: "light" });
    await map.ready;
  }
  for (const marker of markers) marker.remove();
  markers = result.items.map((h) => {
    const element = document.createElement("div");
    element.className = "an-hotspot";
    element.title = `${h.category_name}: ${h.reports} (${h.weeks})`;
    element.style.transform = `scale(${Math.min(1 + h.weeks / 8, 2.5)})`;
    const marker = new maplibregl.Marker({ element }).setLngLat([h.lon, h.lat]).addTo(map.map);
    return marker;
  });
  panels.hotspots.setTable(
    ["col.category", "col.weeks", "col.reports", "col.lat", "col.lon"],
    result.items.map((h) => [h.category_name, h.weeks, h.reports, h.lat, h.lon]),
  );
  panels.hotspots.note(t("an.hotspots_more", { shown: result.items.length, total: result.total }));
}

function renderDistributions(result) {
  const label = (r) => (r.to_hours === null ? `≥ ${r.from_hours}` : `${r.from_hours}–${r.to_hours}`);
  const median = (hours) => (hours === null ? "–" : hours.toLocaleString(getLocale(), { maximumFractionDigits: 2 }));
  draw("receipt_time", {
    type: "bar",
    data: {
      labels: result.receipt_time.map(label),
      datasets: [dataset(t("col.count"), result.receipt_time.map((r) => r.count), 2)],
    },
  });
  panels.receipt_time.setTable(["col.hours", "col.count"], result.receipt_time.map((r) => [label(r), r.count]));
  panels.receipt_time.note(t("an.median_hours", { hours: median(result.median_receipt_working_hours) }));
  panels.handling.note(t("an.median_hours", { hours: median(result.median_handling_working_hours) }));
  draw("handling", {
    type: "bar",
    data: { labels: result.handling.map(label), datasets: [dataset(t("col.count"), result.handling.map((r) => r.count), 0)] },
  });
  panels.handling.setTable(["col.hours", "col.count"], result.handling.map((r) => [label(r), r.count]));
  draw("receipt", {
    type: "bar",
    data: {
      labels: result.receipt.map((r) => r.name),
      datasets: [
        dataset(t("col.on_time"), result.receipt.map((r) => r.on_time), 1),
        dataset(t("col.late"), result.receipt.map((r) => r.late), 3),
      ],
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true } } },
  });
  panels.receipt.setTable(
    ["col.channel", "col.on_time", "col.late", "col.on_time_percent"],
    result.receipt.map((r) => [r.name, r.on_time, r.late, r.on_time_percent]),
  );
}

function compareParams() {
  const field = (name) => panels.compare.section.querySelector(`[name=${name}]`);
  const since = form.elements.since.value;
  const until = form.elements.until.value;
  if (!field("a_since").value) {
    // Default: the chosen period (A) against the same number of days just before it (B).
    const span = (new Date(until) - new Date(since)) / 86400000;
    field("a_since").value = since;
    field("a_until").value = until;
    field("b_since").value = iso(daysBefore(new Date(since), span));
    field("b_until").value = since;
  }
  return Object.fromEntries(["a_since", "a_until", "b_since", "b_until", "group_by"].map((n) => [n, field(n).value]));
}

async function load() {
  state.ready = false;
  const period = { since: form.elements.since.value, until: form.elements.until.value };
  const minWeeks = panels.hotspots.section.querySelector("[name=min_weeks]").value;
  const [series, compare, ranking, hotspots, distributions] = await Promise.all([
    api(withQuery("/api/ops/v1/analytics/series", { grain: form.elements.grain.value, ...period })),
    api(withQuery("/api/ops/v1/analytics/compare", compareParams())),
    api(withQuery("/api/ops/v1/analytics/agencies", period)),
    api(withQuery("/api/ops/v1/analytics/hotspots", { ...period, min_weeks: minWeeks })),
    api(withQuery("/api/ops/v1/analytics/distributions", period)),
  ]);
  last = { series, compare, ranking, hotspots, distributions };
  render();
  await renderHotspots(hotspots);
  state.ready = true;
}

function render() {
  if (!last.series) return;
  renderSeries(last.series);
  renderCompare(last.compare);
  renderRanking(last.ranking);
  renderDistributions(last.distributions);
}

function reportLinks() {
  const month = form.elements.month.value;
  for (const fmt of ["xlsx", "html"]) {
    const link = form.querySelector(`[data-action=report-${fmt}]`);
    link.href = withQuery(`/api/ops/v1/analytics/monthly-report.${fmt}`, { month, lang: document.documentElement.lang || "vi" });
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  load().catch(showError);
});
form.elements.month.addEventListener("change", reportLinks);
for (const name of ["group_by", "a_since", "a_until", "b_since", "b_until"]) {
  panels.compare.section.querySelector(`[name=${name}]`).addEventListener("change", () =>
    api(withQuery("/api/ops/v1/analytics/compare", compareParams()))
      .then((result) => {
        last.compare = result;
        renderCompare(result);
      })
      .catch(showError),
  );
}
panels.hotspots.section.querySelector("[name=min_weeks]").addEventListener("change", () => load().catch(showError));
onLocaleChange(() => {
  render();
  if (last.hotspots) renderHotspots(last.hotspots);
  reportLinks();
});

function showError(error) {
  console.warn("analytics:", error.message);
  panels.series.note(error.message || t("error.network"));
}

reportLinks();
load().catch(showError);
