// The channel mix tile: the share of reports by channel (the app = mobile app and citizen web
// page together, Zalo, e-mail, hotline, Open311), today and over the statistics period (last
// 30 days), read from the daily figures (GET /api/ops/v1/statistics?group_by=channel), never
// counted from the points drawn. Refreshed after new reports arrive and every minute. "Today"
// is the server's: the period's answer says where its last day ends.
import { api, withQuery } from "../../lib/api.js";
import { boot } from "../../lib/boot.js";
import { formatNumber, onLocaleChange, t } from "../../lib/i18n.js";

const URL = "/api/ops/v1/statistics";
// The tile's groups, in order, and the channels each gathers; anything else is "other".
const GROUPS = [
  ["app", ["mobile", "web"]],
  ["zalo", ["zalo"]],
  ["email", ["email"]],
  ["phone", ["phone"]],
  ["open311", ["open311"]],
];
const COLORS = { app: "#4ea1ff", zalo: "#0068ff", email: "#ffb347", phone: "#36c275", open311: "#b07cff", other: "#7a8797" };
const DAY_MS = 86_400_000;

export function mixOf(items) {
  const counts = Object.fromEntries([...GROUPS.map(([group]) => [group, 0]), ["other", 0]]);
  for (const row of items) {
    const group = GROUPS.find(([, channels]) => channels.includes(row.key))?.[0] || "other";
    counts[group] += row.received || 0;
  }
  return counts;
}

export class ChannelMix {
  constructor(tile) {
    this.tile = tile;
    this.today = null;
    this.period = null;
    tile.className = "ops-kpi ops-channels";
    tile.dataset.kpi = "channels";
    tile.setAttribute("role", "group");
    this._draw();
    onLocaleChange(() => this._draw());
  }

  start() {
    this.load();
    setInterval(() => this.load(), 60_000);
  }

  onEvent(event) {
    if (event.type !== "report.created") return;
    // A burst of new reports costs one pair of requests.
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this.load(), 1500);
  }

  async load() {
    try {
      const period = await api(withQuery(URL, { group_by: "channel" }));
      const today = await api(withQuery(URL, { group_by: "channel", since: lastDay(period.until) }));
      this.period = mixOf(period.items);
      this.today = mixOf(today.items);
      this._draw();
    } catch (error) {
      console.warn("channel mix:", error.message);
    }
  }

  _draw() {
    this.tile.setAttribute("aria-label", t("ops.channels.title"));
    this.tile.innerHTML = `<span class="ops-channels-title">${t("ops.channels.title")}</span>
      ${this._bar("today", this.today)}${this._bar("period", this.period)}
      <ul class="ops-channels-legend">${[...GROUPS.map(([group]) => group), "other"]
        .filter((group) => group !== "other" || this.period?.other || this.today?.other)
        .map(
          (group) => `<li data-channel="${group}"><span class="status-dot" style="background:${COLORS[group]}"></span>${t(`ops.channels.${group}`)}
            <b data-share="today">${share(this.today, group)}</b> · <span data-share="period">${share(this.period, group)}</span></li>`,
        )
        .join("")}</ul>`;
  }

  _bar(which, counts) {
    const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : null;
    const label = t(`ops.channels.${which}`, { n: total === null ? "–" : formatNumber(total) });
    const parts = total
      ? Object.entries(counts)
          .filter(([, n]) => n)
          .map(([group, n]) => `<span style="flex:${n};background:${COLORS[group]}" title="${t(`ops.channels.${group}`)}: ${formatNumber(n)}"></span>`)
          .join("")
      : "";
    return `<div class="ops-channels-row" data-period="${which}" data-total="${total ?? ""}"><small>${label}</small>
      <div class="ops-channels-bar" aria-hidden="true">${parts}</div></div>`;
  }
}

function share(counts, group) {
  const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
  if (!total) return "–";
  return `${formatNumber((100 * counts[group]) / total, { maximumFractionDigits: 0 })}%`;
}

/** The local date of the period's last day (its `until` is the instant that day ends). */
function lastDay(until) {
  const zone = boot.timezone || "Asia/Ho_Chi_Minh";
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date(Date.parse(until) - DAY_MS / 2));
}
