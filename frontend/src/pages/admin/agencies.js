// Cơ quan (agencies): code, names, parent agency, area, kind and contacts, as agencies.csv.
import { vocabulary } from "../../lib/boot.js";
import { t } from "../../lib/i18n.js";
import { agencies } from "./api.js";
import { mountCatalogue } from "./catalogue.js";
import { escapeHtml, field, formValues, named, yesNo } from "./ui.js";

const KINDS = () => (vocabulary.agency_kinds || []).map((kind) => [kind, t(`kind.${kind}`)]);

export function mount(root, admin) {
  mountCatalogue(root, admin, {
    name: "agencies",
    calls: agencies,
    columns: [
      ["col.code", (a) => `<code>${escapeHtml(a.code)}</code>`],
      ["col.name", (a) => escapeHtml(named(a))],
      ["col.kind", (a) => escapeHtml(t(`kind.${a.kind}`))],
      ["col.parent", (a) => escapeHtml(a.parent_code || "")],
      ["col.area", (a) => escapeHtml(a.area_code || "")],
      ["col.active", (a) => yesNo(a.active)],
      ["col.sign_off", (a) => yesNo(a.sign_off)],
    ],
    extra: async () => ({ parents: (await agencies.list({ active: "true" })).items }),
    formMarkup: (a, { parents }) => `<div class="grid">
      ${field("code", "col.code", { value: a?.code, required: true, readonly: Boolean(a), prefix: "agency" })}
      ${field("kind", "col.kind", { kind: "select", value: a?.kind || "department", choices: KINDS(), required: true, prefix: "agency" })}
      ${field("name_vi", "col.name_vi", { value: a?.name_vi, required: true, prefix: "agency" })}
      ${field("name_en", "col.name_en", { value: a?.name_en, prefix: "agency" })}
      ${field("parent_code", "col.parent", {
        kind: "select",
        value: a?.parent_code,
        choices: parents.filter((p) => p.code !== a?.code).map((p) => [p.code, `${p.code} – ${named(p)}`]),
        prefix: "agency",
      })}
      ${field("area_code", "col.area", { value: a?.area_code, prefix: "agency" })}
      ${field("email", "col.email", { kind: "email", value: a?.email, prefix: "agency" })}
      ${field("phone", "col.phone", { value: a?.phone, prefix: "agency" })}
      ${field("active", "col.active", { kind: "check", value: a ? a.active : true, prefix: "agency" })}
      ${field("sign_off", "col.sign_off", { kind: "check", value: a ? a.sign_off : false, prefix: "agency" })}</div>`,
    body: (form, a) => {
      const values = formValues(form);
      if (a) delete values.code;
      return values;
    },
  });
}
