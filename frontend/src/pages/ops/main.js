// The operations-centre wall map (/ops), built for a 1920×1080 screen: live reports over the
// province's boundaries, loaded by viewport (server-side clusters at low zoom or when a view
// holds too many to draw, every point otherwise), heat map, overdue pulse, filters, KPI tiles
// from the server's exact counters, the live event feed and a side panel per report.
//
// Test contract: window.iocWallMap = { reportStatus(ref), reportColor(ref), reportOverdue(ref),
// ready, view(), jumpTo(lon, lat, zoom) } reflects what is drawn (view(): {mode, points,
// clusters} of the viewport);
// feed items carry data-ref and data-event-type.
import "../../lib/base.css";
import "./ops.css";
import { createBaseMap } from "../../lib/basemap.js";
import { startCountdowns } from "../../lib/countdown.js";
import { mountHeader, showLiveStatus } from "../../lib/header.js";
import { addMessages, applyTranslations, onLocaleChange, t } from "../../lib/i18n.js";
import { connectLive } from "../../lib/live.js";
import { ReportLayer } from "../../lib/reportlayer.js";
import { STATUSES, statusColor } from "../../lib/statuses.js";
import { ViewportReports } from "../../lib/viewport.js";
import { ChannelMix } from "./channels.js";
import { Feed } from "./feed.js";
import { Filters } from "./filters.js";
import { Kpis } from "./kpis.js";
import { messages } from "./messages.js";
import { ReportPanel } from "./panel.js";
import { Surges } from "./surges.js";

addMessages(messages);
const header = mountHeader({ titleKey: "ops.title", staff: true, theme: "dark" });

const wall = { ready: false, reportStatus: () => null, reportColor: () => null, reportOverdue: () => null };
window.iocWallMap = wall;

const app = document.getElementById("app");
app.className = "ops-layout";
app.innerHTML = `
  <section class="ops-kpis" data-role="kpis" aria-label="KPI"></section>
  <form class="ops-filters" data-role="filters" role="search" data-i18n-attr="aria-label:ops.filters"></form>
  <div class="ops-map-wrap">
    <div class="ops-map" data-role="map" role="region" data-i18n-attr="aria-label:ops.map"></div>
    <ul class="ops-legend" data-role="legend" data-i18n-attr="aria-label:ops.legend"></ul>
  </div>
  <aside class="ops-side">
    <section class="ops-surges" data-role="surges" aria-labelledby="surges-title" hidden>
      <h2 id="surges-title" data-i18n="ops.surges"></h2>
      <ol></ol>
    </section>
    <section class="ops-feed" aria-labelledby="feed-title">
      <h2 id="feed-title" data-i18n="ops.feed"></h2>
      <ol data-role="feed" aria-live="polite"></ol>
    </section>
    <section class="ops-panel" data-role="panel" hidden tabindex="-1"></section>
  </aside>`;
const part = (role) => app.querySelector(`[data-role=${role}]`);

function drawLegend() {
  part("legend").innerHTML = STATUSES.map(
    (status) =>
      `<li><span class="status-dot" style="background:${statusColor(status)}"></span>${t(`status.${status}`)}</li>`,
  ).join("");
}
drawLegend();
onLocaleChange(drawLegend);
applyTranslations();

const { map, ready } = createBaseMap(part("map"), { theme: "dark" });

ready.then(async () => {
  const POINT_ZOOM = 12;
  const layer = new ReportLayer(map, { minZoom: POINT_ZOOM });
  const kpis = new Kpis(part("kpis"));
  const channels = new ChannelMix(part("kpis").appendChild(document.createElement("div")));
  const panel = new ReportPanel(part("panel"), map);
  const feed = new Feed(
    part("feed"),
    (ref) => panel.open(ref, layer.points.get(ref)),
    (code) => filters.categoryName(code),
  );
  const view = new ViewportReports(map, layer, {
    urls: { points: "/api/ops/v1/map/reports", cells: "/api/ops/v1/map/cells" },
    pointZoom: POINT_ZOOM,
  });
  const filters = new Filters(part("filters"), (criteria) => {
    layer.setFilter(criteria.matches);
    view.setCriteria(criteria.params);
  });
  await filters.load();
  const surges = new Surges(part("surges"), map, (ref) => panel.open(ref, layer.points.get(ref)));
  await surges.load();

  wall.reportStatus = (ref) => layer.statusOf(ref);
  wall.reportColor = (ref) => layer.colorOf(ref);
  wall.reportOverdue = (ref) => layer.overdueOf(ref);
  wall.view = () => ({ mode: view.mode, points: layer.visible().length, clusters: view.clusters.total });
  wall.jumpTo = (lon, lat, zoom) => map.jumpTo({ center: [lon, lat], zoom });

  map.on("click", "reports-points", (event) => {
    const ref = event.features[0]?.properties.ref;
    if (ref) panel.open(ref, layer.points.get(ref));
  });
  map.on("mouseenter", "reports-points", () => (map.getCanvas().style.cursor = "pointer"));
  map.on("mouseleave", "reports-points", () => (map.getCanvas().style.cursor = ""));

  filters.onHeatmap((on) => {
    layer.setHeatmap(on);
    view.setHidden(on);
  });

  const live = connectLive({
    namespace: "/ops",
    snapshotUrl: "/api/ops/v1/snapshot",
    onSnapshot: (snapshot) => {
      kpis.show(snapshot.kpis);
      surges.load();
      view.refresh().then(() => {
        wall.ready = true;
      });
    },
    onEvent: (event) => {
      if (surges.onEvent(event)) return;
      const payload = event.payload || {};
      if (payload.ref && payload.lon !== undefined) view.onChange(payload);
      feed.add(event);
      kpis.onEvent(event);
      channels.onEvent(event);
      panel.onEvent(event);
    },
  });
  showLiveStatus(header, live);
  // For operators' tooling and tests: drop and resume the live connection, open a report.
  window.iocLive = live;
  wall.open = (ref) => panel.open(ref, layer.points.get(ref));
  kpis.start();
  channels.start();
  startCountdowns();
});
