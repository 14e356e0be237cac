// The citizen's identity for the mobile API: a Firebase ID token. In production the page signs
// in with Firebase Authentication (loaded only then); in the demo and development it asks the
// server for this browser's demo citizen (an emulator token), which production never offers.
import { api } from "../../lib/api.js";
import { boot } from "../../lib/boot.js";

const DEVICE_KEY = "ioc.report.device";
const REFRESH_MARGIN_MS = 60_000;
const signIn = boot.citizen_sign_in || { firebase: null, demo: false };

let demoToken = null; // {token, expiresAt}
let firebaseAuth = null;

export const mode = signIn.firebase ? "firebase" : signIn.demo ? "demo" : "none";

function deviceId() {
  let id = window.localStorage.getItem(DEVICE_KEY);
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    id = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    window.localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

async function firebase() {
  if (!firebaseAuth) {
    const [{ initializeApp }, authModule] = await Promise.all([import("firebase/app"), import("firebase/auth")]);
    const auth = authModule.getAuth(initializeApp(signIn.firebase));
    await auth.authStateReady();
    firebaseAuth = { auth, module: authModule };
  }
  return firebaseAuth;
}

/** Whether someone is signed in (the demo citizen always is). */
export async function isSignedIn() {
  if (mode === "demo") return true;
  if (mode === "firebase") return Boolean((await firebase()).auth.currentUser);
  return false;
}

/** Firebase sign-in with a Google account (production). */
export async function signInWithFirebase() {
  const { auth, module } = await firebase();
  await module.signInWithPopup(auth, new module.GoogleAuthProvider());
}

/** A valid ID token, or null when nobody is signed in. */
export async function idToken() {
  if (mode === "demo") {
    if (!demoToken || demoToken.expiresAt - REFRESH_MARGIN_MS < Date.now()) {
      const answer = await api("/api/dev/v1/citizen-token", { method: "POST", json: { device: deviceId() } });
      demoToken = { token: answer.token, expiresAt: Date.now() + answer.expires_in * 1000 };
    }
    return demoToken.token;
  }
  if (mode === "firebase") {
    const user = (await firebase()).auth.currentUser;
    return user ? user.getIdToken() : null;
  }
  return null;
}

/** api() as the signed-in citizen. */
export async function citizenApi(path, options = {}) {
  const token = await idToken();
  const headers = { ...(options.headers || {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) };
  return api(path, { ...options, headers });
}
