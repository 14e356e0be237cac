// The agency's action forms: markup, and the request each one sends.
import { escapeHtml } from "../../lib/html.js";
import { t } from "../../lib/i18n.js";

const VIETNAM_OFFSET = "+07:00"; // no daylight saving: a fixed offset is exact

const FIELDS = {
  note: [
    ["textarea", "text", "field.note"],
    ["checkbox", "public", "field.public"],
  ],
  return: [["textarea", "reason", "field.reason_return"]],
  request_extension: [
    ["datetime", "until", "field.until"],
    ["textarea", "reason", "field.reason_extension"],
  ],
  resolve: [
    ["textarea", "answer", "field.answer"],
    ["photos", "photos", "field.photos"],
  ],
};

function field([kind, name, label]) {
  const id = `f-${name}`;
  if (kind === "checkbox") {
    return `<div class="check"><input type="checkbox" id="${id}" name="${name}"><label for="${id}">${t(label)}</label></div>`;
  }
  if (kind === "datetime") {
    return `<div><label for="${id}">${t(label)}</label><input type="datetime-local" id="${id}" name="${name}" required aria-required="true"></div>`;
  }
  if (kind === "photos") {
    return `<div><label for="${id}">${t(label)}</label>
      <input type="file" id="${id}" name="${name}" accept="image/jpeg,image/png,image/webp" multiple>
      <ul class="photo-grid" data-preview></ul></div>`;
  }
  return `<div><label for="${id}">${t(label)}</label><textarea id="${id}" name="${name}" rows="3" required aria-required="true"></textarea></div>`;
}

export function hasForm(action) {
  return action in FIELDS;
}

export function formMarkup(action) {
  return `<h3>${t(`act.${action}`)}</h3>${FIELDS[action].map(field).join("")}
    <div class="row"><button type="submit" class="ioc-button primary">${t("act.send")}</button>
    <button type="button" class="ioc-button" data-cancel>${t("act.cancel")}</button></div>
    <p class="field-error" role="alert" data-error hidden></p>`;
}

/** Thumbnails of the chosen photos, so the officer sees what will be published. */
export function previewPhotos(input) {
  const list = input.form.querySelector("[data-preview]");
  for (const img of list.querySelectorAll("img")) URL.revokeObjectURL(img.src);
  list.innerHTML = [...input.files]
    .map((file, i) => `<li><img src="${escapeHtml(URL.createObjectURL(file))}" alt="${escapeHtml(t("field.photo_preview", { n: i + 1 }))}"></li>`)
    .join("");
}

/** {json} or {body: FormData} for the action, or {error} naming the missing field. */
export function formRequest(action, form) {
  for (const [kind, name, label] of FIELDS[action]) {
    if (["textarea", "datetime"].includes(kind) && !form.elements[name].value.trim()) {
      return { error: t("field.required", { field: t(label) }) };
    }
  }
  const value = (name) => form.elements[name].value.trim();
  if (action === "note") return { json: { text: value("text"), public: form.elements.public.checked } };
  if (action === "return") return { json: { reason: value("reason") } };
  if (action === "request_extension") {
    return { json: { until: `${value("until")}:00${VIETNAM_OFFSET}`, reason: value("reason") } };
  }
  const body = new FormData();
  body.append("answer", value("answer"));
  for (const file of form.elements.photos.files) body.append("photos", file, file.name);
  return { body };
}

export const PATHS = {
  accept: "accept",
  note: "notes",
  return: "return",
  request_extension: "extension",
  resolve: "resolve",
};
