// Triage console (/ops/triage): the IOC queue, one report at a time, and the operator's
// actions with keyboard shortcuts. The queue follows the /ops live events, so new reports join
// without a reload; an action refused because someone else got there first (409) says so.
// A report opened by its ref (?ref=…, e.g. from the wall map) may be a resolved one: the IOC
// reopens it, declines the citizen's request to reopen it, or closes it here.
import "../../lib/base.css";
import "../../lib/staff.css";
import "./triage.css";
import { api, ApiError } from "../../lib/api.js";
import { user } from "../../lib/boot.js";
import { startCountdowns } from "../../lib/countdown.js";
import { mountHeader, showLiveStatus } from "../../lib/header.js";
import { escapeHtml } from "../../lib/html.js";
import { addMessages, applyTranslations, onLocaleChange, t } from "../../lib/i18n.js";
import { connectLive } from "../../lib/live.js";
import { inGroup } from "../../lib/statuses.js";
import { renderStaffReport } from "../../lib/staffreport.js";
import { noticeMarkup, reportItemMarkup } from "../../lib/console.js";
import { moreMarkup, pagedList } from "../../lib/pager.js";
import { formBody, formMarkup } from "./forms.js";
import { mountInbound } from "./inbound.js";
import { bindShortcuts } from "./keys.js";
import { messages } from "./messages.js";

addMessages(messages);
const slots = mountHeader({ titleKey: "triage.title", staff: true });
slots.middle.innerHTML = `<a class="ioc-button" href="/ops" data-i18n="triage.to_map"></a>
  <button type="button" class="ioc-button" data-help data-i18n="triage.help_button" aria-keyshortcuts="?"></button>`;

// name: the form and its words; allowed: the server's action; path: the URL (default: name);
// decision: a decision on a resolved report (no shortcut; a rule may refuse it with a 409).
const ACTIONS = [
  { name: "verify", key: "v", allowed: "verify" },
  { name: "classify", key: "c", allowed: "classify" },
  { name: "assign", key: "a", allowed: "assign" },
  { name: "reject", key: "r", allowed: "reject" },
  { name: "duplicate", key: "d", allowed: "mark_duplicate" },
  { name: "reopen", allowed: "reopen", decision: true },
  { name: "decline_reopen", allowed: "decline_reopen", path: "decline-reopen", decision: true },
  { name: "close", allowed: "close", decision: true },
];
const queued = (status) => inGroup(status, "triage");

const app = document.getElementById("app");
app.innerHTML = `<div class="console">
  <section class="ioc-panel" aria-labelledby="queue-title">
    <h1 id="queue-title" data-i18n="triage.queue"></h1>
    <p class="ioc-muted" data-count aria-live="polite"></p>
    <ul class="report-list" data-queue aria-labelledby="queue-title"></ul>
    <h1 id="inbound-title" class="inbound-title" data-i18n="inbound.title"></h1>
    <p class="ioc-muted" data-inbound-count aria-live="polite"></p>
    <ul class="report-list" data-inbound-list aria-labelledby="inbound-title"></ul>
  </section>
  <section class="ioc-panel detail" data-detail aria-label=""></section>
</div>`;
const queueList = app.querySelector("[data-queue]");
const countLine = app.querySelector("[data-count]");
const detailPane = app.querySelector("[data-detail]");

const queuePages = pagedList("/api/ops/v1/queue?limit=100");
const state = {
  queue: [],
  seen: new Set(),
  selected: null,
  report: null,
  form: null, // the open action form's name
  notice: null, // {kind, text, reload}
  categories: [],
  agencies: [],
  candidates: null, // the selected report's duplicate candidates, from the server
};

function category(code) {
  return state.categories.find((c) => c.code === code) || null;
}

// ---------------------------------------------------------------- queue

function renderQueue() {
  const n = state.queue.length;
  countLine.textContent = queuePages.cursor ? t("list.count_more", { n }) : t("triage.queue_count", { n });
  if (!state.queue.length) {
    queueList.innerHTML = `<li class="empty">${t("triage.empty")}</li>`;
    return;
  }
  queueList.innerHTML =
    state.queue
      .map((r) => reportItemMarkup(r, { selected: state.selected, fresh: state.seen.size > 0 && !state.seen.has(r.ref) }))
      .join("") + moreMarkup(queuePages);
  refreshCountdowns(queueList);
}

function showQueue() {
  state.queue = queuePages.items;
  renderQueue();
  for (const r of state.queue) state.seen.add(r.ref);
}

async function loadQueue() {
  await queuePages.reload();
  showQueue();
}

async function loadMoreQueue() {
  await queuePages.more();
  showQueue();
  queueList.querySelector("[data-more]")?.focus();
}

let queueTimer = null;
function scheduleQueueReload() {
  window.clearTimeout(queueTimer);
  queueTimer = window.setTimeout(() => loadQueue().catch((e) => console.warn("queue:", e.message)), 150);
}

queueList.addEventListener("click", (event) => {
  if (event.target.closest("[data-more]")) {
    loadMoreQueue().catch((e) => console.warn("queue:", e.message));
    return;
  }
  const item = event.target.closest("[data-ref]");
  if (item) select(item.dataset.ref);
});

function move(step) {
  if (!state.queue.length) return;
  const index = state.queue.findIndex((r) => r.ref === state.selected);
  const next = index < 0 ? 0 : Math.min(state.queue.length - 1, Math.max(0, index + step));
  select(state.queue[next].ref);
}

// ---------------------------------------------------------------- the report

async function select(ref) {
  inbound.deselect();
  state.selected = ref;
  state.form = null;
  state.notice = null;
  for (const item of queueList.querySelectorAll("[data-ref]")) {
    item.setAttribute("aria-current", String(item.dataset.ref === ref));
  }
  queueList.querySelector(`[data-ref="${CSS.escape(ref)}"]`)?.focus();
  await loadReport(ref);
}

async function loadReport(ref) {
  try {
    state.report = await api(`/api/ops/v1/reports/${encodeURIComponent(ref)}`);
  } catch (error) {
    state.report = null;
    state.notice = { kind: "error", text: error.message };
  }
  renderDetail();
}

function renderDetail() {
  if (inbound.selected !== null) {
    inbound.render();
    return;
  }
  const report = state.report;
  if (!report) {
    detailPane.innerHTML = `${noticeMarkup(state.notice, "conflict.reload")}<p class="empty">${t("triage.pick")}</p>`;
    return;
  }
  const allowed = new Set(report.allowed_actions);
  const available = ACTIONS.filter((a) => allowed.has(a.allowed));
  detailPane.setAttribute("aria-label", report.ref);
  detailPane.innerHTML = `
    ${noticeMarkup(state.notice, "conflict.reload")}
    ${renderStaffReport(report, { category: category(report.category.code) })}
    <div class="actions" role="toolbar" aria-label="${escapeHtml(t("help.title"))}">
      ${available
        .map(
          (a) => `<button type="button" class="ioc-button${a.name === "verify" ? " primary" : ""}" data-action="${a.name}"
            ${a.key ? `aria-keyshortcuts="${a.key}"` : ""}>${t(`action.${a.name}`)}${a.key ? `<kbd aria-hidden="true">${a.key}</kbd>` : ""}</button>`,
        )
        .join("")}
      ${!available.length && queued(report.status) ? `<p class="ioc-muted">${t("triage.readonly")}</p>` : ""}
    </div>
    ${state.form ? `<form class="action-form ioc-panel" data-form="${state.form}" novalidate>${formMarkup(state.form, report, formContext(report))}</form>` : ""}`;
  // The facts block is rebuilt; move its sections below the actions for a short read path.
  const actions = detailPane.querySelector(".actions");
  detailPane.querySelector(".facts")?.after(actions);
  const form = detailPane.querySelector("form");
  if (form) detailPane.querySelector(".actions").after(form);
  refreshCountdowns(detailPane);
  form?.querySelector("select, textarea, input")?.focus();
}

function formContext(report) {
  const found = state.candidates?.ref === report.ref ? state.candidates.items : [];
  return {
    categories: state.categories,
    agencies: state.agencies,
    candidates: found.map((c) => ({ ...c, distance: c.distance_m })),
  };
}

/** Open reports of the category within its duplicate radius, nearest first (every one). */
async function loadCandidates(ref) {
  const answer = await api(`/api/ops/v1/reports/${encodeURIComponent(ref)}/candidates`);
  state.candidates = { ref, items: answer.items };
}

function openForm(name) {
  const report = state.report;
  const action = ACTIONS.find((a) => a.name === name);
  if (!report || !action || !report.allowed_actions.includes(action.allowed)) return;
  if (name === "verify") {
    perform("verify", {});
    return;
  }
  state.form = name;
  state.notice = null;
  if (name === "duplicate") {
    loadCandidates(report.ref)
      .catch((error) => console.warn("candidates:", error.message))
      .finally(() => state.form === name && state.report?.ref === report.ref && renderDetail());
    return;
  }
  renderDetail();
}

function closeForm() {
  if (!state.form) return false;
  state.form = null;
  renderDetail();
  detailPane.querySelector("[data-action]")?.focus();
  return true;
}

async function perform(name, body) {
  const ref = state.report.ref;
  const action = ACTIONS.find((a) => a.name === name);
  const path = action?.path || name;
  const wasQueued = state.queue.some((r) => r.ref === ref);
  try {
    const report = await api(`/api/ops/v1/reports/${encodeURIComponent(ref)}/${path}`, { method: "POST", json: body });
    state.report = report;
    state.form = null;
    state.notice = {
      kind: "ok",
      text: t(`action.done.${name}`, { ref, agency: report.lead_agency?.name || "", of: body.of || "" }),
    };
    renderDetail();
    await loadQueue();
    // A report that left the queue makes room for the next; one opened by its ref stays.
    if (wasQueued && !queued(report.status)) selectNextAfter(ref);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 409 && error.details?.limit !== undefined) {
      // Reopened as often as the province allows: what is left is to decline or close.
      state.form = null;
      state.notice = { kind: "error", title: t("reopen.limit.title"), text: t("reopen.limit", { limit: error.details.limit }) };
      renderDetail();
    } else if (error.status === 409) {
      // Queue actions race with other operators; a decision on a resolved report may also be
      // refused by a rule (the server's message says which).
      state.form = null;
      state.notice = action?.decision
        ? { kind: "error", title: t("refused.title"), text: error.message, reload: true }
        : { kind: "error", title: t("conflict.title"), text: t("conflict.text", { message: error.message }), reload: true };
      renderDetail();
      detailPane.querySelector("[data-reload]")?.focus();
    } else {
      showFormError(error.message);
    }
  }
}

/** After a report leaves the queue, the next one waiting takes its place (the notice stays). */
function selectNextAfter(ref) {
  const next = state.queue.find((r) => r.ref !== ref);
  if (!next) return;
  const notice = state.notice;
  select(next.ref).then(() => {
    state.notice = notice;
    renderDetail();
  });
}

function showFormError(message) {
  const box = detailPane.querySelector("[data-error]");
  if (box) {
    box.textContent = message;
    box.hidden = false;
  } else {
    state.notice = { kind: "error", text: message };
    renderDetail();
  }
}

detailPane.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]");
  if (action) openForm(action.dataset.action);
  if (event.target.closest("[data-cancel]")) closeForm();
  if (event.target.closest("[data-reload]")) {
    state.notice = null;
    loadReport(state.selected);
    loadQueue();
  }
  const candidate = event.target.closest("[data-candidate]");
  if (candidate) detailPane.querySelector("[name=of]").value = candidate.dataset.candidate;
});

// ---------------------------------------------------------------- e-mails waiting for a place

const inbound = mountInbound({
  list: app.querySelector("[data-inbound-list]"),
  countLine: app.querySelector("[data-inbound-count]"),
  detailPane,
  categories: () => state.categories,
  onOpen: () => {
    state.selected = null;
    state.report = null;
    state.form = null;
    for (const item of queueList.querySelectorAll("[data-ref]")) item.setAttribute("aria-current", "false");
  },
  onPlaced: (report) => {
    state.selected = report.ref;
    state.report = report;
    state.notice = {
      kind: "ok",
      text: report.lead_agency
        ? t("inbound.placed_to", { ref: report.ref, agency: report.lead_agency.name })
        : t("inbound.placed", { ref: report.ref }),
    };
    renderDetail();
    loadQueue().catch((e) => console.warn("queue:", e.message));
  },
});

let inboundTimer = null;
function scheduleInboundReload() {
  window.clearTimeout(inboundTimer);
  inboundTimer = window.setTimeout(() => inbound.load().catch((e) => console.warn("inbound:", e.message)), 150);
}

detailPane.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const { body, error } = formBody(form.dataset.form, form);
  if (error) showFormError(error);
  else perform(form.dataset.form, body);
});

// A <select> does not submit its form on Enter by itself; the keyboard path needs it to.
detailPane.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target.matches("form select")) {
    event.preventDefault();
    event.target.form.requestSubmit();
  }
});

// ---------------------------------------------------------------- live, language, start

const refreshCountdowns = startCountdowns();

function applyEvent(event) {
  // A message placed by another operator leaves the list as its report is created.
  if (event.type === "inbound.needs_location" || (event.type === "report.created" && inbound.count > 0)) {
    scheduleInboundReload();
  }
  const point = event.payload;
  if ((point?.status && queued(point.status)) || state.queue.some((r) => r.ref === point?.ref)) scheduleQueueReload();
  if (point?.ref && point.ref === state.selected && !state.form) refreshSelected();
}

/** Someone else changed the report on screen: show the new state and say so. */
async function refreshSelected() {
  const before = state.report;
  try {
    const report = await api(`/api/ops/v1/reports/${encodeURIComponent(state.selected)}`);
    // A form opened meanwhile keeps what the operator typed (a stale submit gets a 409).
    const untouched = state.report === before && !state.form;
    if (before && report.timeline.length !== before.timeline.length && untouched) {
      state.report = report;
      state.notice = state.notice || { kind: "ok", text: t("changed.elsewhere") };
      renderDetail();
    }
  } catch (error) {
    console.warn("refresh:", error.message);
  }
}

const live = connectLive({
  namespace: "/ops",
  snapshotUrl: "/api/ops/v1/snapshot",
  onSnapshot: () => {
    scheduleQueueReload();
    scheduleInboundReload();
  },
  onEvent: applyEvent,
});
showLiveStatus(slots, live);

const help = bindShortcuts({
  move,
  act: openForm,
  close: closeForm,
  keys: Object.fromEntries(ACTIONS.map((a) => [a.key, a.name])),
});
slots.middle.querySelector("[data-help]").addEventListener("click", () => help.toggle());

async function loadReferenceData() {
  const [categories, agencies] = await Promise.all([api("/api/mobile/v1/categories"), api("/api/ops/v1/agencies")]);
  state.categories = categories.items;
  state.agencies = agencies.items;
}

onLocaleChange(async () => {
  await loadReferenceData().catch((e) => console.warn(e.message));
  renderQueue();
  inbound.renderList();
  renderDetail();
});

applyTranslations();
renderDetail();
// The e-mails waiting for a place are listed once the categories are known: placing one
// chooses among them, and a form opened before they arrived would offer none.
await Promise.all([loadReferenceData().then(() => inbound.load()), loadQueue()]);
const wanted = new URLSearchParams(window.location.search).get("ref");
if (wanted) select(wanted);
window.iocTriage = { ready: true, live };
