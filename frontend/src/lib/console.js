// Pieces both staff consoles (triage, agency) draw the same way: a report in a list, and the
// notice above a report (done, failed, or changed by someone else with a reload button).
import { clockMarkup, clockState } from "./countdown.js";
import { escapeHtml } from "./html.js";
import { formatDateTime, t } from "./i18n.js";
import { statusColor } from "./statuses.js";

const TAGS = { overdue: "status.overdue", due_soon: "status.due_soon", paused: "status.paused" };

/** The tag after a report's ref: overdue, due soon or paused, as its clock stands now. */
export function clockTagMarkup(clock) {
  const state = clockState(clock);
  return TAGS[state] ? ` <span class="clock-tag is-${state.replace("_", "-")}">${t(TAGS[state])}</span>` : "";
}

/** One list entry: a button with the ref, category, status, area, time and the clock;
 * `extra` is trusted markup a console adds to the meta line (the agency's assignee). */
export function reportItemMarkup(report, { selected = null, fresh = false, extra = "" } = {}) {
  const state = clockState(report.clock);
  const classes = ["report-item", fresh && "is-new", TAGS[state] && `is-${state.replace("_", "-")}`].filter(Boolean);
  return `<li><button type="button" class="${classes.join(" ")}"
      data-ref="${escapeHtml(report.ref)}" data-clock-state="${state}" aria-current="${report.ref === selected}" style="--item-color:${statusColor(report.status)}">
    <span class="ref">${escapeHtml(report.ref)}${clockTagMarkup(report.clock)}</span>
    <span class="title">${escapeHtml(report.category.name)}</span>
    <span class="meta"><span>${t(`status.${report.status}`)}</span><span>${escapeHtml(report.area?.name || "")}</span>
      <span>${escapeHtml(formatDateTime(report.received_at))}</span>${extra}${clockMarkup(report.clock, "")}</span>
  </button></li>`;
}

/** notice = {kind: "ok" | "error", title?, text, reload?}; reloadKey names the button. */
export function noticeMarkup(notice, reloadKey) {
  if (!notice) return "";
  const reload = notice.reload ? `<button type="button" class="ioc-button" data-reload>${t(reloadKey)}</button>` : "";
  return `<div class="notice is-${notice.kind}" role="${notice.kind === "error" ? "alert" : "status"}">
    ${notice.title ? `<strong>${escapeHtml(notice.title)}</strong> ` : ""}${escapeHtml(notice.text)}${reload}</div>`;
}
