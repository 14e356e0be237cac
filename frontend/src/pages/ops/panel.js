// The side panel of one report: facts, photos, timeline and, for operators, quick actions.
import { api } from "../../lib/api.js";
import { clockMarkup, clockState, deadlineLabel, refreshClocks } from "../../lib/countdown.js";
import { formatDateTime, onLocaleChange, t } from "../../lib/i18n.js";
import { inGroup, statusColor } from "../../lib/statuses.js";

const CLOCK_NOTES = { overdue: "status.overdue", due_soon: "status.due_soon", paused: "clock.paused" };
// Decisions on a resolved report are taken in the triage console, with their forms.
const TRIAGE_ACTIONS = ["reopen", "decline_reopen", "close"];

export class ReportPanel {
  constructor(section, map) {
    this.section = section;
    this.map = map;
    this.report = null;
    onLocaleChange(() => this.report && this._draw());
  }

  async open(ref, point) {
    if (point) this.map.easeTo({ center: [point.lon, point.lat], zoom: Math.max(this.map.getZoom(), 14) });
    try {
      this.report = await api(`/api/ops/v1/reports/${encodeURIComponent(ref)}`);
    } catch (error) {
      this.report = null;
      this.section.hidden = false;
      this.section.innerHTML = `<p class="ioc-error" role="alert"></p>`;
      this.section.querySelector("p").textContent = error.message;
      return;
    }
    this._draw();
    this.section.hidden = false;
    this.section.focus();
  }

  onEvent(event) {
    if (this.report && event.payload?.ref === this.report.ref) this.open(this.report.ref);
  }

  close() {
    this.section.hidden = true;
    this.report = null;
  }

  _draw() {
    const r = this.report;
    const section = this.section;
    section.innerHTML = `
      <header class="ops-panel-head">
        <h2><span class="status-dot"></span><span data-field="ref"></span></h2>
        <button type="button" class="ioc-button" data-action="close">${t("ops.panel.close")}</button>
      </header>
      <p class="ops-panel-status"><b data-field="status"></b> · <span data-field="category"></span></p>
      <p data-field="address" class="ioc-muted"></p>
      <p data-field="description"></p>
      <dl>
        <dt>${t("ops.panel.received")}</dt><dd data-field="received"></dd>
        <dt data-field="due-label"></dt><dd><span data-field="due"></span> ${clockMarkup(r.clock)}</dd>
        <dt>${t("ops.panel.agency")}</dt><dd data-field="agency"></dd>
      </dl>
      <h3>${t("ops.panel.photos")}</h3>
      <div class="ops-photos" data-field="photos"></div>
      <h3>${t("ops.panel.timeline")}</h3>
      <ol class="ops-timeline" data-field="timeline"></ol>
      <div class="ops-actions" data-field="actions"></div>
      <p role="status" data-field="result"></p>`;
    const field = (name) => section.querySelector(`[data-field=${name}]`);
    section.querySelector(".status-dot").style.background = statusColor(r.status);
    field("ref").textContent = r.ref;
    const note = CLOCK_NOTES[clockState(r.clock)];
    field("status").textContent = t(`status.${r.status}`) + (note ? ` · ${t(note)}` : "");
    section.dataset.clockState = clockState(r.clock);
    field("category").textContent = r.category?.name || "";
    field("address").textContent = r.address || "";
    field("description").textContent = r.description || "";
    field("received").textContent = formatDateTime(r.received_at);
    field("due-label").textContent = r.clock?.kind === "none" ? t("ops.panel.due") : deadlineLabel(r.clock);
    field("due").textContent = formatDateTime(r.clock?.deadline) || "–";
    refreshClocks(section);
    field("agency").textContent = r.lead_agency?.name || "–";
    const photos = (r.photos || []).filter((p) => !p.is_hidden);
    field("photos").innerHTML = photos.length ? "" : `<p class="ioc-muted">${t("ops.panel.no_photos")}</p>`;
    for (const photo of photos) {
      const link = document.createElement("a");
      link.href = photo.url;
      link.target = "_blank";
      link.rel = "noopener";
      const image = document.createElement("img");
      image.src = photo.url;
      image.alt = `${r.ref} – ${photo.purpose}`;
      image.loading = "lazy";
      link.append(image);
      field("photos").append(link);
    }
    for (const entry of r.timeline || []) {
      const item = document.createElement("li");
      const status = entry.to_status ? t(`status.${entry.to_status}`) : entry.action;
      item.textContent = `${formatDateTime(entry.at)} – ${status}${entry.note ? `: ${entry.note}` : ""}`;
      field("timeline").append(item);
    }
    this._actions(field("actions"), field("result"));
    section.querySelector("[data-action=close]").addEventListener("click", () => this.close());
  }

  _actions(box, result) {
    const r = this.report;
    const allowed = r.allowed_actions || [];
    if (allowed.includes("verify")) {
      const verify = document.createElement("button");
      verify.type = "button";
      verify.className = "ioc-button primary";
      verify.textContent = t("ops.action.verify");
      verify.addEventListener("click", async () => {
        verify.disabled = true;
        try {
          this.report = await api(`/api/ops/v1/reports/${encodeURIComponent(r.ref)}/verify`, {
            method: "POST",
            json: {},
          });
          this._draw();
          this.section.querySelector("[data-field=result]").textContent = t("ops.action.done");
        } catch (error) {
          result.textContent = error.message;
          verify.disabled = false;
        }
      });
      box.append(verify);
    }
    const decisions = TRIAGE_ACTIONS.some((action) => allowed.includes(action));
    if ((allowed.length && inGroup(r.status, "triage")) || decisions) {
      const triage = document.createElement("a");
      triage.className = "ioc-button";
      triage.href = `/ops/triage?ref=${encodeURIComponent(r.ref)}`;
      triage.textContent = t(decisions ? "ops.action.decide" : "ops.action.triage");
      box.append(triage);
    }
  }
}
