// "3 h 20 min left" / "overdue by 2 h": the time to a deadline in words, updated every minute
// for elements marked data-deadline.
import { addMessages, onLocaleChange, t } from "./i18n.js";

addMessages({
  vi: {
    "deadline.left": "còn {time}",
    "deadline.overdue": "quá hạn {time}",
    "deadline.none": "chưa có hạn",
    "deadline.days": "{d} ngày {h} giờ",
    "deadline.hours": "{h} giờ {m} phút",
    "deadline.minutes": "{m} phút",
  },
  en: {
    "deadline.left": "{time} left",
    "deadline.overdue": "overdue by {time}",
    "deadline.none": "no deadline",
    "deadline.days": "{d} d {h} h",
    "deadline.hours": "{h} h {m} min",
    "deadline.minutes": "{m} min",
  },
});

function duration(ms) {
  const minutes = Math.floor(Math.abs(ms) / 60000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d) return t("deadline.days", { d, h });
  if (h) return t("deadline.hours", { h, m });
  return t("deadline.minutes", { m });
}

/** The words for a deadline, and whether it has passed. */
export function describeDeadline(iso, now = Date.now()) {
  if (!iso) return { text: t("deadline.none"), overdue: false };
  const left = new Date(iso).getTime() - now;
  return left < 0
    ? { text: t("deadline.overdue", { time: duration(left) }), overdue: true }
    : { text: t("deadline.left", { time: duration(left) }), overdue: false };
}

function refresh(root = document) {
  for (const element of root.querySelectorAll("[data-deadline]")) {
    const { text, overdue } = describeDeadline(element.dataset.deadline || null);
    element.textContent = text;
    element.classList.toggle("is-overdue", overdue);
  }
}

/** Keeps every [data-deadline] element's words current (call once per page). */
export function startCountdowns() {
  refresh();
  onLocaleChange(() => refresh());
  window.setInterval(refresh, 30_000);
  return refresh;
}
