// The live event feed: newest first, each item names the event and the report.
import { formatTime, t } from "../../lib/i18n.js";
import { statusColor } from "../../lib/statuses.js";

const MAX_ITEMS = 60;

export class Feed {
  constructor(list, onPick, categoryName = (code) => code) {
    this.list = list;
    this.onPick = onPick;
    this.categoryName = categoryName;
    this.empty = document.createElement("li");
    this.empty.className = "ops-feed-empty";
    this.empty.dataset.i18n = "ops.feed.empty";
    this.empty.textContent = t("ops.feed.empty");
    list.append(this.empty);
  }

  add(event) {
    const payload = event.payload || {};
    if (!payload.ref) return;
    this.empty.remove();
    const item = document.createElement("li");
    item.dataset.ref = payload.ref;
    item.dataset.eventType = event.type;
    item.dataset.seq = event.seq;
    const button = document.createElement("button");
    button.type = "button";
    button.innerHTML = `<span class="status-dot"></span><time></time><b></b><span class="ref"></span>`;
    button.querySelector(".status-dot").style.background = statusColor(payload.status);
    button.querySelector("time").textContent = formatTime(event.occurred_at);
    button.querySelector("time").dateTime = event.occurred_at;
    const label = button.querySelector("b");
    // A rating that asks to reopen is a decision waiting for the IOC: say so.
    const key = `event.${event.type}${payload.reopen_requested ? ".unsatisfied" : ""}`;
    label.dataset.i18n = key;
    label.textContent = t(key);
    const category = payload.category ? this.categoryName(payload.category) : "";
    button.querySelector(".ref").textContent = `${payload.ref} · ${category}`;
    button.addEventListener("click", () => this.onPick(payload.ref));
    item.append(button);
    this.list.prepend(item);
    while (this.list.children.length > MAX_ITEMS) this.list.lastElementChild.remove();
  }
}
