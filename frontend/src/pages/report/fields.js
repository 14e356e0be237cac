// The category picker and the chosen category's attributes as form fields, and reading them
// back into the report's `attributes`.
import { escapeHtml } from "../../lib/html.js";
import { t } from "../../lib/i18n.js";

/** <option>s grouped by the categories' groups. */
export function categoryOptions(categories, selected) {
  const groups = new Map();
  for (const c of categories) {
    if (!groups.has(c.group.code)) groups.set(c.group.code, { name: c.group.name, items: [] });
    groups.get(c.group.code).items.push(c);
  }
  return `<option value="">${escapeHtml(t("form.category_pick"))}</option>${[...groups.values()]
    .map(
      (g) => `<optgroup label="${escapeHtml(g.name)}">${g.items
        .map((c) => `<option value="${escapeHtml(c.code)}"${c.code === selected ? " selected" : ""}>${escapeHtml(c.name)}</option>`)
        .join("")}</optgroup>`,
    )
    .join("")}`;
}

function attributeField(a) {
  const id = `attr-${a.code}`;
  const required = a.required ? ` required aria-required="true"` : "";
  const label = `${escapeHtml(a.description)}${a.required ? " *" : ""}`;
  if (a.datatype === "singlevaluelist") {
    return `<div class="field"><label for="${id}">${label}</label><select id="${id}" data-attr="${escapeHtml(a.code)}"${required}>
      <option value=""></option>${a.values.map((v) => `<option value="${escapeHtml(v.key)}">${escapeHtml(v.name)}</option>`).join("")}</select></div>`;
  }
  if (a.datatype === "multivaluelist") {
    return `<fieldset class="field" data-attr="${escapeHtml(a.code)}" data-multi><legend>${label}</legend>${a.values
      .map(
        (v) => `<div class="check"><input type="checkbox" id="${id}-${escapeHtml(v.key)}" value="${escapeHtml(v.key)}">
          <label for="${id}-${escapeHtml(v.key)}">${escapeHtml(v.name)}</label></div>`,
      )
      .join("")}</fieldset>`;
  }
  const type = a.datatype === "number" ? "number" : a.datatype === "datetime" ? "datetime-local" : "text";
  return `<div class="field"><label for="${id}">${label}</label><input id="${id}" type="${type}" data-attr="${escapeHtml(a.code)}"${required}></div>`;
}

export function attributeFields(category) {
  return [...(category?.attributes || [])].sort((a, b) => a.order - b.order).map(attributeField).join("");
}

/** {attributes} or {error} naming the first required attribute left empty. */
export function readAttributes(container, category) {
  const attributes = {};
  for (const a of category?.attributes || []) {
    const element = container.querySelector(`[data-attr="${CSS.escape(a.code)}"]`);
    let value;
    if (element?.dataset.multi !== undefined) {
      value = [...element.querySelectorAll("input:checked")].map((box) => box.value);
      if (!value.length) value = null;
    } else if (a.datatype === "number") {
      value = element.value === "" ? null : Number(element.value);
    } else if (a.datatype === "datetime") {
      value = element.value ? `${element.value}:00+07:00` : null;
    } else {
      value = element.value.trim() || null;
    }
    if (value === null) {
      if (a.required) return { error: t("form.attribute_required", { name: a.description }), element };
      continue;
    }
    attributes[a.code] = value;
  }
  return { attributes };
}
