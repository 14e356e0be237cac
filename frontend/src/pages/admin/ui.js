// Pieces every screen of the admin console draws the same way: labelled fields with a slot
// for their error, tables, the problems of a refused change next to the field they name, a
// secret shown once with a copy button, and names in the page's language.
import { escapeHtml } from "../../lib/html.js";
import { getLocale, t } from "../../lib/i18n.js";

/** A row's name in the page language (the Vietnamese one when the English is missing). */
export function named(item, prefix = "name") {
  if (!item) return "";
  return (getLocale() === "en" && item[`${prefix}_en`]) || item[`${prefix}_vi`] || item.code || "";
}

export function options(pairs, selected, { blank = false } = {}) {
  const rows = blank ? [["", ""], ...pairs] : pairs;
  return rows
    .map(([value, label]) => `<option value="${escapeHtml(value)}"${String(value) === String(selected ?? "") ? " selected" : ""}>${escapeHtml(label)}</option>`)
    .join("");
}

/**
 * One labelled field; `name` is the pack's column, so a problem naming that column lands in
 * this field's error slot. kind: text | number | date | email | textarea | select | check.
 */
export function field(name, labelKey, { kind = "text", value = "", choices = [], required = false, prefix = "f", readonly = false, attrs = "" } = {}) {
  const id = `${prefix}-${name}`;
  const common = `id="${id}" name="${name}" data-testid="${id}"${required ? ' required aria-required="true"' : ""}${readonly ? " readonly" : ""} ${attrs}`;
  const error = `<p class="field-error" data-error-for="${name}" role="alert" hidden></p>`;
  if (kind === "check") {
    return `<div class="check field"><input type="checkbox" ${common}${value ? " checked" : ""}><label for="${id}">${t(labelKey)}</label>${error}</div>`;
  }
  let control;
  if (kind === "textarea") control = `<textarea ${common} rows="2">${escapeHtml(value ?? "")}</textarea>`;
  else if (kind === "select") control = `<select ${common}>${options(choices, value, { blank: !required })}</select>`;
  else control = `<input type="${kind}" ${common} value="${escapeHtml(value ?? "")}"${kind === "number" ? ' step="any"' : ""}>`;
  return `<div class="field"><label for="${id}">${t(labelKey)}</label>${control}${error}</div>`;
}

/**
 * The form's values: checkboxes as booleans, numbers as numbers, empty text as null. An empty
 * number is left out, so the server's default applies (a number column has no "none").
 */
export function formValues(form) {
  const values = {};
  for (const element of form.elements) {
    if (!element.name || element.closest("[data-nested]")) continue;
    if (element.type === "checkbox") values[element.name] = element.checked;
    else if (element.type === "number") {
      if (element.value !== "") values[element.name] = Number(element.value);
    } else values[element.name] = element.value.trim() === "" ? null : element.value.trim();
  }
  return values;
}

export function formButtons(saveKey = "act.save") {
  return `<div class="row">
    <button type="submit" class="ioc-button primary" data-testid="form-save">${t(saveKey)}</button>
    <button type="button" class="ioc-button" data-cancel data-testid="form-cancel">${t("act.cancel")}</button></div>
    <div class="field-error" role="alert" data-error data-testid="form-error" hidden></div>`;
}

/** A problem in the page language, with where it was found. */
export function problemText(problem) {
  const message = (getLocale() === "en" ? problem.message_en : problem.message_vi) || problem.message_vi || "";
  const where = [problem.file];
  if (problem.row !== null && problem.row !== undefined) where.push(`${t("problem.row")} ${problem.row}`);
  if (problem.feature !== null && problem.feature !== undefined) where.push(`${t("problem.feature")} ${problem.feature}`);
  if (problem.column) where.push(`${t("problem.column")} ${problem.column}`);
  const origin = where.filter(Boolean).join(", ");
  return origin ? `${origin}: ${message}` : message;
}

/** The problems of a 400 pack_refused answer, or null for any other error. */
export function refusedProblems(error) {
  return error?.code === "pack_refused" && Array.isArray(error.details?.problems) ? error.details.problems : null;
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for], [data-error]")) {
    slot.hidden = true;
    slot.textContent = "";
  }
}

/**
 * Shows a failed save on the form it came from: each problem next to the field of its column
 * (`locate(problem)` may name another slot, e.g. an attribute's row), the rest in the form's
 * error box. The form keeps what was typed.
 */
export function showFailure(form, error, locate = (problem) => problem.column) {
  clearErrors(form);
  const box = form.querySelector("[data-error]");
  const refused = refusedProblems(error);
  // A refusal lists the configuration's warnings too; only its errors are about this form.
  const errors = refused?.filter((problem) => problem.severity !== "warning");
  const problems = errors?.length ? errors : refused;
  if (!problems) {
    const fields = error.fields || {};
    const left = [];
    for (const [name, reason] of Object.entries(fields)) {
      if (!put(form, fieldSlot(name), reason)) left.push(`${name}: ${reason}`);
    }
    box.textContent = !Object.keys(fields).length ? error.message : left.length ? `${error.message}: ${left.join("; ")}` : t("form.see_fields");
    box.hidden = false;
    return;
  }
  const general = problems.filter((problem) => !put(form, locate(problem), problemText(problem)));
  box.innerHTML = general.length
    ? `<ul>${general.map((p) => `<li>${escapeHtml(problemText(p))}</li>`).join("")}</ul>`
    : escapeHtml(t("form.see_fields"));
  box.hidden = false;
}

/** The error slot of a request field: "attributes.0.values.1.key" is the attribute editor's
 * "attr-0-value-1-key", "attributes.0.code" its "attr-0-code"; other names are columns. */
function fieldSlot(name) {
  return name
    .replace(/^attributes\.(\d+)\.values\.(\d+)\.(\w+)$/, "attr-$1-value-$2-$3")
    .replace(/^attributes\.(\d+)\.(\w+)$/, "attr-$1-$2");
}

function put(form, name, text) {
  if (!name) return false;
  const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  if (!slot) return false;
  slot.textContent = slot.hidden ? text : `${slot.textContent} ${text}`;
  slot.hidden = false;
  return true;
}

/** Warnings that came back with a successful save (they do not block). */
export function warningsMarkup(problems) {
  if (!problems?.length) return "";
  return `<div class="notice is-warning" role="status" data-testid="save-warnings"><strong>${t("warnings.title")}</strong>
    <ul>${problems.map((p) => `<li>${escapeHtml(problemText(p))}</li>`).join("")}</ul></div>`;
}

/** A secret shown once: the value, a copy button and the warning that it will not come back. */
export function secretMarkup(labelKey, value, testid, params = {}) {
  const label = escapeHtml(t(labelKey, params));
  return `<div class="notice is-secret" role="status" data-testid="${testid}">
    <strong>${label}</strong>
    <p class="ioc-error">${t("secret.once")}</p>
    <div class="row"><input readonly class="secret" value="${escapeHtml(value)}" data-testid="${testid}-value" aria-label="${label}">
    <button type="button" class="ioc-button" data-copy data-testid="${testid}-copy">${t("act.copy")}</button></div></div>`;
}

/** Wires every copy button under `root` (clipboard when allowed, else the text is selected). */
export function wireCopy(root) {
  root.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const input = button.parentElement.querySelector("input.secret");
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = t("act.copied");
    } catch {
      // Without clipboard permission the text stays selected for Ctrl+C.
    }
  });
}

/** A table: `columns` = [[labelKey, (row) => markup]]; `rowAttrs(row)` adds attributes. */
export function tableMarkup(columns, rows, { rowAttrs = () => "", testid = "table", emptyKey = "list.empty" } = {}) {
  if (!rows.length) return `<p class="empty" data-testid="${testid}-empty">${t(emptyKey)}</p>`;
  return `<table class="admin-table" data-testid="${testid}"><thead><tr>${columns.map(([key]) => `<th scope="col">${t(key)}</th>`).join("")}</tr></thead>
    <tbody>${rows.map((row) => `<tr ${rowAttrs(row)}>${columns.map(([, cell]) => `<td>${cell(row)}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
}

export function yesNo(value) {
  return value ? t("common.yes") : t("common.no");
}

/** A search box that calls `onSearch(q)` a moment after typing stops. */
export function wireSearch(input, onSearch) {
  let timer = null;
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => onSearch(input.value.trim()), 250);
  });
}

export { escapeHtml };
