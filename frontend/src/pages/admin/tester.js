// Kiểm tra phân công (routing tester): a point (a click on the map or typed lon/lat) and a
// category give the area chain, the rule that applies, the lead and supporting agencies, the
// targets and the reason for each step, as intake would route a report filed there.
import { createBaseMap, maplibregl } from "../../lib/basemap.js";
import { t } from "../../lib/i18n.js";
import { noticeMarkup } from "../../lib/console.js";
import { categories, routing } from "./api.js";
import { escapeHtml, field, named, options } from "./ui.js";

const P = { prefix: "tester" };

export function mount(root) {
  root.innerHTML = `<h1>${t("nav.tester")}</h1>
    <div class="split">
      <div class="split-side">
        <form class="admin-form" data-testid="tester-form" novalidate>
          <div class="field"><label for="tester-category_code">${t("col.category")}</label>
            <select id="tester-category_code" name="category_code" data-testid="tester-category_code" required></select></div>
          <div class="grid two">
            ${field("lon", "tester.lon", { kind: "number", required: true, ...P })}
            ${field("lat", "tester.lat", { kind: "number", required: true, ...P })}</div>
          ${field("at", "tester.at", { kind: "datetime-local", ...P })}
          <p class="ioc-muted">${t("tester.help")}</p>
          <button type="submit" class="ioc-button primary" data-testid="tester-run">${t("tester.run")}</button>
          <div class="field-error" role="alert" data-error data-testid="tester-error" hidden></div>
        </form>
        <div data-result data-testid="tester-result" aria-live="polite"></div>
      </div>
      <div class="map-box" data-testid="tester-map"></div>
    </div>`;
  const form = root.querySelector("form");
  const result = root.querySelector("[data-result]");
  const errorBox = root.querySelector("[data-error]");
  const { map, ready } = createBaseMap(root.querySelector(".map-box"));
  let marker = null;
  let mapReady = false;
  ready.then(() => (mapReady = true));

  categories.list({ active: "true" }).then(
    ({ items }) => (form.elements.category_code.innerHTML = options(items.map((c) => [c.code, `${c.code} – ${named(c)}`]), "", { blank: true })),
    (error) => (result.innerHTML = noticeMarkup({ kind: "error", text: error.message }, "")),
  );

  function place(lon, lat) {
    if (!marker) marker = new maplibregl.Marker({ color: "#d62828" });
    marker.setLngLat([lon, lat]).addTo(map);
  }

  async function run() {
    errorBox.hidden = true;
    const lon = Number(form.elements.lon.value);
    const lat = Number(form.elements.lat.value);
    const category = form.elements.category_code.value;
    if (!category || form.elements.lon.value === "" || form.elements.lat.value === "") {
      errorBox.textContent = t("tester.missing");
      errorBox.hidden = false;
      return;
    }
    place(lon, lat);
    const body = { lon, lat, category_code: category };
    if (form.elements.at.value) body.at = new Date(form.elements.at.value).toISOString();
    try {
      result.innerHTML = resultMarkup(await routing.test(body));
    } catch (error) {
      errorBox.textContent = error.message;
      errorBox.hidden = false;
      result.innerHTML = "";
    }
  }

  map.on("click", (event) => {
    form.elements.lon.value = event.lngLat.lng.toFixed(6);
    form.elements.lat.value = event.lngLat.lat.toFixed(6);
    if (form.elements.category_code.value) run();
    else place(event.lngLat.lng, event.lngLat.lat);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  window.iocAdminTester = { map, ready: () => mapReady, hasMarker: () => Boolean(marker) };
  return () => {
    delete window.iocAdminTester;
    map.remove();
  };
}

function agencyMarkup(agency) {
  return agency ? `<code>${escapeHtml(agency.code)}</code> ${escapeHtml(named(agency))}` : "";
}

function resultMarkup(answer) {
  const rule = answer.rule;
  const targets = answer.targets || {};
  const unit = t(`tester.unit.${targets.unit || "hours"}`);
  return `<dl class="facts">
    <dt>${t("tester.areas")}</dt><dd data-testid="tester-areas">${(answer.areas || [])
      .map((a) => `<span class="chip" data-area="${escapeHtml(a.code)}">${escapeHtml(named(a))} <small>(${escapeHtml(t(`level.${a.level}`))})</small></span>`)
      .join(" › ") || t("tester.no_area")}</dd>
    <dt>${t("tester.rule")}</dt><dd data-testid="tester-rule">${rule
      ? `<code>${escapeHtml(rule.category_code)}</code> @ <code>${escapeHtml(rule.area_code)}</code>${rule.valid_from ? ` · ${t("col.valid_from")} ${escapeHtml(String(rule.valid_from).slice(0, 10))}` : ""}`
      : t("tester.no_rule")}</dd>
    <dt>${t("col.lead")}</dt><dd data-testid="tester-lead" data-code="${escapeHtml(answer.lead?.code || "")}">${agencyMarkup(answer.lead) || (answer.ioc_queue ? `<strong>${t("tester.ioc_queue")}</strong>` : "–")}</dd>
    <dt>${t("col.supporting")}</dt><dd data-testid="tester-supporting">${(answer.supporting || []).map(agencyMarkup).join("; ") || "–"}</dd>
    <dt>${t("tester.targets")}</dt><dd data-testid="tester-targets">${escapeHtml(t(`tier.${targets.tier}`))} · ${t("tester.receipt")} ${escapeHtml(targets.receipt_hours ?? "–")} ${unit} · ${t("tester.resolution")} ${escapeHtml(targets.resolution_hours ?? "–")} ${unit}</dd>
  </dl>
  <h3>${t("tester.steps")}</h3>
  <ol class="steps" data-testid="tester-steps">${(answer.steps || []).map((s) => `<li>${escapeHtml(named({ name_vi: s.vi, name_en: s.en }))}</li>`).join("")}</ol>`;
}
