// Staff sign-in: POST /api/auth/login (which sets the session cookie), then go to `next`
// or the role's home page.
import "../../lib/base.css";
import "./login.css";
import { api } from "../../lib/api.js";
import { mountHeader } from "../../lib/header.js";
import { addMessages, applyTranslations, onLocaleChange, t } from "../../lib/i18n.js";
import { messages } from "./messages.js";

addMessages(messages);
mountHeader({ titleKey: "login.title" });

const app = document.getElementById("app");
app.className = "login-page";
app.innerHTML = `
  <form class="login-form ioc-panel" novalidate>
    <h1 data-i18n="login.heading"></h1>
    <p class="ioc-muted" data-i18n="login.intro"></p>
    <div class="field">
      <label for="username" data-i18n="login.username"></label>
      <input id="username" name="username" autocomplete="username" required autofocus>
    </div>
    <div class="field">
      <label for="password" data-i18n="login.password"></label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
    </div>
    <p class="ioc-error" role="alert" aria-live="assertive" data-role="error" hidden></p>
    <button type="submit" class="ioc-button primary" data-i18n="login.submit"></button>
  </form>`;
applyTranslations();
document.title = `${t("login.title")} – IOC`;
onLocaleChange(() => (document.title = `${t("login.title")} – IOC`));

const form = app.querySelector("form");
const errorBox = app.querySelector("[data-role=error]");

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

/** Only paths on this site: `next` must not send a fresh session to another origin. */
function safeNext() {
  const next = new URLSearchParams(window.location.search).get("next");
  return next && next.startsWith("/") && !next.startsWith("//") ? next : null;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    showError(t("login.missing"));
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const answer = await api("/api/auth/login", { method: "POST", json: { username, password } });
    // The server names each role's home page (ioc/web/homes.py).
    window.location.assign(safeNext() || answer.user.home || "/ops");
  } catch (error) {
    showError(error.status === 401 ? t("login.wrong") : error.message);
    button.disabled = false;
    form.password.select();
  }
});
