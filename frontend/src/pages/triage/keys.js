// Keyboard shortcuts of the triage console, and the "?" overlay that lists them. Keys typed
// into a field are the field's, not shortcuts.
import { applyTranslations } from "../../lib/i18n.js";

const ROWS = [
  ["j", "help.next"],
  ["k", "help.previous"],
  ["v", "help.verify"],
  ["c", "help.classify"],
  ["a", "help.assign"],
  ["r", "help.reject"],
  ["d", "help.duplicate"],
  ["?", "help.help"],
  ["Esc", "help.escape"],
];

function typing(target) {
  return target.closest?.("input, textarea, select, [contenteditable=true]");
}

export function bindShortcuts({ move, act, close, keys }) {
  const overlay = document.createElement("div");
  overlay.className = "help";
  overlay.hidden = true;
  overlay.innerHTML = `<div class="ioc-panel" role="dialog" aria-modal="true" aria-labelledby="help-title">
    <h2 id="help-title" data-i18n="help.title"></h2>
    <dl>${ROWS.map(([key, text]) => `<dt><kbd>${key}</kbd></dt><dd data-i18n="${text}"></dd>`).join("")}</dl>
    <button type="button" class="ioc-button" data-close data-i18n="help.close"></button></div>`;
  document.body.append(overlay);
  applyTranslations(overlay);
  let returnFocus = null;

  function toggle(show = overlay.hidden) {
    if (show) {
      returnFocus = document.activeElement;
      overlay.hidden = false;
      overlay.querySelector("[data-close]").focus();
    } else if (!overlay.hidden) {
      overlay.hidden = true;
      returnFocus?.focus?.();
    }
  }
  overlay.addEventListener("click", (event) => {
    if (event.target === overlay || event.target.closest("[data-close]")) toggle(false);
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") {
      if (!overlay.hidden) toggle(false);
      else close();
      return;
    }
    if (typing(event.target)) return;
    if (event.key === "?") {
      event.preventDefault();
      toggle();
      return;
    }
    if (!overlay.hidden) return;
    if (event.key === "j") move(1);
    else if (event.key === "k") move(-1);
    else if (keys[event.key]) {
      event.preventDefault();
      act(keys[event.key]);
    }
  });
  return { toggle };
}
