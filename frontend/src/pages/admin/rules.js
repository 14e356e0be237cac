// Quy tắc phân công (routing rules): which agency leads (and which support) for a category or
// a whole group in an area of any level. A new rule for an existing key is its next version
// (from valid_from); closing ends the current version. Filters: category, area, agency, date.
import { t } from "../../lib/i18n.js";
import { noticeMarkup } from "../../lib/console.js";
import { agencies, categories, rules } from "./api.js";
import { clearErrors, escapeHtml, field, formButtons, named, showFailure, tableMarkup, warningsMarkup } from "./ui.js";

const P = { prefix: "rule" };
const key = (r) => `${r.category_code}|${r.area_code}`;

export function mount(root, admin) {
  root.innerHTML = `<div class="screen-head"><h1>${t("nav.rules")}</h1>
    <form class="toolbar" data-filters>
      <input name="category" data-testid="rules-filter-category" placeholder="${t("col.category")}" aria-label="${t("col.category")}" list="rule-categories">
      <input name="area" data-testid="rules-filter-area" placeholder="${t("col.area")}" aria-label="${t("col.area")}">
      <input name="agency" data-testid="rules-filter-agency" placeholder="${t("col.agency")}" aria-label="${t("col.agency")}" list="rule-agencies">
      <input name="at" type="date" data-testid="rules-filter-at" aria-label="${t("rules.at")}" title="${t("rules.at")}">
      <button type="submit" class="ioc-button" data-testid="rules-filter-apply">${t("list.filter")}</button>
      <button type="button" class="ioc-button primary" data-new data-testid="rules-new">${t("rules.new")}</button>
    </form></div>
    <datalist id="rule-categories"></datalist><datalist id="rule-agencies"></datalist>
    <div data-notice></div><div data-form-slot></div><div data-list></div>`;
  const filters = root.querySelector("[data-filters]");
  const list = root.querySelector("[data-list]");
  const slot = root.querySelector("[data-form-slot]");
  const noticeBox = root.querySelector("[data-notice]");
  const state = { items: [], names: new Map() };
  // A code with its name in the page language (categories, groups and agencies loaded once).
  const coded = (code) => {
    const name = state.names.get(code);
    return `<code>${escapeHtml(code)}</code>${name ? ` <small>${escapeHtml(name)}</small>` : ""}`;
  };

  async function loadChoices() {
    const [cats, ags] = await Promise.all([categories.list({ active: "true" }), agencies.list({ active: "true" })]);
    const groups = new Map(cats.items.map((c) => [c.group_code, named(c, "group_name") || c.group_code]));
    state.names = new Map([...groups, ...cats.items.map((c) => [c.code, named(c)]), ...ags.items.map((a) => [a.code, named(a)])]);
    root.querySelector("#rule-categories").innerHTML = [
      ...cats.items.map((c) => [c.code, named(c)]),
      ...[...groups].map(([code, name]) => [code, `${t("rules.group")}: ${name}`]),
    ]
      .map(([code, name]) => `<option value="${escapeHtml(code)}">${escapeHtml(name)}</option>`)
      .join("");
    root.querySelector("#rule-agencies").innerHTML = ags.items
      .map((a) => `<option value="${escapeHtml(a.code)}">${escapeHtml(named(a))}</option>`)
      .join("");
  }

  async function load() {
    const params = Object.fromEntries(new FormData(filters));
    try {
      state.items = (await rules.list(params)).items;
    } catch (error) {
      noticeBox.innerHTML = noticeMarkup({ kind: "error", text: error.message }, "");
      return;
    }
    list.innerHTML = tableMarkup(
      [
        ["col.category", (r) => coded(r.category_code)],
        ["col.area", (r) => `<code>${escapeHtml(r.area_code)}</code>`],
        ["col.lead", (r) => coded(r.lead_agency_code)],
        ["col.supporting", (r) => escapeHtml((r.supporting_agency_codes || []).join("; "))],
        ["col.valid_from", (r) => escapeHtml(r.valid_from || "")],
        ["col.valid_to", (r) => escapeHtml(r.valid_to || "")],
        ["list.actions", (r) => (r.valid_to ? "" : `<button type="button" class="ioc-button" data-close="${escapeHtml(key(r))}" data-testid="rules-close-${escapeHtml(r.category_code)}-${escapeHtml(r.area_code)}">${t("rules.close")}</button>`)],
      ],
      state.items,
      { testid: "rules-table", rowAttrs: (r) => `data-key="${escapeHtml(key(r))}"` },
    );
  }

  function openForm() {
    slot.innerHTML = `<form class="action-form ioc-panel admin-form" data-testid="rule-form" novalidate>
      <h2>${t("rules.new")}</h2><p class="ioc-muted">${t("rules.help")}</p><div class="grid">
      ${field("category_code", "col.category", { required: true, attrs: 'list="rule-categories" autocomplete="off"', ...P })}
      ${field("area_code", "col.area", { required: true, attrs: 'autocomplete="off"', ...P })}
      ${field("lead_agency_code", "col.lead", { required: true, attrs: 'list="rule-agencies" autocomplete="off"', ...P })}
      ${field("supporting_agency_codes", "col.supporting_hint", { attrs: 'autocomplete="off"', ...P })}
      ${field("valid_from", "col.valid_from", { kind: "date", ...P })}</div>${formButtons()}</form>`;
    slot.querySelector("input").focus();
  }

  async function save(form) {
    clearErrors(form);
    const value = (name) => form.elements[name].value.trim();
    const body = {
      category_code: value("category_code"),
      area_code: value("area_code"),
      lead_agency_code: value("lead_agency_code"),
      supporting_agency_codes: value("supporting_agency_codes").split(/[;,\s]+/).filter(Boolean),
    };
    if (value("valid_from")) body.valid_from = value("valid_from");
    try {
      const saved = await rules.create(body);
      slot.innerHTML = "";
      noticeBox.innerHTML =
        noticeMarkup({ kind: "ok", text: t("rules.saved", { category: saved.category_code, area: saved.area_code }) }, "") +
        warningsMarkup(admin.newWarnings(saved.warnings));
      admin.refreshWarnings();
      await load();
    } catch (error) {
      showFailure(form, error);
    }
  }

  async function close(ruleKey) {
    const [category_code, area_code] = ruleKey.split("|");
    if (!window.confirm(t("rules.confirm_close", { category: category_code, area: area_code }))) return;
    try {
      const answer = await rules.close({ category_code, area_code });
      noticeBox.innerHTML = noticeMarkup({ kind: "ok", text: t("rules.closed", { category: category_code, area: area_code }) }, "") + warningsMarkup(admin.newWarnings(answer?.warnings));
      admin.refreshWarnings();
      await load();
    } catch (error) {
      noticeBox.innerHTML = noticeMarkup({ kind: "error", text: error.message }, "");
    }
  }

  root.addEventListener("click", (event) => {
    if (event.target.closest("[data-new]")) openForm();
    else if (event.target.closest("[data-cancel]")) slot.innerHTML = "";
    else if (event.target.closest("[data-close]")) close(event.target.closest("[data-close]").dataset.close);
  });
  root.addEventListener("submit", (event) => {
    event.preventDefault();
    if (event.target === filters) load();
    else save(event.target);
  });
  loadChoices()
    .catch((error) => console.warn("rules choices:", error.message))
    .then(load);
}
