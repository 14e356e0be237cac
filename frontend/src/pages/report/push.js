// Push notifications for the citizen page: with the Firebase web configuration's push keys the
// page asks for a Firebase Cloud Messaging token (firebase/messaging, through the page's own
// service worker /report-sw.js, which shows the notification and opens the report on a tap)
// and registers it like the mobile app does (POST /api/mobile/v1/devices, platform "web").
// Development and tests may name a token source instead of Firebase's token service, which
// needs Google's servers; production never does (the server refuses to start with one).
import { boot } from "../../lib/boot.js";
import { getLocale } from "../../lib/i18n.js";
import { citizenApi } from "./auth.js";

const push = boot.citizen_push || { firebase: null, token_source: null };
const REGISTERED_KEY = "ioc.report.push";

/** Whether this page can offer push at all (configured, and the browser supports it). */
export const available = Boolean(push.firebase) && "Notification" in window && "serviceWorker" in navigator;

async function fcmToken(registration) {
  if (push.token_source) {
    const answer = await fetch(`${push.token_source}?sender=${encodeURIComponent(push.firebase.messagingSenderId)}`);
    if (!answer.ok) throw new Error(`push token source: ${answer.status}`);
    return (await answer.json()).token;
  }
  const [{ initializeApp, getApps }, messaging] = await Promise.all([import("firebase/app"), import("firebase/messaging")]);
  if (!(await messaging.isSupported())) return null;
  const app = getApps().find((a) => a.name === "ioc-push") || initializeApp(push.firebase, "ioc-push");
  return messaging.getToken(messaging.getMessaging(app), { vapidKey: push.firebase.vapidKey, serviceWorkerRegistration: registration });
}

/** Ask for permission if needed (call from a click), get a token and register it; returns
 * whether this browser now receives notifications. */
export async function enablePush() {
  if (!available) return false;
  const permission = Notification.permission === "default" ? await Notification.requestPermission() : Notification.permission;
  if (permission !== "granted") return false;
  const registration = await navigator.serviceWorker.ready;
  const token = await fcmToken(registration);
  if (!token) return false;
  const locale = getLocale();
  if (window.localStorage.getItem(REGISTERED_KEY) !== `${token}|${locale}`) {
    await citizenApi("/api/mobile/v1/devices", { method: "POST", json: { token, platform: "web", locale } });
    window.localStorage.setItem(REGISTERED_KEY, `${token}|${locale}`);
  }
  return true;
}

/** Register silently where the citizen already allowed notifications (tokens rotate). */
export async function renewPush() {
  if (available && Notification.permission === "granted") return enablePush();
  return false;
}
