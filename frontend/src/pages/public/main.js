// The public portal (/public): published results on a map, loaded by viewport (clusters at low
// zoom or when a view holds too many, every point otherwise), updated live from /public, and
// the agency scorecards; the list of results (filters, search by reference), one result in full
// (deep link: /public?ref=…), figures with their trend, and the open data downloads.
// Test contract: window.iocPublicMap = { hasReport(ref), ready }.
import "../../lib/base.css";
import "./public.css";
import { api } from "../../lib/api.js";
import { createBaseMap } from "../../lib/basemap.js";
import { mountHeader, showLiveStatus } from "../../lib/header.js";
import { addMessages, applyTranslations, formatNumber, onLocaleChange } from "../../lib/i18n.js";
import { connectLive } from "../../lib/live.js";
import { ReportLayer } from "../../lib/reportlayer.js";
import { ViewportReports } from "../../lib/viewport.js";
import { mountContacts } from "../../lib/contacts.js";
import { messages } from "./messages.js";
import { mountResults } from "./results.js";

addMessages(messages);
const header = mountHeader({ titleKey: "public.title", theme: "light" });
const portal = { ready: false, hasReport: () => false };
window.iocPublicMap = portal;

const app = document.getElementById("app");
app.className = "public-layout";
app.innerHTML = `
  <section class="public-map-wrap" aria-labelledby="map-title">
    <h1 id="map-title" data-i18n="public.map"></h1>
    <p class="ioc-muted" data-i18n="public.note"></p>
    <div class="public-map" data-role="map" role="region" data-i18n-attr="aria-label:public.map"></div>
  </section>
  <section class="public-scores ioc-panel" aria-labelledby="score-title">
    <h2 id="score-title" data-i18n="public.scorecard"></h2>
    <table>
      <thead><tr>
        <th scope="col" data-i18n="public.agency"></th><th scope="col" data-i18n="public.received"></th>
        <th scope="col" data-i18n="public.resolved"></th><th scope="col" data-i18n="public.on_time"></th>
        <th scope="col" data-i18n="public.satisfaction"></th>
      </tr></thead>
      <tbody data-role="scores"></tbody>
    </table>
  </section>
  <section class="public-results ioc-panel" data-role="results" aria-labelledby="results-title"></section>
  <section class="public-contacts ioc-panel contacts-box" data-role="contacts" hidden></section>`;
applyTranslations();
mountContacts(app.querySelector("[data-role=contacts]"));
mountResults(app.querySelector("[data-role=results]"));

let scorecard = [];
function drawScores() {
  const body = app.querySelector("[data-role=scores]");
  body.replaceChildren(
    ...scorecard.map((row) => {
      const tr = document.createElement("tr");
      const percent = (value) => (value === null || value === undefined ? "–" : `${formatNumber(value, { maximumFractionDigits: 0 })}%`);
      for (const text of [row.name, formatNumber(row.received), formatNumber(row.resolved), percent(row.on_time_percent), percent(row.satisfaction_percent)]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        tr.append(cell);
      }
      return tr;
    }),
  );
}
onLocaleChange(drawScores);
api("/api/public/v1/scorecard")
  .then((answer) => {
    scorecard = answer.agencies;
    drawScores();
  })
  .catch((error) => console.warn("scorecard:", error.message));

const { map, ready } = createBaseMap(app.querySelector("[data-role=map]"), { theme: "light" });
ready.then(() => {
  const POINT_ZOOM = 12;
  const layer = new ReportLayer(map, { minZoom: POINT_ZOOM });
  const view = new ViewportReports(map, layer, {
    urls: { points: "/api/public/v1/map/reports", cells: "/api/public/v1/map/cells" },
    pointZoom: POINT_ZOOM,
  });
  portal.hasReport = (ref) => layer.statusOf(ref) !== null;
  const live = connectLive({
    namespace: "/public",
    snapshotUrl: "/api/public/v1/snapshot",
    onSnapshot: () => {
      view.refresh().then(() => {
        portal.ready = true;
      });
    },
    onEvent: (event) => {
      if (event.payload?.ref && event.payload.lon !== undefined) view.onChange(event.payload);
    },
  });
  showLiveStatus(header, live);
});
