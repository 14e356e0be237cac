// How citizens reach the province besides the app: the hotline, the public e-mail address and
// the Zalo Official Account the province pack names in [channels] (the server writes them into
// the page's boot data). Drawn on the citizen page and the public portal; nothing when the
// pack names none.
import { boot } from "./boot.js";
import { escapeHtml } from "./html.js";
import { addMessages, onLocaleChange, t } from "./i18n.js";

addMessages({
  vi: {
    "contacts.title": "Các cách phản ánh khác",
    "contacts.hotline": "Gọi đường dây nóng {number}",
    "contacts.email": "Gửi thư điện tử tới {address}",
    "contacts.zalo": "Nhắn Zalo OA {name}",
    "contacts.zalo_unnamed": "Nhắn Zalo OA của tỉnh",
  },
  en: {
    "contacts.title": "Other ways to report",
    "contacts.hotline": "Call the hotline {number}",
    "contacts.email": "E-mail {address}",
    "contacts.zalo": "Message the Zalo OA {name}",
    "contacts.zalo_unnamed": "Message the province's Zalo OA",
  },
});

export const channels = boot.channels || {};

function items() {
  const list = [];
  if (channels.hotline) {
    const dial = channels.hotline.replace(/[^0-9+]/g, "");
    list.push(["hotline", `tel:${dial}`, t("contacts.hotline", { number: channels.hotline })]);
  }
  if (channels.email) list.push(["email", `mailto:${channels.email}`, t("contacts.email", { address: channels.email })]);
  if (channels.zalo_oa_url || channels.zalo_oa_name) {
    const text = channels.zalo_oa_name ? t("contacts.zalo", { name: channels.zalo_oa_name }) : t("contacts.zalo_unnamed");
    list.push(["zalo", channels.zalo_oa_url || null, text]);
  }
  return list;
}

/** Fills `container` with the contact points (and hides it when there are none). */
export function mountContacts(container) {
  const draw = () => {
    const list = items();
    container.hidden = !list.length;
    container.innerHTML = list.length
      ? `<h2>${t("contacts.title")}</h2><ul class="contacts">${list
          .map(([kind, href, text]) =>
            href
              ? `<li data-contact="${kind}"><a href="${escapeHtml(href)}"${kind === "zalo" ? ' target="_blank" rel="noopener"' : ""}>${escapeHtml(text)}</a></li>`
              : `<li data-contact="${kind}">${escapeHtml(text)}</li>`,
          )
          .join("")}</ul>`
      : "";
  };
  draw();
  onLocaleChange(draw);
}
