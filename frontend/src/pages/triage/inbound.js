// E-mails waiting for a place (GET /api/ops/v1/inbound): listed under the IOC queue; one opened
// shows its text, its photos (served to IOC readers only) and, for IOC staff, a map to click
// where the problem is, a category (with its attributes) and the button that files it through
// POST /api/ops/v1/inbound/{id}/place. The sender is shown only when the server sends it
// (viewers see it only where the province grants it).
import { api, ApiError } from "../../lib/api.js";
import { createBaseMap, maplibregl } from "../../lib/basemap.js";
import { user } from "../../lib/boot.js";
import { escapeHtml } from "../../lib/html.js";
import { formatDateTime, t } from "../../lib/i18n.js";
import { attributeFields, categoryOptions, readAttributes } from "../report/fields.js";

const URL = "/api/ops/v1/inbound?limit=100";

export function mountInbound({ list, countLine, detailPane, categories, onOpen, onPlaced }) {
  const state = { items: [], cursor: null, selected: null, point: null, category: "", notice: null };
  let map = null;
  let marker = null;

  function message() {
    return state.items.find((m) => m.id === state.selected) || null;
  }

  function renderList() {
    countLine.textContent = t(state.cursor ? "inbound.count_more" : "inbound.count", { n: state.items.length });
    if (!state.items.length) {
      list.innerHTML = `<li class="empty">${t("inbound.empty")}</li>`;
      return;
    }
    list.innerHTML =
      state.items
        .map(
          (m) => `<li><button type="button" class="report-item inbound-item" data-inbound="${m.id}" aria-current="${m.id === state.selected}">
        <span class="ref">${t(`inbound.channel.${m.channel}`)} · ${escapeHtml(formatDateTime(m.received_at))}</span>
        <span class="title">${escapeHtml(m.subject || t("inbound.no_subject"))}</span>
        <span class="meta"><span>${escapeHtml(m.sender_name || m.sender_email || "")}</span>
          <span>${t("inbound.photo_count", { n: m.photos.length })}</span></span></button></li>`,
        )
        .join("") +
      (state.cursor ? `<li class="more"><button type="button" class="ioc-button" data-inbound-more>${t("list.more")}</button></li>` : "");
  }

  async function load({ more = false } = {}) {
    const url = more && state.cursor ? `${URL}&cursor=${encodeURIComponent(state.cursor)}` : URL;
    const page = await api(url);
    const items = more ? [...state.items, ...page.items.filter((m) => !state.items.some((i) => i.id === m.id))] : page.items;
    state.items = items;
    state.cursor = page.next_cursor;
    renderList();
    if (state.selected !== null && !message() && !state.notice) close();
  }

  function close() {
    state.selected = null;
    dropMap();
    renderList();
  }

  function dropMap() {
    map?.remove();
    map = null;
    marker = null;
  }

  function open(id) {
    state.selected = id;
    state.point = null;
    state.category = "";
    state.notice = null;
    onOpen();
    renderList();
    render();
  }

  function senderMarkup(m) {
    if (!m.sender_name && !m.sender_email) return `<dd class="ioc-muted">${t("inbound.sender_hidden")}</dd>`;
    const email = m.sender_email ? ` &lt;${escapeHtml(m.sender_email)}&gt;` : "";
    return `<dd>${escapeHtml(m.sender_name || "")}${email}</dd>`;
  }

  function placeFormMarkup() {
    if (!user?.is_ioc_staff) return `<p class="ioc-muted">${t("triage.readonly")}</p>`;
    const category = categories().find((c) => c.code === state.category);
    const point = state.point
      ? t("inbound.point", { lon: state.point.lon.toFixed(5), lat: state.point.lat.toFixed(5) })
      : t("inbound.point_missing");
    return `<form class="action-form ioc-panel" data-place novalidate>
      <h3>${t("inbound.place_title")}</h3>
      <p class="ioc-muted">${t("inbound.place_help")}</p>
      <div class="inbound-map" data-map role="application" aria-label="${escapeHtml(t("inbound.map_label"))}"></div>
      <p data-point aria-live="polite">${escapeHtml(point)}</p>
      <div><label for="f-place-category">${t("form.category")}</label>
      <select id="f-place-category" name="category" required aria-required="true">${categoryOptions(categories(), state.category)}</select></div>
      <div data-attributes>${category ? attributeFields(category) : ""}</div>
      <div class="row"><button type="submit" class="ioc-button primary">${t("inbound.place")}</button></div>
      <p class="field-error" role="alert" data-error hidden></p>
    </form>`;
  }

  function render() {
    const m = message();
    dropMap();
    if (!m) return;
    detailPane.setAttribute("aria-label", m.subject || t("inbound.no_subject"));
    const photos = m.photos.length
      ? `<ul class="photo-grid">${m.photos
          .map(
            (p, i) => `<li><a href="${escapeHtml(p.url)}" target="_blank" rel="noopener"><img src="${escapeHtml(p.thumbnail_url)}"
              alt="${escapeHtml(t("inbound.photo_alt", { n: i + 1 }))}" loading="lazy"></a></li>`,
          )
          .join("")}</ul>`
      : `<p class="ioc-muted">${t("report.no_photos")}</p>`;
    detailPane.innerHTML = `
      ${state.notice ? `<div class="notice is-${state.notice.kind}" role="${state.notice.kind === "error" ? "alert" : "status"}">${escapeHtml(state.notice.text)}</div>` : ""}
      <div class="report-head"><h2>${escapeHtml(m.subject || t("inbound.no_subject"))}</h2>
        <p class="status-line"><span class="status-badge">${t("inbound.needs_location")}</span></p></div>
      <dl class="facts">
        <dt>${t("inbound.channel")}</dt><dd>${t(`inbound.channel.${m.channel}`)}</dd>
        <dt>${t("inbound.received")}</dt><dd>${escapeHtml(formatDateTime(m.received_at))}</dd>
        <dt>${t("inbound.sender")}</dt>${senderMarkup(m)}
      </dl>
      <h3>${t("inbound.text")}</h3>
      <p class="inbound-text">${escapeHtml(m.description || "")}</p>
      <h3>${t("report.photos")}</h3>
      ${photos}
      ${placeFormMarkup()}`;
    const container = detailPane.querySelector("[data-map]");
    if (container) mountMap(container);
  }

  function mountMap(container) {
    const made = createBaseMap(container, { theme: "dark" });
    map = made.map;
    const here = map;
    map.on("click", (event) => {
      if (map !== here) return;
      setPoint(event.lngLat.lng, event.lngLat.lat);
    });
    made.ready.then(() => {
      if (map === here) window.iocTriage && (window.iocTriage.inboundMap = here);
    });
    if (state.point) showMarker();
  }

  function setPoint(lon, lat) {
    state.point = { lon, lat };
    showMarker();
    const line = detailPane.querySelector("[data-point]");
    if (line) line.textContent = t("inbound.point", { lon: lon.toFixed(5), lat: lat.toFixed(5) });
  }

  function showMarker() {
    if (!map) return;
    if (!marker) marker = new maplibregl.Marker({ color: "#ffb347" });
    marker.setLngLat([state.point.lon, state.point.lat]).addTo(map);
  }

  function showError(text) {
    const box = detailPane.querySelector("[data-error]");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
  }

  async function place(form) {
    const m = message();
    const category = categories().find((c) => c.code === form.category.value);
    if (!state.point) return showError(t("inbound.point_required"));
    if (!category) return showError(t("inbound.category_required"));
    const attributes = readAttributes(form.querySelector("[data-attributes]"), category);
    if (attributes.error) return showError(attributes.error);
    try {
      const report = await api(`/api/ops/v1/inbound/${m.id}/place`, {
        method: "POST",
        json: { lon: state.point.lon, lat: state.point.lat, category: category.code, attributes: attributes.attributes },
      });
      state.items = state.items.filter((i) => i.id !== m.id);
      state.selected = null;
      dropMap();
      renderList();
      onPlaced(report);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 409 || error.status === 404) {
        state.notice = { kind: "error", text: t("inbound.gone") };
        state.selected = null;
        await load().catch(() => {});
        detailPane.innerHTML = `<div class="notice is-error" role="alert">${escapeHtml(t("inbound.gone"))}</div>`;
        state.notice = null;
      } else {
        showError(error.message);
      }
    }
  }

  list.addEventListener("click", (event) => {
    if (event.target.closest("[data-inbound-more]")) {
      load({ more: true }).catch((e) => console.warn("inbound:", e.message));
      return;
    }
    const item = event.target.closest("[data-inbound]");
    if (item) open(Number(item.dataset.inbound));
  });

  detailPane.addEventListener("change", (event) => {
    if (!state.selected || event.target.name !== "category" || !event.target.closest("[data-place]")) return;
    state.category = event.target.value;
    const category = categories().find((c) => c.code === state.category);
    detailPane.querySelector("[data-attributes]").innerHTML = category ? attributeFields(category) : "";
  });

  detailPane.addEventListener("submit", (event) => {
    const form = event.target.closest("[data-place]");
    if (!form) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    place(form);
  });

  return {
    load,
    render,
    get selected() {
      return state.selected;
    },
    get count() {
      return state.items.length;
    },
    deselect() {
      if (state.selected === null) return;
      state.selected = null;
      dropMap();
      renderList();
    },
    renderList,
    setPoint,
  };
}
