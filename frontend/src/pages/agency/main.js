// Agency console (/agency): the agency's inbox, overdue first, with deadline countdowns, and
// the report screen: accept, progress note, return, extension request, resolve with photos.
// Follows the /agency live events (the server puts the officer in their agency's room).
import "../../lib/base.css";
import "../../lib/staff.css";
import { api, ApiError } from "../../lib/api.js";
import { noticeMarkup, reportItemMarkup } from "../../lib/console.js";
import { moreMarkup, pagedList } from "../../lib/pager.js";
import { clockState, startCountdowns } from "../../lib/countdown.js";
import { mountHeader, showLiveStatus } from "../../lib/header.js";
import { addMessages, applyTranslations, onLocaleChange, t } from "../../lib/i18n.js";
import { connectLive } from "../../lib/live.js";
import { renderStaffReport } from "../../lib/staffreport.js";
import { inGroup } from "../../lib/statuses.js";
import { formMarkup, formRequest, hasForm, PATHS, previewPhotos } from "./forms.js";
import { messages } from "./messages.js";

addMessages(messages);
const slots = mountHeader({ titleKey: "agency.title", staff: true });
const ACTIONS = ["accept", "note", "request_extension", "return", "resolve"];

const app = document.getElementById("app");
app.innerHTML = `<div class="console">
  <section class="ioc-panel" aria-labelledby="inbox-title">
    <h1 id="inbox-title" data-i18n="agency.inbox"></h1>
    <p class="ioc-muted" data-count aria-live="polite"></p>
    <ul class="report-list" data-inbox aria-labelledby="inbox-title"></ul>
  </section>
  <section class="ioc-panel detail" data-detail></section>
</div>`;
const inboxList = app.querySelector("[data-inbox]");
const countLine = app.querySelector("[data-count]");
const detailPane = app.querySelector("[data-detail]");

const inboxPages = pagedList("/api/agency/v1/inbox?limit=100");
const state = { inbox: [], seen: new Set(), selected: null, report: null, form: null, notice: null, categories: [] };

function renderInbox() {
  const overdue = state.inbox.filter((r) => clockState(r.clock) === "overdue").length;
  const n = state.inbox.length;
  countLine.textContent = t(inboxPages.cursor ? "agency.inbox_count_more" : "agency.inbox_count", { n, overdue });
  inboxList.innerHTML = state.inbox.length
    ? state.inbox
        .map((r) => reportItemMarkup(r, { selected: state.selected, fresh: state.seen.size > 0 && !state.seen.has(r.ref) }))
        .join("") + moreMarkup(inboxPages)
    : `<li class="empty">${t("agency.empty")}</li>`;
  refreshCountdowns(inboxList);
}

function showInbox() {
  state.inbox = inboxPages.items;
  renderInbox();
  for (const r of state.inbox) state.seen.add(r.ref);
}

async function loadInbox() {
  await inboxPages.reload();
  showInbox();
}

async function loadMoreInbox() {
  await inboxPages.more();
  showInbox();
}

let inboxTimer = null;
function scheduleInboxReload() {
  window.clearTimeout(inboxTimer);
  inboxTimer = window.setTimeout(() => loadInbox().catch((e) => console.warn("inbox:", e.message)), 150);
}

async function select(ref) {
  state.selected = ref;
  state.form = null;
  state.notice = null;
  for (const item of inboxList.querySelectorAll("[data-ref]")) item.setAttribute("aria-current", String(item.dataset.ref === ref));
  await loadReport();
}

async function loadReport() {
  try {
    state.report = await api(`/api/agency/v1/reports/${encodeURIComponent(state.selected)}`);
  } catch (error) {
    state.report = null;
    state.notice = { kind: "error", text: error.message };
  }
  renderDetail();
}

function renderDetail() {
  const report = state.report;
  if (!report) {
    detailPane.innerHTML = `${noticeMarkup(state.notice, "conflict.reload")}<p class="empty">${t("agency.pick")}</p>`;
    return;
  }
  const allowed = ACTIONS.filter((a) => report.allowed_actions.includes(a));
  detailPane.innerHTML = `${noticeMarkup(state.notice, "conflict.reload")}
    ${renderStaffReport(report, { category: state.categories.find((c) => c.code === report.category.code) })}`;
  const actions = document.createElement("div");
  actions.className = "actions";
  actions.innerHTML = allowed
    .map((a) => `<button type="button" class="ioc-button${a === "accept" || a === "resolve" ? " primary" : ""}" data-action="${a}"
      aria-expanded="${state.form === a}">${t(`act.${a}`)}</button>`)
    .join("");
  detailPane.querySelector(".facts").after(actions);
  if (state.form) {
    const form = document.createElement("form");
    form.className = "action-form ioc-panel";
    form.dataset.form = state.form;
    form.noValidate = true;
    form.innerHTML = formMarkup(state.form);
    actions.after(form);
    form.querySelector("textarea, input")?.focus();
  }
  refreshCountdowns(detailPane);
}

async function perform(action, request = {}) {
  const ref = state.report.ref;
  try {
    state.report = await api(`/api/agency/v1/reports/${encodeURIComponent(ref)}/${PATHS[action]}`, {
      method: "POST",
      ...request,
    });
    state.form = null;
    state.notice = { kind: "ok", text: t(`done.${action}`, { ref }) };
    renderDetail();
    await loadInbox();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const conflict = error.status === 409;
    if (conflict || !state.form) {
      state.form = null;
      state.notice = { kind: "error", title: conflict ? t("conflict.title") : "", text: error.message, reload: conflict };
      renderDetail();
    } else {
      const box = detailPane.querySelector("[data-error]");
      box.textContent = error.message;
      box.hidden = false;
    }
  }
}

inboxList.addEventListener("click", (event) => {
  if (event.target.closest("[data-more]")) {
    loadMoreInbox().catch((e) => console.warn("inbox:", e.message));
    return;
  }
  const item = event.target.closest("[data-ref]");
  if (item) select(item.dataset.ref);
});

detailPane.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (button) {
    const action = button.dataset.action;
    if (hasForm(action)) {
      state.form = state.form === action ? null : action;
      state.notice = null;
      renderDetail();
    } else {
      perform(action);
    }
  }
  if (event.target.closest("[data-cancel]")) {
    state.form = null;
    renderDetail();
  }
  if (event.target.closest("[data-reload]")) {
    state.notice = null;
    loadReport();
    loadInbox();
  }
});

detailPane.addEventListener("change", (event) => {
  if (event.target.matches("input[type=file]")) previewPhotos(event.target);
});

detailPane.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const { error, ...request } = formRequest(form.dataset.form, form);
  if (error) {
    const box = form.querySelector("[data-error]");
    box.textContent = error;
    box.hidden = false;
  } else {
    perform(form.dataset.form, request);
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && state.form) {
    state.form = null;
    renderDetail();
  }
});

const refreshCountdowns = startCountdowns();

const live = connectLive({
  namespace: "/agency",
  snapshotUrl: "/api/agency/v1/snapshot",
  onSnapshot: () => scheduleInboxReload(),
  onEvent: (event) => {
    scheduleInboxReload();
    // A report back with the IOC (returned) has left the agency: nothing more to fetch.
    const left = event.payload?.status && inGroup(event.payload.status, "triage");
    if (event.payload?.ref === state.selected && !state.form && !left) {
      api(`/api/agency/v1/reports/${encodeURIComponent(state.selected)}`)
        .then((report) => {
          if (report.ref !== state.selected) return;
          state.report = report;
          // A form opened while this was loading keeps what the officer has typed.
          if (!state.form) renderDetail();
        })
        .catch((e) => console.warn("refresh:", e.message));
    }
  },
});
showLiveStatus(slots, live);

async function loadCategories() {
  state.categories = (await api("/api/mobile/v1/categories")).items;
}

onLocaleChange(async () => {
  await loadCategories().catch((e) => console.warn(e.message));
  renderInbox();
  renderDetail();
});

applyTranslations();
renderDetail();
await Promise.all([loadCategories(), loadInbox()]);
// Links in staff e-mails open one report: /agency?ref=…
const wanted = new URLSearchParams(window.location.search).get("ref");
if (wanted) await select(wanted);
window.iocAgency = { ready: true, live };
