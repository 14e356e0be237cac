// The bar on top of every page: name, page title, live badge, who is signed in (with a
// sign-out button on staff pages) and the language switch.
import { api } from "./api.js";
import { user } from "./boot.js";
import { applyTranslations, getLocale, onLocaleChange, setLocale, t } from "./i18n.js";

/** Builds the header as the first child of <body>; returns its slots for the page to fill. */
export function mountHeader({ titleKey, staff = false, theme = "dark" } = {}) {
  document.body.classList.add(`theme-${theme}`);
  const header = document.createElement("header");
  header.className = "ioc-header";
  header.innerHTML = `
    <a class="ioc-brand" href="/" data-i18n-attr="title:app.name">
      <span class="ioc-logo" aria-hidden="true">IOC</span>
      <span class="ioc-title" data-i18n="${titleKey}"></span>
    </a>
    <div class="ioc-header-slot" data-slot="middle"></div>
    <div class="ioc-header-tools">
      <span class="ioc-live-badge" data-slot="live" hidden role="status" aria-live="polite"></span>
      <span class="ioc-user" data-slot="user"></span>
      <button type="button" class="ioc-button ioc-lang" data-slot="lang"
        data-i18n="lang.switch" data-i18n-attr="aria-label:lang.switch.label"></button>
    </div>`;
  document.body.prepend(header);
  const slots = Object.fromEntries(
    [...header.querySelectorAll("[data-slot]")].map((el) => [el.dataset.slot, el]),
  );
  slots.lang.addEventListener("click", () => setLocale(getLocale() === "vi" ? "en" : "vi"));
  if (staff && user) {
    slots.user.innerHTML = `<span class="ioc-user-name"></span>
      <button type="button" class="ioc-button" data-action="logout" data-i18n="auth.signout"></button>`;
    const name = slots.user.querySelector(".ioc-user-name");
    const showName = () => (name.textContent = t("auth.signed_in_as", { name: user.display_name || user.username }));
    showName();
    onLocaleChange(showName);
    slots.user.querySelector("[data-action=logout]").addEventListener("click", signOut);
  } else if (staff) {
    slots.user.innerHTML = `<a class="ioc-button" href="/login" data-i18n="auth.signin"></a>`;
  }
  applyTranslations(header);
  return slots;
}

/** Shows a live connection's state in the header badge. */
export function showLiveStatus(slots, live) {
  const badge = slots.live;
  badge.hidden = false;
  live.onStatus((status) => {
    badge.dataset.status = status;
    badge.dataset.i18n = `live.${status}`;
    badge.textContent = t(`live.${status}`);
  });
}

async function signOut() {
  try {
    await api("/api/auth/logout", { method: "POST" });
  } catch (error) {
    // An expired session is signed out already; go to the login page either way.
    console.warn("sign-out:", error.message);
  }
  window.location.assign("/login");
}
