// The action forms of the triage console: each returns the request to send, or shows what is
// missing. Forms open under the report, take the focus, and close with Escape.
import { escapeHtml } from "../../lib/html.js";
import { t } from "../../lib/i18n.js";
import { TIERS } from "../../lib/statuses.js";

function options(items, selected) {
  return items
    .map(([value, label]) => `<option value="${escapeHtml(value)}"${value === selected ? " selected" : ""}>${escapeHtml(label)}</option>`)
    .join("");
}

function buttons() {
  return `<div class="row">
    <button type="submit" class="ioc-button primary">${t("action.confirm")}</button>
    <button type="button" class="ioc-button" data-cancel>${t("action.cancel")}</button></div>
    <p class="field-error" role="alert" data-error hidden></p>`;
}

/** Markup of the form for `action`, given the report and the page's reference data. */
export function formMarkup(action, report, { categories, agencies, candidates }) {
  if (action === "classify") {
    return `<h3>${t("action.classify")}</h3>
      <div><label for="f-category">${t("form.category")}</label>
      <select id="f-category" name="category">${options(categories.map((c) => [c.code, `${c.group.name} › ${c.name}`]), report.category.code)}</select></div>
      <div><label for="f-tier">${t("form.tier")}</label>
      <select id="f-tier" name="tier">${options(TIERS.map((tier) => [tier, t(`tier.${tier}`)]), report.sla_tier)}</select></div>${buttons()}`;
  }
  if (action === "assign") {
    const suggested = report.suggested_assignment?.agency?.code || "";
    const label = (a) => (a.code === suggested ? `${a.name} ${t("form.suggested")}` : a.name);
    return `<h3>${t("action.assign")}</h3>
      <div><label for="f-agency">${t("form.agency")}</label>
      <select id="f-agency" name="agency" required>${suggested ? "" : `<option value=""></option>`}${options(agencies.map((a) => [a.code, label(a)]), suggested)}</select></div>${buttons()}`;
  }
  if (action === "reject") {
    return `<h3>${t("action.reject")}</h3>
      <div><label for="f-reason">${t("form.reason")}</label>
      <textarea id="f-reason" name="reason" rows="3" required aria-required="true"></textarea></div>${buttons()}`;
  }
  if (action === "reopen" || action === "decline_reopen") {
    return `<h3>${t(`action.${action}`)}</h3>
      <div><label for="f-reason">${t(`form.reason.${action}`)}</label>
      <textarea id="f-reason" name="reason" rows="3" required aria-required="true"></textarea></div>${buttons()}`;
  }
  if (action === "close") {
    return `<h3>${t("action.close")}</h3>
      <div><label for="f-note">${t("form.note.close")}</label>
      <textarea id="f-note" name="note" rows="3"></textarea></div>${buttons()}`;
  }
  if (action === "duplicate") {
    const list = candidates.length
      ? `<ul class="candidates">${candidates
          .map(
            (c) => `<li><button type="button" class="ioc-button" data-candidate="${escapeHtml(c.ref)}">${escapeHtml(
              t("form.candidate", { ref: c.ref, distance: Math.round(c.distance), status: t(`status.${c.status}`) }),
            )}</button></li>`,
          )
          .join("")}</ul>`
      : `<p class="ioc-muted">${t("form.no_candidates")}</p>`;
    return `<h3>${t("action.duplicate")}</h3>
      <div><label for="f-of">${t("form.of")}</label>
      <input id="f-of" name="of" autocomplete="off" required aria-required="true" value="${escapeHtml(candidates[0]?.ref || "")}"></div>
      <div><h4>${t("form.candidates")}</h4>${list}</div>${buttons()}`;
  }
  return "";
}

/** The JSON body for the form's action, or an error message when something is missing. */
export function formBody(action, form) {
  const value = (name) => form.elements[name]?.value.trim() || "";
  if (action === "classify") return { body: { category: value("category"), tier: value("tier") } };
  if (action === "assign") return value("agency") ? { body: { agency: value("agency") } } : { error: t("form.agency") };
  if (action === "reject") return value("reason") ? { body: { reason: value("reason") } } : { error: t("form.reason_required") };
  if (action === "reopen" || action === "decline_reopen") {
    return value("reason") ? { body: { reason: value("reason") } } : { error: t("form.reason_required") };
  }
  if (action === "close") return { body: { note: value("note") || null } };
  if (action === "duplicate") return value("of") ? { body: { of: value("of").toUpperCase() } } : { error: t("form.of_required") };
  return { body: {} };
}
