// The list-and-form screen of agencies and categories: search, active/closed filter, a table,
// one form to create or edit (the same checks as the pack: a refused save shows each problem
// next to its field and keeps the form), and deactivation after a confirmation.
import { escapeHtml } from "../../lib/html.js";
import { t } from "../../lib/i18n.js";
import { noticeMarkup } from "../../lib/console.js";
import { clearErrors, formButtons, showFailure, tableMarkup, warningsMarkup, wireSearch } from "./ui.js";

/**
 * spec: { name, calls: {list, create, update, deactivate}, columns, formMarkup(item, extra),
 *   body(form, item), locate?(problem), extra?() → data the form needs, wire?(form) }
 */
export function mountCatalogue(root, admin, spec) {
  const { name } = spec;
  root.innerHTML = `<div class="screen-head"><h1 data-i18n="nav.${name}">${t(`nav.${name}`)}</h1>
    <div class="toolbar">
      <input type="search" data-testid="${name}-search" aria-label="${t("list.search")}" placeholder="${t("list.search")}">
      <select data-testid="${name}-active" aria-label="${t("list.show")}">
        <option value="true">${t("list.active")}</option><option value="false">${t("list.closed")}</option><option value="">${t("list.all")}</option>
      </select>
      <button type="button" class="ioc-button primary" data-new data-testid="${name}-new">${t(`${name}.new`)}</button>
    </div></div>
    <div data-notice></div><div data-form-slot></div><div data-list></div>`;
  const search = root.querySelector("[type=search]");
  const activeFilter = root.querySelector(`[data-testid=${name}-active]`);
  const list = root.querySelector("[data-list]");
  const slot = root.querySelector("[data-form-slot]");
  const noticeBox = root.querySelector("[data-notice]");
  const state = { items: [], editing: null, extra: {} };

  async function load() {
    try {
      state.items = (await spec.calls.list({ q: search.value.trim(), active: activeFilter.value })).items;
      render();
    } catch (error) {
      notice({ kind: "error", text: error.message });
    }
  }

  function render() {
    const actions = (item) => `<button type="button" class="ioc-button" data-edit="${escapeHtml(item.code)}" data-testid="${name}-edit-${escapeHtml(item.code)}">${t("act.edit")}</button>
      ${item.active ? `<button type="button" class="ioc-button" data-deactivate="${escapeHtml(item.code)}" data-testid="${name}-deactivate-${escapeHtml(item.code)}">${t("act.deactivate")}</button>` : ""}`;
    list.innerHTML = tableMarkup([...spec.columns, ["list.actions", actions]], state.items, {
      testid: `${name}-table`,
      rowAttrs: (item) => `data-code="${escapeHtml(item.code)}" class="${item.active ? "" : "is-closed"}"`,
    });
  }

  function notice(value, warnings = []) {
    noticeBox.innerHTML = noticeMarkup(value, "") + warningsMarkup(warnings);
  }

  async function openForm(item) {
    state.editing = item;
    state.extra = spec.extra ? await spec.extra() : {};
    slot.innerHTML = `<form class="action-form ioc-panel admin-form" data-testid="${name}-form" novalidate>
      <h2>${escapeHtml(item ? t(`${name}.edit`, { code: item.code }) : t(`${name}.new`))}</h2>
      ${spec.formMarkup(item, state.extra)}${formButtons()}</form>`;
    const form = slot.querySelector("form");
    spec.wire?.(form, item, state.extra);
    form.querySelector("input:not([readonly]), select, textarea")?.focus();
  }

  async function save(form) {
    clearErrors(form);
    const item = state.editing;
    const body = spec.body(form, item);
    try {
      const saved = item ? await spec.calls.update(item.code, body) : await spec.calls.create(body);
      slot.innerHTML = "";
      state.editing = null;
      notice({ kind: "ok", text: t(item ? "saved.updated" : "saved.created", { code: saved.code }) }, admin.newWarnings(saved.warnings));
      admin.refreshWarnings();
      await load();
    } catch (error) {
      showFailure(form, error, spec.locate);
    }
  }

  async function deactivate(code) {
    if (!window.confirm(t(`${name}.confirm_deactivate`, { code }))) return;
    try {
      const saved = await spec.calls.deactivate(code);
      notice({ kind: "ok", text: t("saved.deactivated", { code }) }, admin.newWarnings(saved?.warnings));
      admin.refreshWarnings();
      await load();
    } catch (error) {
      notice({ kind: "error", text: error.message });
    }
  }

  root.addEventListener("click", (event) => {
    const target = event.target;
    if (target.closest("[data-new]")) openForm(null);
    else if (target.closest("[data-edit]")) openForm(state.items.find((i) => i.code === target.closest("[data-edit]").dataset.edit));
    else if (target.closest("[data-deactivate]")) deactivate(target.closest("[data-deactivate]").dataset.deactivate);
    else if (target.closest("[data-cancel]")) {
      slot.innerHTML = "";
      state.editing = null;
    }
  });
  root.addEventListener("submit", (event) => {
    event.preventDefault();
    if (event.target.matches(".admin-form")) save(event.target);
  });
  wireSearch(search, load);
  activeFilter.addEventListener("change", load);
  load();
}
