// Thời hạn & ngày nghỉ (policy & holidays): the SLA policy and the holiday file as TOML text,
// each saved on its own with the server's error shown under it, and this year's holidays.
import { formatDateTime, t } from "../../lib/i18n.js";
import { noticeMarkup } from "../../lib/console.js";
import { holidays, policy, province } from "./api.js";
import { escapeHtml, named, problemText, refusedProblems, tableMarkup } from "./ui.js";

const EDITORS = [
  { name: "policy", calls: policy },
  { name: "holidays", calls: holidays },
];

export function mount(root) {
  const year = new Date().getFullYear();
  root.innerHTML = `<h1>${t("nav.policy")}</h1><p class="ioc-muted" data-province data-testid="province-line"></p>
    ${EDITORS.map(({ name }) => `<form class="admin-form toml-form" data-editor="${name}" data-testid="${name}-form">
      <h2>${t(`policy.${name}`)} <small class="ioc-muted" data-source></small></h2>
      <label for="${name}-toml" class="visually-hidden">${t(`policy.${name}`)}</label>
      <textarea id="${name}-toml" name="toml" class="toml" rows="14" spellcheck="false" data-testid="${name}-toml"></textarea>
      <div class="row"><button type="submit" class="ioc-button primary" data-testid="${name}-save">${t("act.save")}</button></div>
      <div data-result data-testid="${name}-result" aria-live="polite"></div></form>`).join("")}
    <h2>${t("policy.days", { year })}</h2><div data-days></div>`;

  province().then(
    (p) => (root.querySelector("[data-province]").textContent = `${named(p)} (${p.code}) · ${p.time_zone}`),
    (error) => console.warn("province:", error.message),
  );

  async function loadEditor({ name, calls }) {
    const form = root.querySelector(`[data-editor=${name}]`);
    try {
      const answer = await calls.get();
      form.elements.toml.value = answer.toml || "";
      form.querySelector("[data-source]").textContent = answer.source ? t(`policy.source.${answer.source}`) : "";
    } catch (error) {
      form.querySelector("[data-result]").innerHTML = noticeMarkup({ kind: "error", text: error.message }, "");
    }
  }

  async function loadDays() {
    const box = root.querySelector("[data-days]");
    try {
      const { items } = await holidays.days(year);
      box.innerHTML = tableMarkup(
        [
          ["col.date", (d) => escapeHtml(d.date)],
          ["col.name", (d) => escapeHtml(named(d))],
        ],
        items,
        { testid: "holiday-days" },
      );
    } catch (error) {
      box.innerHTML = noticeMarkup({ kind: "error", text: error.message }, "");
    }
  }

  root.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const editor = EDITORS.find((e) => e.name === form.dataset.editor);
    const result = form.querySelector("[data-result]");
    try {
      await editor.calls.save(form.elements.toml.value);
      result.innerHTML = noticeMarkup({ kind: "ok", text: t("policy.saved", { at: formatDateTime(new Date().toISOString()) }) }, "");
      if (editor.name === "holidays") loadDays();
    } catch (error) {
      const problems = refusedProblems(error);
      const text = problems ? problems.map(problemText).join(" · ") : error.message;
      result.innerHTML = noticeMarkup({ kind: "error", text }, "");
    }
  });

  EDITORS.forEach(loadEditor);
  loadDays();
}
