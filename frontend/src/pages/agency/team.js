// The report panel's department part: who handles it (the manager gives it to an officer, an
// officer takes an unassigned one), the draft waiting for the manager's sign-off (approve with
// the answer editable, or send back with a comment), past send-backs, and the supporting
// agencies' parts with their own deadlines. Markup here; main.js wires the clicks.
import { user } from "../../lib/boot.js";
import { clockMarkup } from "../../lib/countdown.js";
import { escapeHtml } from "../../lib/html.js";
import { formatDateTime, t } from "../../lib/i18n.js";

export const isManager = user?.role === "agency_manager";

/** True when the signed-in person's agency leads the report (only the lead assigns it). */
export function weLead(report) {
  return Boolean(report.lead_agency && user?.agency && report.lead_agency.code === user.agency);
}

function personName(person) {
  if (!person) return "";
  if (typeof person === "string") return person;
  return person.full_name || person.username || "";
}

function photoList(photos, altKey, ref) {
  if (!photos?.length) return "";
  return `<ul class="photo-grid">${photos
    .map(
      (p, i) => `<li><a href="${escapeHtml(p.url)}" target="_blank" rel="noopener"><img src="${escapeHtml(
        p.thumbnail_url || p.url,
      )}" alt="${escapeHtml(t(altKey, { n: i + 1, ref }))}" loading="lazy"></a></li>`,
    )
    .join("")}</ul>`;
}

function assigneeMarkup(report, team) {
  if (!weLead(report) || !("assignee" in report)) return "";
  const current = report.assignee;
  const who = current ? escapeHtml(personName(current)) : t("team.unassigned");
  let control = "";
  if (isManager && team.length) {
    const options = team
      .map(
        (m) => `<option value="${escapeHtml(m.username)}"${current?.username === m.username ? " selected" : ""}>${escapeHtml(
          m.full_name,
        )}${m.role === "agency_manager" ? ` (${t("team.manager")})` : ""}</option>`,
      )
      .join("");
    control = `<form class="row" data-assign-form>
      <label for="assignee-select" class="visually-hidden">${t("team.assign_to")}</label>
      <select id="assignee-select" name="username" data-testid="assignee-select">
        <option value="">${t("team.nobody")}</option>${options}</select>
      <button type="submit" class="ioc-button" data-testid="assign">${t("team.assign")}</button></form>`;
  } else if (!current) {
    control = `<button type="button" class="ioc-button primary" data-take data-testid="take">${t("team.take")}</button>`;
  }
  return `<section class="team-assignee" data-testid="assignee">
    <h3>${t("team.handler")}</h3>
    <p data-testid="assignee-name">${who}</p>${control}</section>`;
}

function draftFacts(draft, ref) {
  const lines = [];
  if (draft.answer) lines.push(`<p class="draft-answer">${escapeHtml(draft.answer)}</p>`);
  if (draft.until) lines.push(`<p>${escapeHtml(t("team.draft_until", { until: formatDateTime(draft.until) }))}</p>`);
  if (draft.reason) lines.push(`<p>${escapeHtml(t("team.draft_reason", { reason: draft.reason }))}</p>`);
  return lines.join("") + photoList(draft.photos, "team.draft_photo_alt", ref);
}

function draftMarkup(report) {
  const draft = report.draft;
  if (!draft) return "";
  const head = `<h3>${t(`team.draft.${draft.kind}`)}</h3>
    <p class="ioc-muted">${escapeHtml(
      t("team.draft_by", { who: personName(draft.author), at: formatDateTime(draft.created_at) }),
    )}</p>`;
  if (!isManager) {
    return `<section class="team-draft" data-testid="draft">${head}${draftFacts(draft, report.ref)}
      <p class="notice" data-testid="awaiting-approval">${t("team.awaiting")}</p></section>`;
  }
  const editable =
    draft.kind === "resolution"
      ? `<div><label for="f-approve-answer">${t("team.approve_answer")}</label>
        <textarea id="f-approve-answer" name="answer" rows="3" data-testid="approve-answer">${escapeHtml(
          draft.answer || "",
        )}</textarea></div>${photoList(draft.photos, "team.draft_photo_alt", report.ref)}`
      : draftFacts(draft, report.ref);
  return `<section class="team-draft" data-testid="draft">${head}
    <form class="action-form" data-approve-form novalidate>${editable}
      <div class="row"><button type="submit" class="ioc-button primary" data-testid="approve">${t("team.approve")}</button></div>
    </form>
    <form class="action-form" data-send-back-form novalidate>
      <div><label for="f-send-back">${t("team.send_back_comment")}</label>
      <textarea id="f-send-back" name="comment" rows="2" data-testid="send-back-comment"></textarea></div>
      <div class="row"><button type="submit" class="ioc-button" data-testid="send-back">${t("team.send_back")}</button></div>
      <p class="field-error" role="alert" data-error hidden></p>
    </form></section>`;
}

function sendBacksMarkup(report) {
  const items = report.send_backs || [];
  if (!items.length) return "";
  return `<section class="team-send-backs" data-testid="send-backs"><h3>${t("team.send_backs")}</h3><ul>${items
    .map(
      (s) =>
        `<li>${escapeHtml(t("team.send_back_line", { comment: s.comment, who: personName(s.by), at: formatDateTime(s.at) }))}</li>`,
    )
    .join("")}</ul></section>`;
}

function partMarkup(part, ref) {
  const clock = part.done_at
    ? ""
    : clockMarkup({ kind: "resolution", deadline: part.due_at, is_overdue: Boolean(part.overdue), is_due_soon: false });
  const state = part.done_at
    ? t("team.part_done", { at: formatDateTime(part.done_at) })
    : part.due_at
      ? t("team.part_due", { at: formatDateTime(part.due_at) })
      : "";
  return `<li class="support-part${part.overdue ? " is-overdue" : ""}" data-testid="support-part" data-agency="${escapeHtml(
    part.agency.code,
  )}"${part.overdue ? " data-overdue" : ""}>
    <strong>${escapeHtml(part.agency.name)}</strong>
    ${part.overdue ? `<span class="clock-tag is-overdue">${t("team.part_overdue")}</span>` : ""}
    <span class="ioc-muted">${escapeHtml(state)}</span> ${clock}
    ${part.text ? `<p>${escapeHtml(part.text)}</p>` : ""}
    ${photoList(part.photos, "team.part_photo_alt", ref)}</li>`;
}

function supportPartsMarkup(report) {
  const parts = report.support_parts || [];
  if (!parts.length) return "";
  return `<section class="team-support" data-testid="support-parts"><h3>${t("team.support_parts")}</h3>
    <ul class="support-parts">${parts.map((p) => partMarkup(p, report.ref)).join("")}</ul></section>`;
}

/** The department part of the report panel (empty for a report without any of it). */
export function teamMarkup(report, team) {
  const body = assigneeMarkup(report, team) + draftMarkup(report) + sendBacksMarkup(report) + supportPartsMarkup(report);
  return body ? `<div class="team-part">${body}</div>` : "";
}

/** The request a team form sends: {path, json} or {error}. */
export function teamRequest(form, report) {
  if (form.matches("[data-assign-form]")) {
    return { path: "assignee", json: { username: form.elements.username.value || null } };
  }
  if (form.matches("[data-approve-form]")) {
    const edited = form.elements.answer?.value.trim();
    const json = edited && edited !== (report.draft?.answer || "").trim() ? { answer: edited } : {};
    return { path: "approve", json };
  }
  if (form.matches("[data-send-back-form]")) {
    const comment = form.elements.comment.value.trim();
    if (!comment) return { error: t("field.required", { field: t("team.send_back_comment") }) };
    return { path: "send-back", json: { comment } };
  }
  return null;
}

/** Items assigned to me first, each group keeping the server's deadline order. */
export function mineFirst(items) {
  const mine = (r) => r.assignee?.username && r.assignee.username === user?.username;
  return [...items.filter(mine), ...items.filter((r) => !mine(r))];
}
