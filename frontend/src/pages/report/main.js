// Citizen page (/report), mobile-first and installable: choose a category (its attributes
// become fields), put the pin where the problem is, add photos, see whether it was already
// reported nearby, send. The report is saved on the device first and sent from there, so a
// dropped connection only delays it; then follow it in "my reports" and rate the result.
import "../../lib/base.css";
import "./report.css";
import { api } from "../../lib/api.js";
import { mountContacts } from "../../lib/contacts.js";
import { mountHeader } from "../../lib/header.js";
import { escapeHtml } from "../../lib/html.js";
import { addMessages, applyTranslations, onLocaleChange, t } from "../../lib/i18n.js";
import { citizenApi, isSignedIn, mode, signInWithFirebase } from "./auth.js";
import { deleteDraft, listDrafts, saveDraft } from "./drafts.js";
import { attributeFields, categoryOptions, readAttributes } from "./fields.js";
import { createLocator } from "./locate.js";
import { messages } from "./messages.js";
import { createTracker } from "./mine.js";
import { available as pushAvailable, enablePush, renewPush } from "./push.js";
import { createSender } from "./sender.js";

const MAX_PHOTOS = 5;

addMessages(messages);
mountHeader({ titleKey: "report.title", theme: "light" });

const app = document.getElementById("app");
app.className = "citizen";
app.innerHTML = `
  <div class="tabs" role="tablist">
    <button type="button" role="tab" id="tab-new" aria-controls="panel-new" aria-selected="true" data-tab="new" data-i18n="tab.new"></button>
    <button type="button" role="tab" id="tab-mine" aria-controls="panel-mine" aria-selected="false" data-tab="mine" data-i18n="tab.mine"></button>
  </div>
  <p class="notice" data-offline role="status" hidden data-i18n="outbox.offline"></p>
  <section class="signin ioc-panel" data-signin hidden>
    <h2 data-i18n="signin.title"></h2>
    <button type="button" class="ioc-button primary" data-google data-i18n="signin.google"></button>
    <p class="ioc-muted" data-signin-unavailable hidden data-i18n="signin.unavailable"></p>
  </section>
  <section class="push-offer" data-push hidden>
    <button type="button" class="ioc-button" data-push-enable data-i18n="push.offer"></button>
    <p class="ioc-muted" role="status" data-push-state></p>
  </section>
  <section class="outbox" data-outbox aria-live="polite"></section>
  <section id="panel-new" role="tabpanel" aria-labelledby="tab-new">
    <form class="report-form" novalidate>
      <div class="field"><label for="category" data-i18n="form.category"></label><select id="category" name="category" required aria-required="true"></select></div>
      <div data-attributes></div>
      <fieldset class="field location"><legend data-i18n="form.location"></legend>
        <div class="map" data-map role="application" data-i18n-attr="aria-label:form.map_label"></div>
        <div class="row">
          <button type="button" class="ioc-button" data-device data-i18n="form.use_device"></button>
          <button type="button" class="ioc-button" data-centre data-i18n="form.use_centre"></button>
        </div>
        <p class="ioc-muted" data-position aria-live="polite"></p>
      </fieldset>
      <div class="nearby ioc-panel" data-nearby role="region" aria-live="polite" hidden></div>
      <div class="field"><label for="photos" data-i18n="form.photos"></label>
        <input id="photos" type="file" accept="image/*" capture="environment" multiple aria-describedby="photos-hint">
        <p class="ioc-muted" id="photos-hint" data-i18n="form.photos_hint"></p>
        <ul class="photo-grid" data-previews></ul></div>
      <div class="field"><label for="description" data-i18n="form.description"></label>
        <textarea id="description" name="description" rows="3" maxlength="2000" data-i18n-attr="placeholder:form.description_hint"></textarea></div>
      <div class="field"><label for="address" data-i18n="form.address"></label><input id="address" name="address" maxlength="300" autocomplete="street-address"></div>
      <p class="field-error" role="alert" data-error hidden></p>
      <button type="submit" class="ioc-button primary big" data-i18n="form.submit"></button>
    </form>
  </section>
  <section id="panel-mine" role="tabpanel" aria-labelledby="tab-mine" hidden data-mine></section>
  <section class="ioc-panel contacts-box" data-contacts hidden></section>`;
applyTranslations();
mountContacts(app.querySelector("[data-contacts]"));

const form = app.querySelector(".report-form");
const errorBox = form.querySelector("[data-error]");
const nearbyBox = form.querySelector("[data-nearby]");
const outboxBox = app.querySelector("[data-outbox]");
const minePanel = app.querySelector("[data-mine]");
const state = { categories: [], photos: [], position: null, nearbyFor: null, dismissed: new Set() };

// ------------------------------------------------------------------ tabs

function showTab(name) {
  for (const tab of app.querySelectorAll("[data-tab]")) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
  app.querySelector("#panel-new").hidden = name !== "new";
  minePanel.hidden = name !== "mine";
  if (name === "new") locator.map.resize();
}

app.querySelector(".tabs").addEventListener("click", (event) => {
  const tab = event.target.closest("[data-tab]");
  if (!tab) return;
  showTab(tab.dataset.tab);
  if (tab.dataset.tab === "mine") tracker.showList().catch((e) => showError(e.message));
});

// ------------------------------------------------------------------ category and attributes

function chosenCategory() {
  return state.categories.find((c) => c.code === form.category.value) || null;
}

async function loadCategories() {
  const selected = form.category.value;
  state.categories = (await api("/api/mobile/v1/categories")).items;
  form.category.innerHTML = categoryOptions(state.categories, selected);
  form.querySelector("[data-attributes]").innerHTML = attributeFields(chosenCategory());
}

form.category.addEventListener("change", () => {
  form.querySelector("[data-attributes]").innerHTML = attributeFields(chosenCategory());
  checkNearby();
});

// ------------------------------------------------------------------ location

const positionLine = form.querySelector("[data-position]");
function showPosition() {
  const p = state.position;
  positionLine.textContent = p
    ? `${t("form.location_at", { lat: p.lat.toFixed(5), lon: p.lon.toFixed(5) })} ${p.accuracy_m ? t("form.location_accuracy", { m: p.accuracy_m }) : ""}`
    : t("form.location_none");
}

const locator = createLocator(form.querySelector("[data-map]"), {
  onChange: (position) => {
    state.position = position;
    showPosition();
    checkNearby();
  },
});
form.querySelector("[data-device]").addEventListener("click", () =>
  locator.fromDevice().catch(() => (positionLine.textContent = t("form.location_denied"))),
);
form.querySelector("[data-centre]").addEventListener("click", () => {
  const centre = locator.map.getCenter();
  locator.place(centre.lng, centre.lat);
});

// ------------------------------------------------------------------ "already reported?"

async function checkNearby() {
  const category = chosenCategory();
  const p = state.position;
  if (!category || !p || !(await isSignedIn())) return;
  const asked = `${category.code}@${p.lon},${p.lat}`;
  state.nearbyFor = asked;
  try {
    const answer = await citizenApi(`/api/mobile/v1/reports/nearby?lon=${p.lon}&lat=${p.lat}&category=${encodeURIComponent(category.code)}`);
    if (state.nearbyFor !== asked) return; // a newer question is on its way
    const found = answer.items.find((r) => !state.dismissed.has(r.ref));
    if (!found) {
      nearbyBox.hidden = true;
      return;
    }
    nearbyBox.innerHTML = `<h2>${t("nearby.title")}</h2>
      <p>${escapeHtml(t("nearby.text", { ref: found.ref, category: found.category.name, distance: Math.round(found.distance_m), status: t(`status.${found.status}`) }))}</p>
      <div class="row"><button type="button" class="ioc-button primary" data-follow="${escapeHtml(found.ref)}">${t("nearby.follow")}</button>
      <button type="button" class="ioc-button" data-dismiss="${escapeHtml(found.ref)}">${t("nearby.dismiss")}</button></div>`;
    nearbyBox.hidden = false;
  } catch (error) {
    console.warn("nearby:", error.message); // a suggestion only: the report can still be sent
  }
}

nearbyBox.addEventListener("click", async (event) => {
  const follow = event.target.closest("[data-follow]");
  const dismiss = event.target.closest("[data-dismiss]");
  if (dismiss) {
    state.dismissed.add(dismiss.dataset.dismiss);
    nearbyBox.hidden = true;
  }
  if (follow) {
    try {
      const ref = follow.dataset.follow;
      await citizenApi(`/api/mobile/v1/reports/${encodeURIComponent(ref)}/support`, { method: "POST" });
      nearbyBox.innerHTML = `<p class="notice is-ok" role="status">${escapeHtml(t("nearby.followed", { ref }))}</p>`;
    } catch (error) {
      showError(error.message);
    }
  }
});

// ------------------------------------------------------------------ photos

const previews = form.querySelector("[data-previews]");
function showPhotos() {
  for (const img of previews.querySelectorAll("img")) URL.revokeObjectURL(img.src);
  previews.innerHTML = state.photos
    .map(
      (file, i) => `<li><img src="${escapeHtml(URL.createObjectURL(file))}" alt="${escapeHtml(t("form.photo_preview", { n: i + 1 }))}">
        <button type="button" class="ioc-button" data-remove="${i}" aria-label="${escapeHtml(t("form.photo_remove", { n: i + 1 }))}">×</button></li>`,
    )
    .join("");
}
form.querySelector("#photos").addEventListener("change", (event) => {
  state.photos = [...state.photos, ...event.target.files].slice(0, MAX_PHOTOS);
  event.target.value = "";
  showPhotos();
});
previews.addEventListener("click", (event) => {
  const remove = event.target.closest("[data-remove]");
  if (!remove) return;
  state.photos.splice(Number(remove.dataset.remove), 1);
  showPhotos();
});

// ------------------------------------------------------------------ submit: save, then send

function showError(message, focus = null) {
  errorBox.textContent = message;
  errorBox.hidden = false;
  focus?.focus();
}

function readForm() {
  const category = chosenCategory();
  if (!category) return { error: t("form.category_required"), focus: form.category };
  const { attributes, error, element } = readAttributes(form, category);
  if (error) return { error, focus: element };
  if (!state.position) return { error: t("form.location_required"), focus: form.querySelector("[data-device]") };
  if (category.photo_required && !state.photos.length) return { error: t("form.photo_required"), focus: form.querySelector("#photos") };
  const report = {
    category: category.code,
    lon: state.position.lon,
    lat: state.position.lat,
    attributes,
    description: form.description.value.trim() || null,
    address: form.address.value.trim() || null,
  };
  if (state.position.accuracy_m) report.accuracy_m = state.position.accuracy_m;
  return { report };
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const { report, error, focus } = readForm();
  if (error) {
    showError(error, focus);
    return;
  }
  await saveDraft({ report, photos: state.photos });
  form.reset();
  state.photos = [];
  showPhotos();
  nearbyBox.hidden = true;
  form.querySelector("[data-attributes]").innerHTML = "";
  await showOutbox(t("outbox.saved"));
  sender.send();
});

async function showOutbox(message = null) {
  const drafts = await listDrafts();
  outboxBox.innerHTML = `${message ? `<p class="notice is-ok" role="status">${escapeHtml(message)}</p>` : ""}${drafts
    .map((d) => {
      const text = d.state === "failed" ? t("outbox.failed", { error: d.error }) : t(`outbox.${d.state}`, { n: d.attempts });
      return `<div class="notice draft is-${d.state === "failed" ? "error" : "ok"}" data-draft="${escapeHtml(d.id)}" data-state="${d.state}">
        <strong>${escapeHtml(d.report.category)}</strong> ${escapeHtml(text)}
        ${d.state === "failed" ? `<button type="button" class="ioc-button" data-discard="${escapeHtml(d.id)}">${t("outbox.discard")}</button>` : ""}</div>`;
    })
    .join("")}`;
}

outboxBox.addEventListener("click", async (event) => {
  const discard = event.target.closest("[data-discard]");
  if (discard) {
    await deleteDraft(discard.dataset.discard);
    showOutbox();
  }
});

const tracker = createTracker(minePanel);

const sender = createSender({
  onChange: () => showOutbox(),
  onSent: (report) => {
    showOutbox(t("outbox.sent", { ref: report.ref }));
    tracker.follow();
    showTab("mine");
    tracker.showReport(report.ref, t("outbox.sent", { ref: report.ref })).catch((e) => console.warn(e.message));
  },
});

// ------------------------------------------------------------------ push notifications

const pushBox = app.querySelector("[data-push]");

function showPush(on) {
  pushBox.querySelector("[data-push-enable]").hidden = on;
  const line = pushBox.querySelector("[data-push-state]");
  line.dataset.pushOn = String(on);
  line.textContent = on ? t("push.on") : Notification.permission === "denied" ? t("push.denied") : "";
}

async function offerPush() {
  if (!pushAvailable) return;
  pushBox.hidden = false;
  showPush(false);
  pushBox.querySelector("[data-push-enable]").addEventListener("click", () =>
    enablePush()
      .then(showPush)
      .catch((e) => console.warn("push:", e.message)),
  );
  showPush(await renewPush().catch((e) => (console.warn("push:", e.message), false)));
}

// ------------------------------------------------------------------ start

function showConnection() {
  app.querySelector("[data-offline]").hidden = navigator.onLine;
}
window.addEventListener("online", showConnection);
window.addEventListener("offline", showConnection);
showConnection();

async function start() {
  if (mode === "none") {
    app.querySelector("[data-signin]").hidden = false;
    app.querySelector("[data-google]").hidden = true;
    app.querySelector("[data-signin-unavailable]").hidden = false;
  } else if (!(await isSignedIn())) {
    const panel = app.querySelector("[data-signin]");
    panel.hidden = false;
    panel.querySelector("[data-google]").addEventListener("click", async () => {
      await signInWithFirebase();
      panel.hidden = true;
      tracker.follow();
      sender.send();
      offerPush();
    });
  } else {
    tracker.follow();
    sender.send();
    offerPush();
    openLinkedReport();
  }
  showPosition();
  try {
    await loadCategories();
  } catch (error) {
    showError(error.message); // offline before the first visit cached them; a reload retries
  }
  await showOutbox();
  locator.fromDevice().catch(() => {}); // a pin on the map does as well
}

/** A notification's link, /report?ref=…, opens that report. */
function openLinkedReport() {
  const ref = new URLSearchParams(window.location.search).get("ref");
  if (!ref) return;
  showTab("mine");
  tracker.showReport(ref).catch((e) => showError(e.message));
}

onLocaleChange(() => {
  loadCategories().catch((e) => console.warn(e.message));
  showPosition();
  showOutbox();
  if (!minePanel.hidden) tracker.refresh();
});

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/report-sw.js", { scope: "/report" }).catch((e) => console.warn("service worker:", e.message));
}

await start();
window.iocReport = { ready: true };
