// Filters by category, status, agency, area and time window; the heat-map toggle.
import { api } from "../../lib/api.js";
import { applyTranslations, getLocale, onLocaleChange, t } from "../../lib/i18n.js";
import { STATUSES, inGroup } from "../../lib/statuses.js";

const WINDOWS = { today: 0, "7d": 7, "30d": 30, all: null };

function startOfWindow(key) {
  const days = WINDOWS[key];
  if (days === null || days === undefined) return null;
  // Days are local days in Vietnam (UTC+7, no daylight saving).
  const local = new Date(Date.now() + 7 * 3600 * 1000);
  local.setUTCHours(0, 0, 0, 0);
  return new Date(local.getTime() - 7 * 3600 * 1000 - days * 86400 * 1000);
}

export class Filters {
  constructor(form, onChange) {
    this.form = form;
    this.onChange = onChange;
    this.heatmapListeners = [];
    this.areas = [];
    this.categories = [];
    this.agencies = [];
  }

  /** The category's name in the page's language (the events carry its code). */
  categoryName(code) {
    return this.categories.find((category) => category.code === code)?.name || code;
  }

  async load() {
    const [categories, agencies, areas] = await Promise.all([
      api("/api/mobile/v1/categories").catch(() => ({ items: [] })),
      api("/api/ops/v1/agencies").catch(() => ({ items: [] })),
      api("/api/public/v1/areas.geojson?level=commune").catch(() => ({ features: [] })),
    ]);
    this.categories = categories.items;
    this.agencies = agencies.items;
    this.areas = areas.features.map((f) => f.properties);
    this._render();
    onLocaleChange(() => this._render());
    this.form.addEventListener("change", () => this._emit());
    this.form.addEventListener("submit", (event) => event.preventDefault());
    this._emit();
  }

  onHeatmap(listener) {
    this.heatmapListeners.push(listener);
  }

  _select(name, labelKey, options) {
    const current = this.form.elements[name]?.value ?? "";
    const items = [`<option value="">${t("ops.all")}</option>`]
      .concat(options.map(([value, label]) => `<option value="${value}">${label}</option>`))
      .join("");
    return `<label><span data-i18n="${labelKey}"></span>
      <select name="${name}" data-current="${current}">${items}</select></label>`;
  }

  _render() {
    const english = getLocale() === "en";
    const heatOn = this.form.querySelector("[data-action=heatmap]")?.getAttribute("aria-pressed") === "true";
    const previous = Object.fromEntries(new FormData(this.form));
    this.form.innerHTML = [
      this._select("category", "ops.category", this.categories.map((c) => [c.code, escape(c.name)])),
      // Besides one status, the operator may keep to the work still open.
      this._select("status", "ops.status", [
        [OPEN_STATUSES, t("ops.open")],
        ...STATUSES.map((s) => [s, t(`status.${s}`)]),
      ]),
      this._select("agency", "ops.agency", this.agencies.map((a) => [a.code, escape(a.name)])),
      this._select(
        "area",
        "ops.area",
        this.areas.map((a) => [a.code, escape((english && a.name_en) || a.name)]),
      ),
      `<label><span data-i18n="ops.window"></span><select name="window">${Object.keys(WINDOWS)
        .map((key) => `<option value="${key}">${t(`ops.window.${key}`)}</option>`)
        .join("")}</select></label>`,
      `<button type="button" class="ioc-button" data-action="heatmap" aria-pressed="${heatOn}"
        data-i18n="ops.heatmap"></button>`,
    ].join("");
    for (const [name, value] of Object.entries(previous)) {
      if (this.form.elements[name]) this.form.elements[name].value = value;
    }
    if (!previous.window) this.form.elements.window.value = "all";
    const toggle = this.form.querySelector("[data-action=heatmap]");
    toggle.addEventListener("click", () => {
      const on = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", String(on));
      for (const listener of this.heatmapListeners) listener(on);
    });
    applyTranslations(this.form);
  }

  _emit() {
    const values = Object.fromEntries(new FormData(this.form));
    const since = startOfWindow(values.window);
    const matches = (point) =>
      (!values.category || point.category === values.category) &&
      statusMatches(values.status, point.status) &&
      (!values.agency || point.agency === values.agency) &&
      (!values.area || point.area === values.area) &&
      (!since || Date.parse(point.received_at) >= since.getTime());
    this.onChange({
      matches,
      params: {
        category: values.category,
        status: statusParam(values.status),
        agency: values.agency,
        area: values.area,
        since: since ? since.toISOString() : "",
      },
    });
  }
}

const OPEN_STATUSES = "open";

function statusMatches(chosen, status) {
  if (chosen === OPEN_STATUSES) return inGroup(status, "open");
  return !chosen || status === chosen;
}

/** The `status` query of the map's calls: every status, one, or the open ones. */
function statusParam(chosen) {
  if (chosen !== OPEN_STATUSES) return chosen;
  return STATUSES.filter((status) => inGroup(status, "open")).join(",");
}

function escape(text) {
  const span = document.createElement("span");
  span.textContent = text ?? "";
  return span.innerHTML;
}
