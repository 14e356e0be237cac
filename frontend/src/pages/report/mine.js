// "My reports": the list, one report's status, timeline and result, and the rating once it
// is resolved. Updated live from the /citizen namespace (the citizen's own reports' events).
import { io } from "socket.io-client";
import { ApiError } from "../../lib/api.js";
import { escapeHtml } from "../../lib/html.js";
import { formatDateTime, t } from "../../lib/i18n.js";
import { citizenApi, idToken } from "./auth.js";

const RATINGS = ["satisfied", "acceptable", "unsatisfied"];

function badge(report) {
  return `<span class="status-badge" data-status="${escapeHtml(report.status)}">${escapeHtml(t(`status.${report.status}`))}</span>`;
}

function photos(list, key) {
  return list.length
    ? `<ul class="photo-grid">${list
        .map((p, i) => `<li><a href="${escapeHtml(p.url)}" target="_blank" rel="noopener"><img src="${escapeHtml(p.thumbnail_url || p.url)}" alt="${escapeHtml(t(key, { n: i + 1 }))}"></a></li>`)
        .join("")}</ul>`
    : "";
}

/** The deadline as the server's clock has it: receipt or handling, paused while staff wait
 * for the citizen's answer, nothing once the report is finished. */
function deadlineFact(clock) {
  if (!clock || clock.kind === "none") return "";
  const kind = clock.kind === "paused" ? clock.paused : clock.kind;
  const value = clock.kind === "paused" ? t("mine.paused") : formatDateTime(clock.deadline) || "–";
  return `<dt>${t(`mine.deadline.${kind}`)}</dt><dd data-clock-state="${escapeHtml(clock.kind)}">${escapeHtml(value)}</dd>`;
}

function ratingForm(report) {
  if (report.rating) return `<p class="notice is-ok">${escapeHtml(t("mine.rated", { rating: t(`mine.rating.${report.rating.rating}`) }))}</p>`;
  if (report.status !== "resolved" || !report.is_mine) return "";
  return `<form class="rating" data-rate="${escapeHtml(report.ref)}"><fieldset><legend>${t("mine.rate")}</legend>
    ${RATINGS.map((r, i) => `<div class="check"><input type="radio" name="rating" id="rate-${r}" value="${r}"${i === 0 ? " checked" : ""}><label for="rate-${r}">${t(`mine.rating.${r}`)}</label></div>`).join("")}
    </fieldset><label for="rate-comment">${t("mine.rating_comment")}</label><textarea id="rate-comment" name="comment" rows="2"></textarea>
    <button type="submit" class="ioc-button primary">${t("mine.rate_submit")}</button><p class="field-error" role="alert" data-error hidden></p></form>`;
}

export function createTracker(container) {
  let selected = null;
  let note = null; // the message above the report; kept while live updates redraw it
  let socket = null;

  async function showList() {
    selected = null;
    const page = await citizenApi("/api/mobile/v1/reports/mine?limit=50");
    container.innerHTML = page.items.length
      ? `<ul class="my-reports">${page.items
          .map(
            (r) => `<li><button type="button" class="my-report" data-ref="${escapeHtml(r.ref)}">
              <span class="ref">${escapeHtml(r.ref)}</span> ${badge(r)}
              <span class="title">${escapeHtml(r.category.name)}</span>
              <span class="ioc-muted">${escapeHtml(formatDateTime(r.received_at))}</span></button></li>`,
          )
          .join("")}</ul>`
      : `<p class="ioc-muted">${t("mine.empty")}</p>`;
  }

  async function showReport(ref, message = undefined) {
    if (message !== undefined) note = message;
    else if (ref !== selected) note = null;
    selected = ref;
    const r = await citizenApi(`/api/mobile/v1/reports/${encodeURIComponent(ref)}`);
    container.innerHTML = `<button type="button" class="ioc-button" data-back>${t("mine.back")}</button>
      <article class="my-detail" aria-labelledby="my-title">
        ${note ? `<p class="notice is-ok" role="status">${escapeHtml(note)}</p>` : ""}
        <h2 id="my-title"><span class="ref">${escapeHtml(r.ref)}</span> · ${escapeHtml(r.category.name)}</h2>
        <p data-status-line>${badge(r)}</p>
        <dl class="facts"><dt>${t("mine.handled_by")}</dt><dd>${escapeHtml(r.handled_by.name)}</dd>
          ${deadlineFact(r.clock)}</dl>
        ${r.description ? `<p>${escapeHtml(r.description)}</p>` : ""}
        ${photos(r.photos, "mine.photo")}
        ${r.result ? `<section><h3>${t("mine.result")}</h3><p>${escapeHtml(r.result.text || "")}</p>${photos(r.result.photos, "mine.result_photo")}</section>` : ""}
        ${ratingForm(r)}
        <section><h3>${t("mine.timeline")}</h3><ol class="timeline">${[...r.timeline]
          .reverse()
          .map((e) => `<li><time datetime="${escapeHtml(e.at)}">${escapeHtml(formatDateTime(e.at))}</time> ${escapeHtml(e.status ? t(`status.${e.status}`) : e.action)}${e.note ? `<p>${escapeHtml(e.note)}</p>` : ""}</li>`)
          .join("")}</ol></section>
      </article>`;
  }

  container.addEventListener("click", (event) => {
    const item = event.target.closest("[data-ref]");
    if (item) showReport(item.dataset.ref).catch(showError);
    if (event.target.closest("[data-back]")) showList().catch(showError);
  });

  container.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-rate]");
    if (!form) return;
    event.preventDefault();
    try {
      await citizenApi(`/api/mobile/v1/reports/${encodeURIComponent(form.dataset.rate)}/rating`, {
        method: "POST",
        json: { rating: form.elements.rating.value, comment: form.elements.comment.value.trim() || null },
      });
      await showReport(form.dataset.rate, t("mine.thanks"));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const box = form.querySelector("[data-error]");
      box.textContent = error.message;
      box.hidden = false;
    }
  });

  function showError(error) {
    container.insertAdjacentHTML("afterbegin", `<p class="notice is-error" role="alert">${escapeHtml(error.message)}</p>`);
  }

  function refresh() {
    const work = selected ? showReport(selected) : showList();
    return work.catch(showError);
  }

  /** Follow /citizen: any event about my reports redraws what is on screen. */
  async function follow() {
    if (socket) return;
    socket = io("/citizen", {
      transports: ["websocket"],
      // A function, so a reconnection sends a fresh token.
      auth: (send) => idToken().then((token) => send({ token })),
    });
    socket.on("event", () => {
      if (!container.hidden) refresh();
    });
    socket.on("resync", () => refresh());
    socket.on("connect_error", (error) => console.warn("live updates:", error.data?.message || error.message));
  }

  return { showList, showReport, refresh, follow };
}
