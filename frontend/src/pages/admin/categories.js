// Lĩnh vực (categories) with their attributes, as categories.csv and attributes.csv.
import { vocabulary } from "../../lib/boot.js";
import { t } from "../../lib/i18n.js";
import { categories } from "./api.js";
import { attributesMarkup, locateAttributeProblem, readAttributes, wireAttributes } from "./attributes.js";
import { mountCatalogue } from "./catalogue.js";
import { escapeHtml, field, formValues, named, yesNo } from "./ui.js";

const P = { prefix: "category" };

export function mount(root, admin) {
  let form = null;
  mountCatalogue(root, admin, {
    name: "categories",
    calls: categories,
    columns: [
      ["col.code", (c) => `<code>${escapeHtml(c.code)}</code>`],
      ["col.name", (c) => escapeHtml(named(c))],
      ["col.group", (c) => escapeHtml(named(c, "group_name") || c.group_code)],
      ["col.tier", (c) => escapeHtml(t(`tier.${c.tier}`))],
      ["col.target_hours", (c) => escapeHtml(c.target_hours ?? "")],
      ["col.attributes", (c) => escapeHtml((c.attributes || []).map((a) => a.code).join(", "))],
      ["col.active", (c) => yesNo(c.active)],
    ],
    formMarkup: (c) => `<div class="grid">
      ${field("code", "col.code", { value: c?.code, required: true, readonly: Boolean(c), ...P })}
      ${field("group_code", "col.group_code", { value: c?.group_code, required: true, ...P })}
      ${field("group_name_vi", "col.group_name_vi", { value: c?.group_name_vi, ...P })}
      ${field("group_name_en", "col.group_name_en", { value: c?.group_name_en, ...P })}
      ${field("name_vi", "col.name_vi", { value: c?.name_vi, required: true, ...P })}
      ${field("name_en", "col.name_en", { value: c?.name_en, ...P })}
      ${field("description_vi", "col.description_vi", { kind: "textarea", value: c?.description_vi, ...P })}
      ${field("description_en", "col.description_en", { kind: "textarea", value: c?.description_en, ...P })}
      ${field("tier", "col.tier", { kind: "select", value: c?.tier || "normal", required: true, choices: vocabulary.tiers.map((x) => [x, t(`tier.${x}`)]), ...P })}
      ${field("target_hours", "col.target_hours", { kind: "number", value: c?.target_hours, ...P })}
      ${field("duplicate_radius_m", "col.duplicate_radius_m", { kind: "number", value: c?.duplicate_radius_m, ...P })}
      ${field("auto_dispatch", "col.auto_dispatch", { kind: "check", value: c?.auto_dispatch, ...P })}
      ${field("photo_required", "col.photo_required", { kind: "check", value: c?.photo_required, ...P })}
      ${field("after_photo_required", "col.after_photo_required", { kind: "check", value: c?.after_photo_required, ...P })}
      ${field("private", "col.private", { kind: "check", value: c?.private, ...P })}</div>
      ${attributesMarkup(c?.attributes || [])}`,
    wire: (element) => {
      form = element;
      wireAttributes(element);
    },
    body: (element, c) => {
      const values = { ...formValues(element), attributes: readAttributes(element) };
      if (c) delete values.code;
      return values;
    },
    locate: (problem) => (/^attributes\./.test(problem.file || "") ? locateAttributeProblem(form, problem) : problem.column),
  });
}
