// Địa giới (boundaries): a GeoJSON file, its properties mapped to code/name/parent, a preview
// on the map coloured by what would change (added, changed, unchanged), then "Áp dụng" as a
// new version from a valid_from date. Nothing is written before "Áp dụng".
import { createBaseMap } from "../../lib/basemap.js";
import { t } from "../../lib/i18n.js";
import { noticeMarkup } from "../../lib/console.js";
import { boundaries } from "./api.js";
import { escapeHtml, field, options, problemText } from "./ui.js";

const COLOURS = { added: "#3ccf91", changed: "#ffb347", unchanged: "#8a9bb0" };
const PROPS = ["code_prop", "name_prop", "name_en_prop", "parent_code_prop"];
const P = { prefix: "boundary" };
const EMPTY = { type: "FeatureCollection", features: [] };

export function mount(root, admin) {
  root.innerHTML = `<h1>${t("nav.boundaries")}</h1>
    <div class="split">
      <div class="split-side">
        <form class="admin-form" data-testid="boundary-form" novalidate>
          <div class="field"><label for="boundary-file">${t("boundary.file")}</label>
            <input type="file" id="boundary-file" name="file" accept=".geojson,.json,application/geo+json" data-testid="boundary-file"></div>
          <datalist id="boundary-levels"><option value="province"></option><option value="district"></option><option value="commune"></option></datalist>
          <div class="grid two">
            ${field("level", "boundary.level", { required: true, value: "commune", attrs: 'list="boundary-levels"', ...P })}
            ${PROPS.map((name) => field(name, `boundary.${name}`, { kind: "select", required: name === "code_prop" || name === "name_prop", ...P })).join("")}
            ${field("parent_code", "boundary.parent_code", P)}
            ${field("valid_from", "col.valid_from", { kind: "date", ...P })}
          </div>
          ${field("close_missing", "boundary.close_missing", { kind: "check", ...P })}
          <div class="row">
            <button type="button" class="ioc-button" data-preview data-testid="boundary-preview">${t("boundary.preview")}</button>
            <button type="button" class="ioc-button primary" data-apply data-testid="boundary-apply" disabled>${t("act.apply")}</button></div>
          <div class="field-error" role="alert" data-error data-testid="boundary-error" hidden></div>
        </form>
        <div data-summary data-testid="boundary-summary" aria-live="polite"></div>
        <ul class="legend">${Object.entries(COLOURS).map(([s, c]) => `<li><span class="swatch" style="background:${c}"></span>${t(`boundary.status.${s}`)}</li>`).join("")}</ul>
      </div>
      <div class="map-box" data-testid="boundary-map"></div>
    </div>`;
  const form = root.querySelector("form");
  const summary = root.querySelector("[data-summary]");
  const errorBox = root.querySelector("[data-error]");
  const applyButton = root.querySelector("[data-apply]");
  const { map, ready } = createBaseMap(root.querySelector(".map-box"));
  ready.then(() => {
    map.addSource("preview", { type: "geojson", data: EMPTY });
    const colour = ["match", ["get", "status"], ...Object.entries(COLOURS).flat(), "#4fb3ff"];
    map.addLayer({ id: "preview-fill", type: "fill", source: "preview", paint: { "fill-color": colour, "fill-opacity": 0.45 } });
    map.addLayer({ id: "preview-line", type: "line", source: "preview", paint: { "line-color": colour, "line-width": 1.5 } });
  });

  function fillProperties(names) {
    for (const name of PROPS) {
      const select = form.elements[name];
      const guess = select.value || { code_prop: names.find((n) => /code|ma/i.test(n)), name_prop: names.find((n) => /name|ten/i.test(n)) }[name];
      select.innerHTML = options(names.map((n) => [n, n]), guess, { blank: true });
    }
  }

  function fields({ applying }) {
    const value = (name) => form.elements[name].value.trim();
    const values = Object.fromEntries(["level", ...PROPS, "parent_code"].map((name) => [name, value(name)]));
    if (applying) Object.assign(values, { valid_from: value("valid_from"), close_missing: form.elements.close_missing.checked });
    return values;
  }

  function fail(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  async function preview() {
    errorBox.hidden = true;
    applyButton.disabled = true;
    const file = form.elements.file.files[0];
    if (!file) return fail(t("boundary.no_file"));
    try {
      const answer = await boundaries.preview(file, fields({ applying: false }));
      fillProperties(answer.properties || []);
      await ready;
      map.getSource("preview").setData(answer.features || EMPTY);
      fitTo(map, answer.features);
      summary.innerHTML = summaryMarkup(answer.summary, answer.problems);
      applyButton.disabled = (answer.problems || []).some((p) => p.severity === "error");
    } catch (error) {
      fail(error.details?.problems ? error.details.problems.map(problemText).join(" · ") : error.message);
    }
  }

  async function apply() {
    errorBox.hidden = true;
    const file = form.elements.file.files[0];
    if (!form.elements.valid_from.value) return fail(t("boundary.no_date"));
    if (!window.confirm(t("boundary.confirm"))) return;
    try {
      const answer = await boundaries.apply(file, fields({ applying: true }));
      summary.innerHTML = noticeMarkup({ kind: "ok", text: t("boundary.applied") }, "") + summaryMarkup(answer.summary || answer, answer.problems);
      applyButton.disabled = true;
      admin.refreshWarnings();
    } catch (error) {
      fail(error.details?.problems ? error.details.problems.map(problemText).join(" · ") : error.message);
    }
  }

  // The properties are listed as soon as a file is picked, read in the browser.
  form.elements.file.addEventListener("change", async () => {
    const file = form.elements.file.files[0];
    if (!file) return;
    try {
      const data = JSON.parse(await file.text());
      const names = new Set();
      for (const feature of (data.features || []).slice(0, 200)) for (const n of Object.keys(feature.properties || {})) names.add(n);
      fillProperties([...names]);
    } catch {
      fail(t("boundary.not_geojson"));
    }
  });
  root.querySelector("[data-preview]").addEventListener("click", preview);
  applyButton.addEventListener("click", apply);
  return () => map.remove();
}

function summaryMarkup(counts = {}, problems = []) {
  const rows = ["created", "replaced", "unchanged", "closed"]
    .map((k) => `<dt>${t(`boundary.summary.${k}`)}</dt><dd data-testid="boundary-${k}">${escapeHtml(counts[k] ?? 0)}</dd>`)
    .join("");
  const listed = (problems || []).map((p) => `<li class="is-${escapeHtml(p.severity)}">${escapeHtml(problemText(p))}</li>`).join("");
  return `<dl class="facts">${rows}</dl>${listed ? `<ul class="problems" data-testid="boundary-problems">${listed}</ul>` : ""}`;
}

function fitTo(map, collection) {
  let [west, south, east, north] = [180, 90, -180, -90];
  const visit = (c) => {
    if (typeof c[0] === "number") {
      [west, east] = [Math.min(west, c[0]), Math.max(east, c[0])];
      [south, north] = [Math.min(south, c[1]), Math.max(north, c[1])];
    } else c.forEach(visit);
  };
  for (const feature of collection?.features || []) if (feature.geometry) visit(feature.geometry.coordinates);
  if (west <= east) map.fitBounds([[west, south], [east, north]], { padding: 24, animate: false });
}
