// Khóa Open311 & Webhook: the interoperability keys and the webhook subscriptions; a new
// key's value and a new webhook's signing secret are shown once, then only revoking is left.
import { formatDateTime, t } from "../../lib/i18n.js";
import { noticeMarkup } from "../../lib/console.js";
import { open311Keys, webhooks } from "./api.js";
import { escapeHtml, secretMarkup, tableMarkup, wireCopy } from "./ui.js";

const when = (iso) => escapeHtml(iso ? formatDateTime(iso) : "–");
// The API answers `active`; `revoked_at` is read too, should it come back.
const isRevoked = (item) => Boolean(item.revoked_at) || item.active === false;

export function mount(root) {
  root.innerHTML = `<h1>${t("nav.keys")}</h1>
    <h2>${t("keys.open311")}</h2>
    <form class="toolbar" data-create="keys" data-testid="key-form">
      <input name="name" required data-testid="key-name" placeholder="${t("keys.name")}" aria-label="${t("keys.name")}">
      <button type="submit" class="ioc-button primary" data-testid="key-create">${t("keys.create")}</button></form>
    <div data-notice="keys"></div><div data-list="keys"></div>
    <h2>${t("keys.webhooks")}</h2>
    <form class="toolbar" data-create="webhooks" data-testid="webhook-form">
      <input name="name" data-testid="webhook-name" placeholder="${t("keys.webhook_name")}" aria-label="${t("keys.webhook_name")}">
      <input name="url" type="url" required data-testid="webhook-url" placeholder="https://…" aria-label="${t("keys.url")}">
      <input name="events" data-testid="webhook-events" placeholder="${t("keys.events_hint")}" aria-label="${t("keys.events")}">
      <button type="submit" class="ioc-button primary" data-testid="webhook-create">${t("keys.create_webhook")}</button></form>
    <div data-notice="webhooks"></div><div data-list="webhooks"></div>`;
  wireCopy(root);
  const box = (kind, what) => root.querySelector(`[data-${what}=${kind}]`);
  const revokeButton = (kind, item) =>
    isRevoked(item) ? `<span class="ioc-muted">${t("keys.revoked")}</span>` : `<button type="button" class="ioc-button" data-revoke="${kind}:${escapeHtml(item.id)}" data-testid="${kind}-revoke-${escapeHtml(item.id)}">${t("keys.revoke")}</button>`;

  async function load(kind) {
    try {
      const { items } = await (kind === "keys" ? open311Keys : webhooks).list();
      const columns =
        kind === "keys"
          ? [
              ["col.name", (k) => escapeHtml(k.name)],
              ["keys.prefix", (k) => (k.key_prefix ? `<code>${escapeHtml(k.key_prefix)}…</code>` : "")],
              ["col.created_at", (k) => when(k.created_at)],
              ["keys.last_used", (k) => when(k.last_used_at)],
              ["list.actions", (k) => revokeButton(kind, k)],
            ]
          : [
              ["col.name", (w) => escapeHtml(w.name || "")],
              ["keys.url", (w) => `<code>${escapeHtml(w.url)}</code>`],
              ["keys.events", (w) => escapeHtml((w.events || []).join(", "))],
              ["col.created_at", (w) => when(w.created_at)],
              ["list.actions", (w) => revokeButton(kind, w)],
            ];
      box(kind, "list").innerHTML = tableMarkup(columns, items, { testid: `${kind}-table`, rowAttrs: (i) => `data-id="${escapeHtml(i.id)}"` });
    } catch (error) {
      box(kind, "notice").innerHTML = noticeMarkup({ kind: "error", text: error.message }, "");
    }
  }

  root.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const kind = form.dataset.create;
    try {
      if (kind === "keys") {
        const created = await open311Keys.create(form.elements.name.value.trim());
        box(kind, "notice").innerHTML = secretMarkup("keys.key_value", created.key, "key-secret");
      } else {
        const events = form.elements.events.value.split(/[,;\s]+/).filter(Boolean);
        const body = { url: form.elements.url.value.trim(), events };
        if (form.elements.name.value.trim()) body.name = form.elements.name.value.trim();
        const created = await webhooks.create(body);
        box(kind, "notice").innerHTML = secretMarkup("keys.secret_value", created.secret, "webhook-secret");
      }
      form.reset();
      load(kind);
    } catch (error) {
      box(kind, "notice").innerHTML = noticeMarkup({ kind: "error", text: error.message }, "");
    }
  });
  root.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-revoke]");
    if (!button) return;
    const [kind, id] = button.dataset.revoke.split(":");
    if (!window.confirm(t("keys.confirm_revoke"))) return;
    try {
      await (kind === "keys" ? open311Keys : webhooks).revoke(id);
      box(kind, "notice").innerHTML = noticeMarkup({ kind: "ok", text: t("keys.was_revoked") }, "");
      load(kind);
    } catch (error) {
      box(kind, "notice").innerHTML = noticeMarkup({ kind: "error", text: error.message }, "");
    }
  });
  load("keys");
  load("webhooks");
}
