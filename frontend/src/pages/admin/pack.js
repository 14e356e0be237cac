// Gói cấu hình (the province pack): download the current configuration as a zip, or upload
// one: a dry run first shows what would be added, changed and closed and any problems; only
// then "Áp dụng" loads it (one transaction). New users' one-time links are shown once.
import { formatDateTime, getLocale, t } from "../../lib/i18n.js";
import { noticeMarkup } from "../../lib/console.js";
import { PACK_ZIP_URL, pack } from "./api.js";
import { escapeHtml, problemText, refusedProblems, secretMarkup, wireCopy } from "./ui.js";

const KINDS = ["agencies", "categories", "rules", "users", "areas"];
const CHANGES = ["added", "changed", "closed"];

export function mount(root, admin) {
  root.innerHTML = `<h1>${t("nav.pack")}</h1>
    <p><a class="ioc-button" href="${PACK_ZIP_URL}" download data-testid="pack-download">${t("pack.download")}</a></p>
    <form class="admin-form" data-testid="pack-form" novalidate>
      <h2>${t("pack.upload")}</h2><p class="ioc-muted">${t("pack.help")}</p>
      <label for="pack-file">${t("pack.file")}</label>
      <input type="file" id="pack-file" name="file" accept=".zip,application/zip" data-testid="pack-file">
      <div class="row">
        <button type="submit" class="ioc-button" data-testid="pack-check">${t("pack.check")}</button>
        <button type="button" class="ioc-button primary" data-apply data-testid="pack-apply" disabled>${t("act.apply")}</button></div>
    </form>
    <div data-result data-testid="pack-result" aria-live="polite"></div>`;
  const form = root.querySelector("form");
  const result = root.querySelector("[data-result]");
  const applyButton = root.querySelector("[data-apply]");
  wireCopy(root);

  async function send(dryRun) {
    const file = form.elements.file.files[0];
    applyButton.disabled = true;
    if (!file) {
      result.innerHTML = noticeMarkup({ kind: "error", text: t("pack.no_file") }, "");
      return;
    }
    if (!dryRun && !window.confirm(t("pack.confirm"))) return;
    try {
      const answer = await pack.upload(file, { dryRun });
      result.innerHTML = answerMarkup(answer);
      applyButton.disabled = !dryRun || answer.applied;
      if (!dryRun) admin.refreshWarnings();
    } catch (error) {
      const problems = refusedProblems(error);
      result.innerHTML = problems
        ? `<div class="notice is-error" role="alert" data-testid="pack-refused"><strong>${t("pack.refused")}</strong>${problemsMarkup(problems)}</div>`
        : noticeMarkup({ kind: "error", text: error.message }, "");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(true);
  });
  form.elements.file.addEventListener("change", () => {
    applyButton.disabled = true;
    result.innerHTML = "";
  });
  applyButton.addEventListener("click", () => send(false));
}

function problemsMarkup(problems) {
  if (!problems?.length) return "";
  return `<ul class="problems" data-testid="pack-problems">${problems.map((p) => `<li class="is-${escapeHtml(p.severity)}">${escapeHtml(problemText(p))}</li>`).join("")}</ul>`;
}

function answerMarkup(answer) {
  const summary = getLocale() === "en" ? answer.summary_en : answer.summary_vi;
  const rows = KINDS.map((kind) => {
    const change = answer.changes?.[kind] || {};
    const cells = CHANGES.map((c) => {
      const codes = change[c] || [];
      return `<td data-testid="pack-${kind}-${c}" title="${escapeHtml(codes.join(", "))}">${codes.length}${codes.length ? ` <small>${escapeHtml(codes.slice(0, 6).join(", "))}${codes.length > 6 ? "…" : ""}</small>` : ""}</td>`;
    }).join("");
    return `<tr><th scope="row">${t(`nav.${kind === "users" ? "staff" : kind === "areas" ? "boundaries" : kind}`)}</th>${cells}</tr>`;
  }).join("");
  const links = (answer.password_links || [])
    .map((link) =>
      secretMarkup("staff.link_for", new URL(link.url, window.location.origin).href, `pack-link-${link.username}`, {
        username: link.username,
        at: formatDateTime(link.expires_at),
      }),
    )
    .join("");
  return `${noticeMarkup({ kind: "ok", text: answer.applied ? t("pack.applied") : t("pack.dry_run") }, "")}
    <ul class="summary" data-testid="pack-summary">${[summary || []].flat().map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>
    <table class="admin-table" data-testid="pack-diff"><thead><tr><th></th>${CHANGES.map((c) => `<th scope="col">${t(`pack.${c}`)}</th>`).join("")}</tr></thead><tbody>${rows}</tbody></table>
    ${problemsMarkup(answer.problems)}${links}`;
}
