// Agency console (/agency): the agency's inbox, overdue first, with deadline countdowns, in
// views (mine, unassigned, the whole team for the manager), and the report screen: who handles
// it, accept, progress note, return, extension request, resolve with photos, the draft waiting
// for the manager's sign-off and the supporting agencies' parts (team.js); and the agency's
// own figures (figures.js). Follows the /agency live events (the server puts the officer in
// their agency's room).
import "../../lib/base.css";
import "../../lib/staff.css";
import "./agency.css";
import { api, ApiError } from "../../lib/api.js";
import { noticeMarkup, reportItemMarkup } from "../../lib/console.js";
import { moreMarkup, pagedList } from "../../lib/pager.js";
import { clockState, startCountdowns } from "../../lib/countdown.js";
import { mountHeader, showLiveStatus } from "../../lib/header.js";
import { addMessages, applyTranslations, onLocaleChange, t } from "../../lib/i18n.js";
import { connectLive } from "../../lib/live.js";
import { renderStaffReport } from "../../lib/staffreport.js";
import { inGroup } from "../../lib/statuses.js";
import { escapeHtml } from "../../lib/html.js";
import { user } from "../../lib/boot.js";
import { FiguresView } from "./figures.js";
import { isManager, mineFirst, teamMarkup, teamRequest } from "./team.js";
import { formMarkup, formRequest, hasForm, PATHS, previewPhotos } from "./forms.js";
import { messages } from "./messages.js";

addMessages(messages);
const slots = mountHeader({ titleKey: "agency.title", staff: true });
const ACTIONS = ["accept", "note", "request_extension", "return", "resolve"];

const app = document.getElementById("app");
// The manager starts on the whole team's work, an officer on their own.
const VIEWS = isManager ? ["team", "unassigned", "mine"] : ["mine", "unassigned"];
app.innerHTML = `<nav class="agency-sections tabs" role="tablist" data-i18n-attr="aria-label:agency.sections">
    <button type="button" role="tab" id="section-reports" aria-controls="agency-reports" aria-selected="true" data-section="reports" data-testid="section-reports" data-i18n="agency.section.reports"></button>
    <button type="button" role="tab" id="section-figures" aria-controls="agency-figures" aria-selected="false" data-section="figures" data-testid="section-figures" data-i18n="agency.section.figures"></button>
  </nav>
  <div class="console" id="agency-reports" role="tabpanel" aria-labelledby="section-reports">
  <section class="ioc-panel" aria-labelledby="inbox-title">
    <h1 id="inbox-title" data-i18n="agency.inbox"></h1>
    <div class="tabs inbox-views" role="tablist" data-i18n-attr="aria-label:agency.views">${VIEWS.map(
      (v, i) => `<button type="button" role="tab" aria-selected="${i === 0}" data-view="${v}" data-testid="view-${v}" data-i18n="agency.view.${v}"></button>`,
    ).join("")}</div>
    <p class="ioc-muted" data-count aria-live="polite"></p>
    <ul class="report-list" data-inbox aria-labelledby="inbox-title"></ul>
  </section>
  <section class="ioc-panel detail" data-detail></section>
</div>
<section class="ioc-panel agency-figures" id="agency-figures" role="tabpanel" aria-labelledby="section-figures" data-figures hidden></section>`;
const inboxList = app.querySelector("[data-inbox]");
const countLine = app.querySelector("[data-count]");
const detailPane = app.querySelector("[data-detail]");

const figures = new FiguresView(app.querySelector("[data-figures]"));
figures.listen();

const inboxUrl = (view) => `/api/agency/v1/inbox?limit=100&view=${view}`;
let inboxPages = pagedList(inboxUrl(VIEWS[0]));
const state = {
  view: VIEWS[0],
  inbox: [],
  seen: new Set(),
  selected: null,
  report: null,
  form: null,
  notice: null,
  categories: [],
  team: [],
};

function assigneeTag(report) {
  if (!("assignee" in report)) return "";
  const name = report.assignee ? report.assignee.full_name || report.assignee.username : t("team.unassigned");
  return `<span class="assignee" data-testid="item-assignee">${escapeHtml(name)}</span>`;
}

function renderInbox() {
  const overdue = state.inbox.filter((r) => clockState(r.clock) === "overdue").length;
  const n = state.inbox.length;
  countLine.textContent = t(inboxPages.cursor ? "agency.inbox_count_more" : "agency.inbox_count", { n, overdue });
  inboxList.innerHTML = state.inbox.length
    ? state.inbox
        .map((r) =>
          reportItemMarkup(r, { selected: state.selected, fresh: state.seen.size > 0 && !state.seen.has(r.ref), extra: assigneeTag(r) }),
        )
        .join("") + moreMarkup(inboxPages)
    : `<li class="empty">${t("agency.empty")}</li>`;
  refreshCountdowns(inboxList);
}

function showInbox() {
  state.inbox = mineFirst(inboxPages.items);
  renderInbox();
  for (const r of state.inbox) state.seen.add(r.ref);
}

async function loadInbox() {
  await inboxPages.reload();
  showInbox();
}

async function showView(view) {
  state.view = view;
  for (const tab of app.querySelectorAll("[data-view]")) tab.setAttribute("aria-selected", String(tab.dataset.view === view));
  inboxPages = pagedList(inboxUrl(view));
  state.seen = new Set();
  await loadInbox();
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
  const team = teamMarkup(report, state.team);
  if (team) actions.insertAdjacentHTML("afterend", team);
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

async function perform(action, request = {}, path = PATHS[action]) {
  const ref = state.report.ref;
  try {
    state.report = await api(`/api/agency/v1/reports/${encodeURIComponent(ref)}/${path}`, {
      method: "POST",
      ...request,
    });
    state.form = null;
    const drafted = action === "resolve" && state.report.draft && state.report.status !== "resolved";
    state.notice = { kind: "ok", text: t(drafted ? "done.draft" : `done.${action}`, { ref }) };
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

app.querySelector(".inbox-views").addEventListener("click", (event) => {
  const tab = event.target.closest("[data-view]");
  if (tab && tab.dataset.view !== state.view) showView(tab.dataset.view).catch((e) => console.warn("inbox:", e.message));
});

app.querySelector(".agency-sections").addEventListener("click", (event) => {
  const tab = event.target.closest("[data-section]");
  if (!tab) return;
  const figuresShown = tab.dataset.section === "figures";
  for (const t2 of app.querySelectorAll("[data-section]")) t2.setAttribute("aria-selected", String(t2 === tab));
  app.querySelector("#agency-reports").hidden = figuresShown;
  app.querySelector("[data-figures]").hidden = !figuresShown;
  if (figuresShown) figures.load();
});

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
  if (event.target.closest("[data-take]")) {
    perform("take", { json: { username: user.username } }, "assignee");
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
  const team = teamRequest(form, state.report);
  if (team) {
    if (team.error) {
      const box = form.querySelector("[data-error]");
      box.textContent = team.error;
      box.hidden = false;
    } else {
      perform(team.path.replace("-", "_"), { json: team.json }, team.path);
    }
    return;
  }
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
          // The echo of the officer's own action changes nothing the pane shows (its
          // countdowns move by themselves): drawing it again would only swallow a click
          // on a button being replaced.
          const changed = withoutClock(report) !== withoutClock(state.report);
          state.report = report;
          // A form opened while this was loading keeps what the officer has typed.
          if (changed && !state.form) renderDetail();
        })
        .catch((e) => console.warn("refresh:", e.message));
    }
  },
});
showLiveStatus(slots, live);

/** The report as the pane draws it, without the clock's reading of the moment. */
function withoutClock(report) {
  return JSON.stringify({ ...report, clock: null });
}

async function loadCategories() {
  state.categories = (await api("/api/mobile/v1/categories")).items;
}

async function loadTeam() {
  // Only the manager gives reports to others; an officer takes one for themself.
  if (isManager) state.team = (await api("/api/agency/v1/team")).items;
}

onLocaleChange(async () => {
  await loadCategories().catch((e) => console.warn(e.message));
  renderInbox();
  renderDetail();
  if (!app.querySelector("[data-figures]").hidden) figures.render();
});

applyTranslations();
renderDetail();
await Promise.all([loadCategories(), loadInbox(), loadTeam().catch((e) => console.warn("team:", e.message))]);
// An officer with nothing of their own yet starts on what nobody has taken.
if (state.view === "mine" && !state.inbox.length) await showView("unassigned");
// Links in staff e-mails open one report: /agency?ref=…
const wanted = new URLSearchParams(window.location.search).get("ref");
if (wanted) await select(wanted);
window.iocAgency = { ready: true, live };
