// Cán bộ (staff): the accounts with their last sign-in; create (a one-time set-password link,
// shown once), change role, agency or contacts, disable (their sessions end at once) or
// enable, and reset the password (a new link). The last active admin cannot be disabled.
import { vocabulary } from "../../lib/boot.js";
import { formatDateTime, t } from "../../lib/i18n.js";
import { noticeMarkup } from "../../lib/console.js";
import { agencies, staff } from "./api.js";
import { clearErrors, escapeHtml, field, formButtons, formValues, named, secretMarkup, showFailure, tableMarkup, wireCopy, wireSearch, yesNo } from "./ui.js";

const P = { prefix: "staff" };
const ROLES = () => (vocabulary.roles || []).map((role) => [role, t(`role.${role}`)]);

export function mount(root) {
  root.innerHTML = `<div class="screen-head"><h1>${t("nav.staff")}</h1>
    <div class="toolbar">
      <input type="search" data-testid="staff-search" aria-label="${t("list.search")}" placeholder="${t("list.search")}">
      <select data-testid="staff-role" aria-label="${t("col.role")}"><option value="">${t("staff.any_role")}</option>${ROLES()
        .map(([v, l]) => `<option value="${v}">${escapeHtml(l)}</option>`)
        .join("")}</select>
      <select data-testid="staff-active" aria-label="${t("list.show")}"><option value="">${t("list.all")}</option><option value="true">${t("staff.active")}</option><option value="false">${t("staff.disabled")}</option></select>
      <button type="button" class="ioc-button primary" data-new data-testid="staff-new">${t("staff.new")}</button>
    </div></div>
    <datalist id="staff-agencies"></datalist>
    <div data-notice></div><div data-form-slot></div><div data-list></div>
    <div class="row"><button type="button" class="ioc-button" data-more data-testid="staff-more" hidden>${t("list.more")}</button></div>`;
  const search = root.querySelector("[type=search]");
  const roleFilter = root.querySelector("[data-testid=staff-role]");
  const activeFilter = root.querySelector("[data-testid=staff-active]");
  const list = root.querySelector("[data-list]");
  const slot = root.querySelector("[data-form-slot]");
  const noticeBox = root.querySelector("[data-notice]");
  const moreButton = root.querySelector("[data-more]");
  const state = { items: [], cursor: null, editing: null, agencyNames: new Map() };
  wireCopy(root);

  agencies.list({ active: "true" }).then(
    ({ items }) => {
      root.querySelector("#staff-agencies").innerHTML = items.map((a) => `<option value="${escapeHtml(a.code)}">${escapeHtml(named(a))}</option>`).join("");
      state.agencyNames = new Map(items.map((a) => [a.code, named(a)]));
      if (state.items.length) render();
    },
    (error) => console.warn("agencies:", error.message),
  );

  const params = (cursor) => ({ q: search.value.trim(), role: roleFilter.value, active: activeFilter.value, cursor });

  async function load({ more = false } = {}) {
    try {
      const page = await staff.list(params(more ? state.cursor : null));
      state.items = more ? [...state.items, ...page.items] : page.items;
      state.cursor = page.next_cursor || null;
      render();
    } catch (error) {
      noticeBox.innerHTML = noticeMarkup({ kind: "error", text: error.message }, "");
    }
  }

  function render() {
    const u = (s) => escapeHtml(s.username);
    list.innerHTML = tableMarkup(
      [
        ["col.username", (s) => `<code>${u(s)}</code>`],
        ["col.full_name", (s) => escapeHtml(s.full_name || "")],
        ["col.role", (s) => escapeHtml(t(`role.${s.role}`))],
        ["col.agency", (s) => (s.agency_code ? `<code>${escapeHtml(s.agency_code)}</code> <small>${escapeHtml(state.agencyNames.get(s.agency_code) || "")}</small>` : "")],
        ["col.active", (s) => yesNo(s.active)],
        ["col.last_sign_in", (s) => escapeHtml(s.last_sign_in_at ? formatDateTime(s.last_sign_in_at) : t("staff.never"))],
        [
          "list.actions",
          (s) => `<button type="button" class="ioc-button" data-edit="${u(s)}" data-testid="staff-edit-${u(s)}">${t("act.edit")}</button>
            ${s.active
              ? `<button type="button" class="ioc-button" data-disable="${u(s)}" data-testid="staff-disable-${u(s)}">${t("staff.disable")}</button>`
              : `<button type="button" class="ioc-button" data-enable="${u(s)}" data-testid="staff-enable-${u(s)}">${t("staff.enable")}</button>`}
            <button type="button" class="ioc-button" data-reset="${u(s)}" data-testid="staff-reset-${u(s)}">${t("staff.reset")}</button>`,
        ],
      ],
      state.items,
      { testid: "staff-table", rowAttrs: (s) => `data-username="${u(s)}" data-active="${s.active}"` },
    );
    moreButton.hidden = !state.cursor;
  }

  function openForm(item) {
    state.editing = item;
    slot.innerHTML = `<form class="action-form ioc-panel admin-form" data-testid="staff-form" novalidate>
      <h2>${escapeHtml(item ? t("staff.edit", { username: item.username }) : t("staff.new"))}</h2><div class="grid">
      ${field("username", "col.username", { value: item?.username, required: true, readonly: Boolean(item), attrs: 'autocomplete="off"', ...P })}
      ${field("full_name", "col.full_name", { value: item?.full_name, required: true, ...P })}
      ${field("role", "col.role", { kind: "select", value: item?.role || "agency_officer", choices: ROLES(), required: true, ...P })}
      ${field("agency_code", "col.agency", { value: item?.agency_code, attrs: 'list="staff-agencies" autocomplete="off"', ...P })}
      ${field("email", "col.email", { kind: "email", value: item?.email, ...P })}</div>${formButtons()}</form>`;
    slot.querySelector("input:not([readonly])").focus();
  }

  async function save(form) {
    clearErrors(form);
    const item = state.editing;
    const values = formValues(form);
    try {
      if (item) {
        delete values.username;
        await staff.update(item.username, values);
        noticeBox.innerHTML = noticeMarkup({ kind: "ok", text: t("staff.saved", { username: item.username }) }, "");
      } else {
        const created = await staff.create(values);
        noticeBox.innerHTML = noticeMarkup({ kind: "ok", text: t("staff.created", { username: created.username }) }, "") + linkMarkup(created.password_link);
      }
      slot.innerHTML = "";
      state.editing = null;
      await load();
    } catch (error) {
      showFailure(form, error);
    }
  }

  async function act(kind, username) {
    if (!window.confirm(t(`staff.confirm_${kind}`, { username }))) return;
    try {
      if (kind === "reset") {
        const answer = await staff.resetPassword(username);
        noticeBox.innerHTML = noticeMarkup({ kind: "ok", text: t("staff.was_reset", { username }) }, "") + linkMarkup(answer.password_link);
      } else {
        await (kind === "disable" ? staff.disable(username) : staff.enable(username));
        noticeBox.innerHTML = noticeMarkup({ kind: "ok", text: t(`staff.was_${kind}d`, { username }) }, "");
      }
      await load();
    } catch (error) {
      const text = error.code === "last_admin" ? t("staff.last_admin") : error.message;
      noticeBox.innerHTML = noticeMarkup({ kind: "error", text }, "");
    }
  }

  root.addEventListener("click", (event) => {
    const target = event.target;
    const hit = (name) => target.closest(`[data-${name}]`)?.dataset[name];
    if (target.closest("[data-new]")) openForm(null);
    else if (target.closest("[data-cancel]")) slot.innerHTML = "";
    else if (target.closest("[data-more]")) load({ more: true });
    else if (hit("edit")) openForm(state.items.find((s) => s.username === hit("edit")));
    else if (hit("disable")) act("disable", hit("disable"));
    else if (hit("enable")) act("enable", hit("enable"));
    else if (hit("reset")) act("reset", hit("reset"));
  });
  root.addEventListener("submit", (event) => {
    event.preventDefault();
    save(event.target);
  });
  wireSearch(search, () => load());
  roleFilter.addEventListener("change", () => load());
  activeFilter.addEventListener("change", () => load());
  load();
}

function linkMarkup(link) {
  if (!link?.url) return "";
  const url = new URL(link.url, window.location.origin).href;
  return secretMarkup("staff.link", url, "password-link") + `<p class="ioc-muted">${t("staff.link_expires", { at: formatDateTime(link.expires_at) })}</p>`;
}
