// Pieces both staff consoles (triage, agency) draw the same way: a report in a list, and the
// notice above a report (done, failed, or changed by someone else with a reload button).
import { escapeHtml } from "./html.js";
import { formatDateTime, t } from "./i18n.js";
import { statusColor } from "./statuses.js";

/** The deadline that matters now: receipt while the IOC reviews it, handling afterwards. */
export function currentDeadline(report) {
  return report.status === "pending_review" ? report.receipt_due_at : report.due_at;
}

/** One list entry: a button with the ref, category, status, area, time and a countdown. */
export function reportItemMarkup(report, { selected = null, fresh = false } = {}) {
  const overdue = report.is_overdue ? ` <span class="overdue-tag">${t("status.overdue")}</span>` : "";
  return `<li><button type="button" class="report-item${fresh ? " is-new" : ""}${report.is_overdue ? " is-overdue" : ""}"
      data-ref="${escapeHtml(report.ref)}" aria-current="${report.ref === selected}" style="--item-color:${statusColor(report.status)}">
    <span class="ref">${escapeHtml(report.ref)}${overdue}</span>
    <span class="title">${escapeHtml(report.category.name)}</span>
    <span class="meta"><span>${t(`status.${report.status}`)}</span><span>${escapeHtml(report.area?.name || "")}</span>
      <span>${escapeHtml(formatDateTime(report.received_at))}</span><span data-deadline="${escapeHtml(currentDeadline(report) || "")}"></span></span>
  </button></li>`;
}

/** notice = {kind: "ok" | "error", title?, text, reload?}; reloadKey names the button. */
export function noticeMarkup(notice, reloadKey) {
  if (!notice) return "";
  const reload = notice.reload ? `<button type="button" class="ioc-button" data-reload>${t(reloadKey)}</button>` : "";
  return `<div class="notice is-${notice.kind}" role="${notice.kind === "error" ? "alert" : "status"}">
    ${notice.title ? `<strong>${escapeHtml(notice.title)}</strong> ` : ""}${escapeHtml(notice.text)}${reload}</div>`;
}
