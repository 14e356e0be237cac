// Admin console (/admin): the province's configuration edited in a browser. A left navigation
// picks a screen (remembered in the address's #hash); each screen is a module of its own with
// mount(root, console) returning an optional clean-up. The warnings badge counts the
// configuration's warnings (GET /warnings) and refreshes after every change.
import "../../lib/base.css";
import "../../lib/staff.css";
import "./admin.css";
import { mountHeader } from "../../lib/header.js";
import { addMessages, applyTranslations, onLocaleChange, t } from "../../lib/i18n.js";
import { escapeHtml } from "../../lib/html.js";
import { warnings } from "./api.js";
import { messages } from "./messages.js";
import { problemText } from "./ui.js";
import * as agencies from "./agencies.js";
import * as categories from "./categories.js";
import * as rules from "./rules.js";
import * as tester from "./tester.js";
import * as boundaries from "./boundaries.js";
import * as staff from "./staff.js";
import * as policy from "./policy.js";
import * as keys from "./keys.js";
import * as pack from "./pack.js";
import * as audit from "./audit.js";

addMessages(messages);
mountHeader({ titleKey: "admin.title", staff: true });

const SECTIONS = { agencies, categories, rules, tester, boundaries, staff, policy, keys, pack, audit };
const FIRST = "agencies";

const app = document.getElementById("app");
app.innerHTML = `<div class="admin">
  <nav class="admin-nav ioc-panel" aria-label="${escapeHtml(t("admin.nav"))}" data-testid="admin-nav">
    <ul>${Object.keys(SECTIONS)
      .map((id) => `<li><a href="#${id}" data-section="${id}" data-testid="nav-${id}" data-i18n="nav.${id}"></a></li>`)
      .join("")}</ul>
    <button type="button" class="warnings-badge" data-testid="warnings-badge" aria-expanded="false" hidden></button>
    <div class="warnings-list" data-testid="warnings-list" hidden></div>
  </nav>
  <section class="admin-main ioc-panel" data-testid="admin-main" aria-live="polite"></section>
</div>`;
const main = app.querySelector(".admin-main");
const badge = app.querySelector(".warnings-badge");
const warningList = app.querySelector(".warnings-list");

const state = { current: null, cleanup: null, warnings: [] };

const consoleApi = {
  /** Screens call this after a change: the configuration's warnings may have changed. */
  refreshWarnings: () => loadWarnings(),
  /** Of the warnings a save answered with, those the configuration did not have before it
   * (the API returns all of them; the others are in the badge already). */
  newWarnings: (problems) => {
    const known = new Set(state.warnings.map(warningKey));
    return (problems || []).filter((p) => !known.has(warningKey(p)));
  },
};

function warningKey(problem) {
  return [problem.file, problem.row, problem.column, problem.feature, problem.message_vi].join("|");
}

function currentId() {
  const id = window.location.hash.slice(1).split("?")[0];
  return id in SECTIONS ? id : FIRST;
}

function show(id = currentId()) {
  if (typeof state.cleanup === "function") state.cleanup();
  state.current = id;
  for (const link of app.querySelectorAll("[data-section]")) {
    if (link.dataset.section === id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  // A fresh element per visit: a screen's listeners and late answers die with it.
  const screen = document.createElement("div");
  screen.className = "admin-screen";
  main.replaceChildren(screen);
  main.dataset.section = id;
  document.title = `${t(`nav.${id}`)} – ${t("admin.title")} – IOC`;
  state.cleanup = SECTIONS[id].mount(screen, consoleApi) || null;
}

function renderWarnings() {
  const n = state.warnings.length;
  badge.hidden = false;
  badge.dataset.count = String(n);
  badge.textContent = n ? t("warnings.badge", { n }) : t("warnings.none");
  badge.classList.toggle("has-warnings", n > 0);
  warningList.innerHTML = n
    ? `<ul>${state.warnings.map((p) => `<li>${escapeHtml(problemText(p))}</li>`).join("")}</ul>`
    : "";
}

async function loadWarnings() {
  try {
    state.warnings = (await warnings()).items || [];
  } catch (error) {
    console.warn("warnings:", error.message);
    state.warnings = [];
  }
  renderWarnings();
}

badge.addEventListener("click", () => {
  const open = warningList.hidden && state.warnings.length > 0;
  warningList.hidden = !open;
  badge.setAttribute("aria-expanded", String(open));
});

window.addEventListener("hashchange", () => show());
onLocaleChange(() => {
  renderWarnings();
  show(state.current);
});

applyTranslations();
show();
loadWarnings();
window.iocAdmin = { ready: true, show, section: () => state.current };
