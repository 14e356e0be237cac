// Surge alerts: many reports of one category in one commune within a short window. Each open
// surge is a card in the side column and a pulsing ring on the map; operators group its
// reports into one incident or dismiss the alert. Kept current by the surge.* events.
import { api } from "../../lib/api.js";
import { maplibregl } from "../../lib/basemap.js";
import { user } from "../../lib/boot.js";
import { formatDateTime, onLocaleChange, t } from "../../lib/i18n.js";

const SURGE_EVENTS = new Set(["surge.detected", "surge.updated", "surge.grouped", "surge.dismissed"]);

export class Surges {
  constructor(section, map, onPick) {
    this.section = section;
    this.list = section.querySelector("ol");
    this.map = map;
    this.onPick = onPick;
    this.open = new Map(); // id -> surge
    this.markers = new Map(); // id -> maplibregl.Marker
    onLocaleChange(() => this._draw());
  }

  async load() {
    const page = await api("/api/ops/v1/surges?status=open");
    this.open = new Map(page.items.map((surge) => [surge.id, surge]));
    this._draw();
  }

  onEvent(event) {
    if (!SURGE_EVENTS.has(event.type)) return false;
    const surge = event.payload;
    if (surge.status === "open") this.open.set(surge.id, surge);
    else this.open.delete(surge.id);
    this._draw();
    return true;
  }

  _draw() {
    this.section.hidden = this.open.size === 0;
    this.list.replaceChildren(...[...this.open.values()].map((surge) => this._card(surge)));
    for (const [id, marker] of this.markers) {
      if (!this.open.has(id)) {
        marker.remove();
        this.markers.delete(id);
      }
    }
    for (const surge of this.open.values()) {
      if (surge.lon == null || this.markers.has(surge.id)) continue;
      // The marker element is positioned with a transform, so the pulse animates a child.
      const holder = document.createElement("div");
      holder.className = "ops-surge-marker";
      holder.setAttribute("aria-hidden", "true");
      holder.append(Object.assign(document.createElement("div"), { className: "ops-surge-ring" }));
      this.markers.set(
        surge.id,
        new maplibregl.Marker({ element: holder }).setLngLat([surge.lon, surge.lat]).addTo(this.map),
      );
    }
  }

  _card(surge) {
    const item = document.createElement("li");
    item.dataset.surge = surge.id;
    item.innerHTML = `
      <button type="button" class="ops-surge-title"><b></b><span></span></button>
      <p class="ops-surge-refs"></p>
      <div class="ops-actions"></div>
      <p role="status" class="ops-surge-result"></p>`;
    const title = item.querySelector(".ops-surge-title");
    title.querySelector("b").textContent = t("ops.surge.count", {
      count: surge.count,
      category: surge.category_name,
    });
    title.querySelector("span").textContent = `${surge.area_name} · ${t("ops.surge.since")} ${formatDateTime(surge.detected_at)}`;
    title.addEventListener("click", () => {
      if (surge.lon != null) this.map.flyTo({ center: [surge.lon, surge.lat], zoom: 14 });
    });
    const refs = item.querySelector(".ops-surge-refs");
    for (const ref of surge.refs) {
      const link = document.createElement("button");
      link.type = "button";
      link.className = "ops-surge-ref";
      link.textContent = ref;
      link.addEventListener("click", () => this.onPick(ref));
      refs.append(link);
    }
    if (user?.is_ioc_staff) {
      const actions = item.querySelector(".ops-actions");
      actions.append(
        this._decision(surge, "group", "ioc-button primary", item),
        this._decision(surge, "dismiss", "ioc-button", item),
      );
    }
    return item;
  }

  _decision(surge, decision, className, item) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.dataset.action = decision;
    button.textContent = t(`ops.surge.${decision}`);
    button.addEventListener("click", async () => {
      for (const other of item.querySelectorAll("button[data-action]")) other.disabled = true;
      try {
        const decided = await api(`/api/ops/v1/surges/${surge.id}/${decision}`, {
          method: "POST",
          json: {},
        });
        this.open.delete(decided.id);
        this._draw();
      } catch (error) {
        item.querySelector(".ops-surge-result").textContent = error.message;
        for (const other of item.querySelectorAll("button[data-action]")) other.disabled = false;
      }
    });
    return button;
  }
}
