// The attribute editor inside a category's form: one row per attribute (code, datatype,
// required, order, descriptions) and, for list datatypes, its values (key and names). Rows
// are read back from the form in screen order; a problem of attributes.csv lands on the row
// it names (rows numbered as the pack's file would number them: the header is row 1).
import { vocabulary } from "../../lib/boot.js";
import { t } from "../../lib/i18n.js";
import { escapeHtml, options } from "./ui.js";

const LIST_TYPES = () => vocabulary.list_datatypes || ["singlevaluelist", "multivaluelist"];
const TYPES = () => vocabulary.attribute_datatypes || ["string", "text", "number", "datetime", ...LIST_TYPES()];

function input(id, name, label, value, { type = "text", attrs = "" } = {}) {
  return `<div class="field"><label for="${id}">${t(label)}</label>
    <input type="${type}" id="${id}" name="${name}" data-testid="${id}" value="${escapeHtml(value ?? "")}" ${attrs}>
    <p class="field-error" data-error-for="${id}" role="alert" hidden></p></div>`;
}

function valueRow(i, j, value = {}) {
  const id = `attr-${i}-value-${j}`;
  return `<div class="value-row" data-value-row>
    ${input(`${id}-key`, "key", "attr.value_key", value.key)}
    ${input(`${id}-name_vi`, "name_vi", "col.name_vi", value.name_vi)}
    ${input(`${id}-name_en`, "name_en", "col.name_en", value.name_en)}
    <button type="button" class="ioc-button" data-remove-value data-testid="${id}-remove" aria-label="${t("attr.remove_value")}">×</button></div>`;
}

function attributeRow(i, a = {}) {
  const id = `attr-${i}`;
  const listType = LIST_TYPES().includes(a.datatype);
  return `<fieldset class="attr-row ioc-panel" data-attr-row data-testid="${id}">
    <legend>${t("attr.legend", { n: i + 1 })}</legend>
    <div class="grid">
      ${input(`${id}-code`, "code", "col.code", a.code)}
      <div class="field"><label for="${id}-datatype">${t("attr.datatype")}</label>
        <select id="${id}-datatype" name="datatype" data-testid="${id}-datatype">${options(TYPES().map((d) => [d, t(`datatype.${d}`)]), a.datatype || "string")}</select>
        <p class="field-error" data-error-for="${id}-datatype" role="alert" hidden></p></div>
      ${input(`${id}-order`, "order", "attr.order", a.order ?? i + 1, { type: "number", attrs: 'step="1"' })}
      <div class="check field"><input type="checkbox" id="${id}-required" name="required" data-testid="${id}-required"${a.required ? " checked" : ""}>
        <label for="${id}-required">${t("attr.required")}</label></div>
      ${input(`${id}-description_vi`, "description_vi", "col.description_vi", a.description_vi)}
      ${input(`${id}-description_en`, "description_en", "col.description_en", a.description_en)}
    </div>
    <div class="attr-values" data-values ${listType ? "" : "hidden"}>
      <h4>${t("attr.values")}</h4>
      <div data-value-rows>${(a.values || []).map((v, j) => valueRow(i, j, v)).join("")}</div>
      <button type="button" class="ioc-button" data-add-value data-testid="${id}-value-add">${t("attr.add_value")}</button>
      <p class="field-error" data-error-for="${id}-values" role="alert" hidden></p>
    </div>
    <button type="button" class="ioc-button" data-remove-attr data-testid="${id}-remove">${t("attr.remove")}</button>
    <p class="field-error" data-error-for="${id}" role="alert" hidden></p>
  </fieldset>`;
}

/** The editor's markup for a category's attributes. */
export function attributesMarkup(attributes = []) {
  return `<div class="attributes" data-nested data-attributes>
    <h3>${t("attr.title")}</h3>
    <div data-attr-rows>${attributes.map((a, i) => attributeRow(i, a)).join("")}</div>
    <button type="button" class="ioc-button" data-add-attr data-testid="attr-add">${t("attr.add")}</button>
    <p class="field-error" data-error-for="attributes" role="alert" hidden></p></div>`;
}

/** Add/remove rows and values, and show the values only for list datatypes. */
export function wireAttributes(form) {
  const rows = form.querySelector("[data-attr-rows]");
  form.addEventListener("click", (event) => {
    const target = event.target;
    if (target.closest("[data-add-attr]")) {
      const i = rows.querySelectorAll("[data-attr-row]").length;
      rows.insertAdjacentHTML("beforeend", attributeRow(i));
      rows.lastElementChild.querySelector("input").focus();
    } else if (target.closest("[data-remove-attr]")) {
      target.closest("[data-attr-row]").remove();
    } else if (target.closest("[data-add-value]")) {
      const row = target.closest("[data-attr-row]");
      const i = [...rows.children].indexOf(row);
      const list = row.querySelector("[data-value-rows]");
      list.insertAdjacentHTML("beforeend", valueRow(i, list.children.length));
    } else if (target.closest("[data-remove-value]")) {
      target.closest("[data-value-row]").remove();
    }
  });
  form.addEventListener("change", (event) => {
    if (!event.target.matches("[name=datatype]")) return;
    const row = event.target.closest("[data-attr-row]");
    const values = row.querySelector("[data-values]");
    values.hidden = !LIST_TYPES().includes(event.target.value);
    if (!values.hidden && !row.querySelector("[data-value-row]")) row.querySelector("[data-add-value]").click();
  });
}

/** The attributes as the API takes them, in screen order. */
export function readAttributes(form) {
  return [...form.querySelectorAll("[data-attr-row]")].map((row, i) => {
    const text = (name) => row.querySelector(`:scope > .grid [name=${name}]`).value.trim();
    const datatype = text("datatype");
    const order = text("order");
    return {
      code: text("code"),
      datatype,
      required: row.querySelector(":scope > .grid [name=required]").checked,
      order: order === "" ? i + 1 : Number(order),
      description_vi: text("description_vi"),
      description_en: text("description_en") || null,
      values: LIST_TYPES().includes(datatype)
        ? [...row.querySelectorAll("[data-value-row]")].map((v) => ({
            key: v.querySelector("[name=key]").value.trim(),
            name_vi: v.querySelector("[name=name_vi]").value.trim(),
            name_en: v.querySelector("[name=name_en]").value.trim() || null,
          }))
        : [],
    };
  });
}

/**
 * Where a problem of attributes.csv goes: the named attribute row's field (the pack numbers
 * data rows from 2, after the header), else the editor's own error slot.
 */
export function locateAttributeProblem(form, problem) {
  const index = Number.isInteger(problem.row) ? problem.row - 2 : -1;
  const row = form.querySelectorAll("[data-attr-row]")[index];
  if (!row) return "attributes";
  const column = problem.column || "";
  const slot = `attr-${index}-${column}`;
  return form.querySelector(`[data-error-for="${CSS.escape(slot)}"]`) ? slot : column === "values" ? `attr-${index}-values` : `attr-${index}`;
}
