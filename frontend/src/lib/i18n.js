// Vietnamese first, English second. Each page adds its own words with addMessages(); the
// choice is remembered in localStorage and applied to elements marked data-i18n
// (text) and data-i18n-attr="attribute:key;attribute:key".
import { vocabulary } from "./boot.js";

const STORAGE_KEY = "ioc.locale";
export const LOCALES = ["vi", "en"];
export const DEFAULT_LOCALE = "vi";

const messages = { vi: {}, en: {} };
const listeners = new Set();
let locale = initialLocale();

function initialLocale() {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (LOCALES.includes(saved)) return saved;
  } catch {
    // Storage can be disabled (private mode): fall back to the default.
  }
  return DEFAULT_LOCALE;
}

export function addMessages(dictionaries) {
  for (const code of LOCALES) Object.assign(messages[code], dictionaries[code] || {});
}

export function getLocale() {
  return locale;
}

/** The text for `key` in the current language ({name} placeholders filled from `params`). */
export function t(key, params = {}) {
  const text = messages[locale][key] ?? messages[DEFAULT_LOCALE][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

export function setLocale(code) {
  if (!LOCALES.includes(code) || code === locale) return;
  locale = code;
  try {
    window.localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Not persisted; the switch still applies to this page.
  }
  applyTranslations();
  for (const listener of listeners) listener(code);
}

/** Calls `listener(locale)` after every language switch; returns a function that stops it. */
export function onLocaleChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function applyTranslations(root = document) {
  document.documentElement.lang = locale;
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of element.dataset.i18nAttr.split(";")) {
      const [attribute, key] = pair.split(":").map((part) => part.trim());
      if (attribute && key) element.setAttribute(attribute, t(key));
    }
  }
}

/** Local date and time in Vietnam's zone (or the one the server configured). */
export function formatDateTime(iso, timeZone = "Asia/Ho_Chi_Minh") {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale === "vi" ? "vi-VN" : "en-GB", {
    timeZone,
    dateStyle: "short",
    timeStyle: "short",
  }).format(new Date(iso));
}

/** Local time of day (hours and minutes) in Vietnam's zone. */
export function formatTime(iso, timeZone = "Asia/Ho_Chi_Minh") {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale === "vi" ? "vi-VN" : "en-GB", {
    timeZone,
    timeStyle: "short",
  }).format(new Date(iso));
}

export function formatNumber(value, options = {}) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return new Intl.NumberFormat(locale === "vi" ? "vi-VN" : "en-GB", options).format(value);
}

addMessages({
  vi: {
    "app.name": "IOC – Trung tâm điều hành đô thị thông minh",
    "app.short": "IOC",
    "lang.switch": "English",
    "lang.switch.label": "Chuyển sang tiếng Anh",
    "auth.signin": "Đăng nhập",
    "auth.signout": "Đăng xuất",
    "auth.signed_in_as": "Đang đăng nhập: {name}",
    "live.connecting": "Đang kết nối…",
    "live.online": "Trực tuyến",
    "live.offline": "Mất kết nối – đang thử lại",
    "live.catching_up": "Đang đồng bộ…",
    "error.network": "Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.",
    "error.server": "Máy chủ báo lỗi ({status}).",
    "status.overdue": "Quá hạn",
    "list.more": "Xem thêm",
    "list.count_more": "{n} phản ánh đã tải · còn nữa",
  },
  en: {
    "app.name": "IOC – Smart City Operations Centre",
    "app.short": "IOC",
    "lang.switch": "Tiếng Việt",
    "lang.switch.label": "Switch to Vietnamese",
    "auth.signin": "Sign in",
    "auth.signout": "Sign out",
    "auth.signed_in_as": "Signed in: {name}",
    "live.connecting": "Connecting…",
    "live.online": "Live",
    "live.offline": "Offline – retrying",
    "live.catching_up": "Catching up…",
    "error.network": "Cannot reach the server. Check the connection and try again.",
    "error.server": "The server reported an error ({status}).",
    "status.pending_review": "Awaiting review",
    "status.rejected": "Rejected",
    "status.duplicate": "Duplicate",
    "status.assigned": "Assigned",
    "status.in_progress": "In progress",
    "status.returned": "Returned",
    "status.resolved": "Resolved",
    "status.closed": "Closed",
    "status.overdue": "Overdue",
    "list.more": "Load more",
    "list.count_more": "{n} reports loaded · more to come",
  },
});

// Status names in Vietnamese are the server's (ioc/feedback/states.py); English ones are above.
addMessages({
  vi: Object.fromEntries(
    vocabulary.statuses.map(({ code, label_vi }) => [`status.${code}`, label_vi.charAt(0).toLocaleUpperCase("vi") + label_vi.slice(1)]),
  ),
});
