// The admin API (/api/admin/v1) in one place: every screen of the console calls these and
// nothing else, so the contract is read in one file. Paths take business codes (agency code,
// category code, username), except keys and webhooks (ids).
import { api, withQuery } from "../../lib/api.js";

const BASE = "/api/admin/v1";
const enc = encodeURIComponent;
const get = (path, params) => api(withQuery(`${BASE}${path}`, params));
const post = (path, json) => api(`${BASE}${path}`, { method: "POST", json: json ?? {} });
const put = (path, json) => api(`${BASE}${path}`, { method: "PUT", json });
const patch = (path, json) => api(`${BASE}${path}`, { method: "PATCH", json });
const upload = (path, form, params) => api(withQuery(`${BASE}${path}`, params), { method: "POST", body: form });

export const PACK_ZIP_URL = `${BASE}/pack.zip`;

export const agencies = {
  list: (params) => get("/agencies", params),
  create: (body) => post("/agencies", body),
  update: (code, body) => put(`/agencies/${enc(code)}`, body),
  deactivate: (code) => post(`/agencies/${enc(code)}/deactivate`),
};

export const categories = {
  list: (params) => get("/categories", params),
  create: (body) => post("/categories", body),
  update: (code, body) => put(`/categories/${enc(code)}`, body),
  deactivate: (code) => post(`/categories/${enc(code)}/deactivate`),
};

export const rules = {
  list: (params) => get("/rules", params),
  create: (body) => post("/rules", body),
  close: (body) => post("/rules/close", body),
};

export const warnings = () => get("/warnings");

export const pack = {
  /** `dryRun` true: the difference and problems only; false: applied. */
  upload: (file, { dryRun }) => {
    const form = new FormData();
    form.append("file", file);
    return upload("/pack", form, { dry_run: String(dryRun) });
  },
};

export const staff = {
  list: (params) => get("/staff", params),
  create: (body) => post("/staff", body),
  update: (username, body) => patch(`/staff/${enc(username)}`, body),
  disable: (username) => post(`/staff/${enc(username)}/disable`),
  enable: (username) => post(`/staff/${enc(username)}/enable`),
  resetPassword: (username) => post(`/staff/${enc(username)}/reset-password`),
};

export const province = () => get("/province");

export const policy = {
  get: () => get("/policy"),
  save: (toml) => put("/policy", { toml }),
};

export const holidays = {
  get: () => get("/holidays"),
  save: (toml) => put("/holidays", { toml }),
  days: (year) => get("/holidays/days", { year }),
};

export const routing = {
  test: (body) => post("/routing/test", body),
};

/** `fields`: level, code_prop, name_prop, name_en_prop?, parent_code_prop?, parent_code?
 * (and valid_from, close_missing when applying). */
function boundaryForm(file, fields) {
  const form = new FormData();
  form.append("file", file);
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null && value !== "") form.append(name, String(value));
  }
  return form;
}

export const boundaries = {
  preview: (file, fields) => upload("/boundaries/preview", boundaryForm(file, fields)),
  apply: (file, fields) => upload("/boundaries", boundaryForm(file, fields)),
};

export const open311Keys = {
  list: () => get("/open311-keys"),
  create: (name) => post("/open311-keys", { name }),
  revoke: (id) => post(`/open311-keys/${enc(id)}/revoke`),
};

export const webhooks = {
  list: () => get("/webhooks"),
  create: (body) => post("/webhooks", body),
  revoke: (id) => post(`/webhooks/${enc(id)}/revoke`),
};

export const audit = {
  list: (params) => get("/audit", params),
};
