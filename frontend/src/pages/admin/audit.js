// Nhật ký (audit): every admin change with who, when, what and the before/after values;
// filtered by target ref or user, paged back in time ("before").
import { formatDateTime, t } from "../../lib/i18n.js";
import { noticeMarkup } from "../../lib/console.js";
import { audit } from "./api.js";
import { escapeHtml, tableMarkup } from "./ui.js";

const LIMIT = 50;

function json(value) {
  if (value === null || value === undefined) return "";
  return `<pre class="json">${escapeHtml(JSON.stringify(value, null, 1))}</pre>`;
}

export function mount(root) {
  root.innerHTML = `<div class="screen-head"><h1>${t("nav.audit")}</h1>
    <form class="toolbar" data-filters>
      <input name="ref" data-testid="audit-ref" placeholder="${t("audit.ref")}" aria-label="${t("audit.ref")}">
      <input name="user" data-testid="audit-user" placeholder="${t("col.username")}" aria-label="${t("col.username")}">
      <button type="submit" class="ioc-button" data-testid="audit-apply">${t("list.filter")}</button></form></div>
    <div data-notice></div><div data-list></div>
    <div class="row"><button type="button" class="ioc-button" data-more data-testid="audit-more" hidden>${t("list.more")}</button></div>`;
  const filters = root.querySelector("[data-filters]");
  const list = root.querySelector("[data-list]");
  const moreButton = root.querySelector("[data-more]");
  const state = { items: [], before: null };

  async function load({ more = false } = {}) {
    const params = { ...Object.fromEntries(new FormData(filters)), limit: LIMIT, before: more ? state.before : null };
    try {
      const page = await audit.list(params);
      state.items = more ? [...state.items, ...page.items] : page.items;
      state.before = page.next_before || null;
    } catch (error) {
      root.querySelector("[data-notice]").innerHTML = noticeMarkup({ kind: "error", text: error.message }, "");
      return;
    }
    list.innerHTML = tableMarkup(
      [
        ["col.at", (e) => escapeHtml(formatDateTime(e.at))],
        ["col.username", (e) => escapeHtml(e.user || "")],
        ["audit.action", (e) => `<code>${escapeHtml(e.action)}</code>`],
        ["audit.target", (e) => `${escapeHtml(e.target_type || "")} <code>${escapeHtml(e.target_ref || "")}</code>`],
        ["audit.before", (e) => json(e.before)],
        ["audit.after", (e) => json(e.after)],
      ],
      state.items,
      { testid: "audit-table", rowAttrs: (e) => `data-action="${escapeHtml(e.action)}" data-target="${escapeHtml(e.target_ref || "")}"` },
    );
    moreButton.hidden = !state.before;
  }

  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  moreButton.addEventListener("click", () => load({ more: true }));
  load();
}
