// A report's deadline clock in words: "3 h 20 min left", "overdue by 2 h", "paused — waiting
// for the citizen". Which clock runs, its deadline, and whether it is paused, due soon or
// overdue come from the server (the report's `clock`, ioc/web/clocks.py); between server
// refreshes the words keep ticking towards `clock.deadline`, every 30 seconds, for elements
// written by clockMarkup().
import { escapeHtml } from "./html.js";
import { addMessages, onLocaleChange, t } from "./i18n.js";

addMessages({
  vi: {
    "deadline.left": "còn {time}",
    "deadline.overdue": "quá hạn {time}",
    "deadline.none": "chưa có hạn",
    "deadline.days": "{d} ngày {h} giờ",
    "deadline.hours": "{h} giờ {m} phút",
    "deadline.minutes": "{m} phút",
    "clock.paused": "tạm dừng — chờ người dân bổ sung",
    "clock.receipt": "Hạn tiếp nhận",
    "clock.resolution": "Hạn xử lý",
    "status.due_soon": "Sắp đến hạn",
    "status.paused": "Tạm dừng",
  },
  en: {
    "deadline.left": "{time} left",
    "deadline.overdue": "overdue by {time}",
    "deadline.none": "no deadline",
    "deadline.days": "{d} d {h} h",
    "deadline.hours": "{h} h {m} min",
    "deadline.minutes": "{m} min",
    "clock.paused": "paused — waiting for the citizen",
    "clock.receipt": "Receipt deadline",
    "clock.resolution": "Resolution deadline",
    "status.due_soon": "Due soon",
    "status.paused": "Paused",
  },
});

const NO_CLOCK = { kind: "none", paused: null, deadline: null, is_due_soon: false, is_overdue: false };

function duration(ms) {
  const minutes = Math.floor(Math.abs(ms) / 60000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d) return t("deadline.days", { d, h });
  if (h) return t("deadline.hours", { h, m });
  return t("deadline.minutes", { m });
}

/**
 * Where the clock stands now: {state, text}, state being "none" (finished), "paused",
 * "overdue", "due_soon" or "running". A paused clock is never due soon or overdue; a running
 * one is overdue when the server said so or once its deadline has passed since.
 */
export function describeClock(clock, now = Date.now()) {
  const c = clock || NO_CLOCK;
  if (c.kind === "paused") return { state: "paused", text: t("clock.paused") };
  if (c.kind !== "receipt" && c.kind !== "resolution") return { state: "none", text: "" };
  if (!c.deadline) return { state: "running", text: t("deadline.none") };
  const left = new Date(c.deadline).getTime() - now;
  if (c.is_overdue || left < 0) {
    return { state: "overdue", text: t("deadline.overdue", { time: duration(Math.min(left, 0)) }) };
  }
  return { state: c.is_due_soon ? "due_soon" : "running", text: t("deadline.left", { time: duration(left) }) };
}

/** The state a clock shows now (see describeClock). */
export function clockState(clock, now = Date.now()) {
  return describeClock(clock, now).state;
}

/** The name of the deadline the clock runs against (the paused clock's while paused). */
export function deadlineLabel(clock) {
  const kind = clock?.kind === "paused" ? clock.paused : clock?.kind;
  return t(kind === "receipt" ? "clock.receipt" : "clock.resolution");
}

/** An element the countdown keeps current, carrying the server's clock. */
export function clockMarkup(clock, className = "countdown") {
  const c = clock || NO_CLOCK;
  return `<span class="${className}" data-clock="${escapeHtml(c.kind)}" data-deadline="${escapeHtml(c.deadline || "")}"${
    c.is_overdue ? " data-overdue" : ""
  }${c.is_due_soon ? " data-due-soon" : ""}></span>`;
}

function clockOf(element) {
  const data = element.dataset;
  return {
    kind: data.clock,
    deadline: data.deadline || null,
    is_overdue: "overdue" in data,
    is_due_soon: "dueSoon" in data,
  };
}

/** Rewrites the words of every clock element under `root`. */
export function refreshClocks(root = document) {
  const now = Date.now();
  for (const element of root.querySelectorAll("[data-clock]")) {
    const { state, text } = describeClock(clockOf(element), now);
    element.textContent = text;
    element.dataset.state = state;
    element.hidden = state === "none";
    element.classList.toggle("is-overdue", state === "overdue");
    element.classList.toggle("is-due-soon", state === "due_soon");
    element.classList.toggle("is-paused", state === "paused");
  }
}

/** Keeps every clock element's words current (call once per page); returns refreshClocks. */
export function startCountdowns() {
  refreshClocks();
  onLocaleChange(() => refreshClocks());
  window.setInterval(refreshClocks, 30_000);
  return refreshClocks;
}
