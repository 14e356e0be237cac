// JSON over fetch for every page: the staff session cookie travels by itself (same origin);
// requests that change something echo the CSRF cookie in X-CSRF-Token, as ioc/web/auth.py
// requires. Failures become ApiError with the server's message, already in the page language.
import { getLocale, t } from "./i18n.js";

const CSRF_COOKIE = "ioc_csrf";
const CSRF_HEADER = "X-CSRF-Token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export class ApiError extends Error {
  constructor(message, { status = 0, code = "network_error", fields = null, details = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.details = details; // the error's details as the server sent them (e.g. a limit)
  }
}

export function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

/** Builds "path?key=value" from the defined, non-empty entries of `params`. */
export function withQuery(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    query.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * fetch `path` and return its JSON body (null for 204).
 * `json` is sent as the request body; `body` (FormData) is sent as is; `headers` are added
 * (a citizen's bearer token, an Idempotency-Key).
 * Throws ApiError with a readable message when the request fails.
 */
export async function api(path, { method = "GET", json, body, signal, headers: extra = {} } = {}) {
  const headers = { Accept: "application/json", "Accept-Language": getLocale(), ...extra };
  if (!SAFE_METHODS.has(method)) {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers[CSRF_HEADER] = csrf;
  }
  let payload = body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: payload,
      credentials: "same-origin",
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(t("error.network"));
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw errorFrom(response.status, data);
  return data;
}

function errorFrom(status, data) {
  const error = data && typeof data.error === "object" ? data.error : null;
  if (!error) return new ApiError(t("error.server", { status }), { status });
  const fields = error.details && typeof error.details.fields === "object" ? error.details.fields : null;
  let message = error.message || t("error.server", { status });
  if (fields) {
    const named = Object.entries(fields).map(([name, reason]) => `${name}: ${reason}`);
    if (named.length) message = `${message} (${named.join("; ")})`;
  }
  const details = error.details && typeof error.details === "object" ? error.details : null;
  return new ApiError(message, { status, code: error.code || "error", fields, details });
}
