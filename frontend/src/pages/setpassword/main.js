// A one-time set-password link: /set-password?token=… → POST /api/auth/password-setup,
// then the sign-in page.
import "../../lib/base.css";
import "../login/login.css";
import { api } from "../../lib/api.js";
import { mountHeader } from "../../lib/header.js";
import { addMessages, applyTranslations, onLocaleChange, t } from "../../lib/i18n.js";
import { messages } from "./messages.js";

const MIN_CHARS = 10;

addMessages(messages);
mountHeader({ titleKey: "setpassword.title" });

const app = document.getElementById("app");
app.className = "login-page";
app.innerHTML = `
  <form class="login-form ioc-panel" novalidate>
    <h1 data-i18n="setpassword.heading"></h1>
    <p class="ioc-muted" data-i18n="setpassword.intro"></p>
    <div class="field">
      <label for="password" data-i18n="setpassword.password"></label>
      <input id="password" name="password" type="password" autocomplete="new-password" required autofocus>
    </div>
    <div class="field">
      <label for="confirm" data-i18n="setpassword.confirm"></label>
      <input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
    </div>
    <p class="ioc-error" role="alert" aria-live="assertive" data-role="error" hidden></p>
    <p class="ioc-muted" role="status" data-role="done" data-i18n="setpassword.done" hidden></p>
    <button type="submit" class="ioc-button primary" data-i18n="setpassword.submit"></button>
  </form>`;
applyTranslations();
document.title = `${t("setpassword.title")} – IOC`;
onLocaleChange(() => (document.title = `${t("setpassword.title")} – IOC`));

const form = app.querySelector("form");
const errorBox = app.querySelector("[data-role=error]");
const token = new URLSearchParams(window.location.search).get("token");

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

if (!token) showError(t("setpassword.notoken"));

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const password = form.password.value;
  if (!token) return showError(t("setpassword.notoken"));
  if (password.length < MIN_CHARS) return showError(t("setpassword.short"));
  if (password !== form.confirm.value) return showError(t("setpassword.mismatch"));
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await api("/api/auth/password-setup", { method: "POST", json: { token, password } });
    app.querySelector("[data-role=done]").hidden = false;
    window.location.assign("/login");
  } catch (error) {
    showError(error.message);
    button.disabled = false;
  }
});
