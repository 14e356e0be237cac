// The public results: search by reference, filters (commune, category, agency, period), the
// list a page at a time, one result in full (deep link: /public?ref=…), the figures with the
// period's trend, and the open data downloads. Everything is text the API already stripped of
// personal data; images load lazily, thumbnails first.
import { api, withQuery } from "../../lib/api.js";
import { applyTranslations, formatDateTime, formatNumber, getLocale, onLocaleChange, t } from "../../lib/i18n.js";

const API = "/api/public/v1";

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined) continue;
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function percent(value) {
  return value === null || value === undefined ? "–" : `${formatNumber(value, { maximumFractionDigits: 0 })}%`;
}

function statusName(status) {
  return t(`public.status.${status}`);
}

export function mountResults(root) {
  root.innerHTML = `
    <h2 id="results-title" data-i18n="public.results"></h2>
    <form class="public-filters" data-role="filters" role="search">
      <label><span data-i18n="public.search_ref"></span><input name="ref" maxlength="32" autocomplete="off" inputmode="search"></label>
      <label><span data-i18n="public.commune"></span><select name="area"><option value="" data-i18n="public.all"></option></select></label>
      <label><span data-i18n="public.category"></span><select name="category"><option value="" data-i18n="public.all"></option></select></label>
      <label><span data-i18n="public.agency"></span><select name="agency"><option value="" data-i18n="public.all"></option></select></label>
      <label><span data-i18n="public.since"></span><input type="date" name="since"></label>
      <label><span data-i18n="public.until"></span><input type="date" name="until"></label>
      <button type="submit" data-i18n="public.find"></button>
    </form>
    <p class="ioc-muted" data-role="empty" hidden data-i18n="public.none"></p>
    <ul class="public-list" data-role="list"></ul>
    <button type="button" data-role="more" hidden data-i18n="public.more"></button>
    <article class="public-detail" data-role="detail" hidden aria-live="polite"></article>
    <section class="public-figures" aria-labelledby="figures-title">
      <h2 id="figures-title" data-i18n="public.figures"></h2>
      <label><span data-i18n="public.group_by"></span>
        <select data-role="by">
          <option value="area" data-i18n="public.by.area"></option>
          <option value="category" data-i18n="public.by.category"></option>
          <option value="agency" data-i18n="public.by.agency"></option>
        </select></label>
      <div class="public-table-wrap"><table>
        <thead><tr>
          <th scope="col" data-i18n="public.group"></th><th scope="col" data-i18n="public.received"></th>
          <th scope="col" data-i18n="public.resolved"></th><th scope="col" data-i18n="public.on_time"></th>
          <th scope="col" data-i18n="public.rating.satisfied"></th><th scope="col" data-i18n="public.rating.acceptable"></th>
          <th scope="col" data-i18n="public.rating.unsatisfied"></th>
        </tr></thead>
        <tbody data-role="figures"></tbody>
      </table></div>
      <h3 data-i18n="public.trend"></h3>
      <ol class="public-trend" data-role="trend"></ol>
    </section>
    <section class="public-open-data" aria-labelledby="open-data-title">
      <h2 id="open-data-title" data-i18n="public.open_data"></h2>
      <p data-role="open-data"></p>
    </section>`;
  applyTranslations(root);

  const form = root.querySelector("[data-role=filters]");
  const list = root.querySelector("[data-role=list]");
  const more = root.querySelector("[data-role=more]");
  const empty = root.querySelector("[data-role=empty]");
  const detail = root.querySelector("[data-role=detail]");
  let cursor = null;
  let filters = {};

  function filterValues() {
    const data = new FormData(form);
    return Object.fromEntries([...data.entries()].map(([key, value]) => [key, String(value).trim()]));
  }

  function item(result) {
    const link = el("a", { href: `/public?ref=${encodeURIComponent(result.ref)}`, "data-ref": result.ref });
    link.append(
      result.photo ? el("img", { src: result.photo, alt: "", loading: "lazy", width: "64", height: "64" }) : el("span", { class: "public-nophoto" }),
      el(
        "span",
        { class: "public-item-text" },
        el("strong", { text: result.ref }),
        el("span", { text: ` · ${statusName(result.status)} · ${result.category_name}` }),
        el("span", { class: "ioc-muted", text: [result.area_name, result.agency_name].filter(Boolean).join(" · ") }),
        el("span", { class: "ioc-muted", text: formatDateTime(result.received_at) }),
      ),
    );
    link.addEventListener("click", (event) => {
      event.preventDefault();
      openResult(result.ref, { push: true });
    });
    return el("li", {}, link);
  }

  async function loadPage(reset) {
    if (reset) {
      cursor = null;
      list.replaceChildren();
    }
    const answer = await api(withQuery(`${API}/results`, { ...filters, cursor, limit: 20, lang: getLocale() }));
    list.append(...answer.items.map(item));
    cursor = answer.next_cursor;
    more.hidden = !cursor;
    empty.hidden = list.children.length > 0;
    return answer.items;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    filters = filterValues();
    const found = await loadPage(true);
    // A whole reference that finds one result opens it.
    if (filters.ref && found.length === 1 && found[0].ref === filters.ref.toUpperCase()) {
      openResult(found[0].ref, { push: true });
    }
  });
  more.addEventListener("click", () => loadPage(false));

  function photoList(photos) {
    return el(
      "div",
      { class: "public-photos" },
      ...photos.map((photo) =>
        el("a", { href: photo.url, target: "_blank", rel: "noopener" }, el("img", { src: photo.thumbnail_url || photo.url, alt: "", loading: "lazy", width: String(photo.width), height: String(photo.height) })),
      ),
    );
  }

  function section(titleKey, ...content) {
    return el("section", {}, el("h4", { text: t(titleKey) }), ...content);
  }

  async function openResult(ref, { push = false } = {}) {
    let result;
    try {
      result = await api(withQuery(`${API}/results/${encodeURIComponent(ref)}`, { lang: getLocale() }));
    } catch (error) {
      detail.hidden = false;
      detail.replaceChildren(el("p", { role: "alert", text: t("public.not_found", { ref }) }));
      return;
    }
    if (push) history.pushState({ ref }, "", `/public?ref=${encodeURIComponent(result.ref)}`);
    const deadline = result.on_time === null ? t("public.deadline.none") : result.on_time ? t("public.deadline.met") : t("public.deadline.missed");
    detail.hidden = false;
    detail.dataset.ref = result.ref;
    detail.replaceChildren(
      el("h3", { text: `${result.ref} · ${statusName(result.status)}` }),
      el("p", { text: [result.category.name, result.area?.name, result.agency?.name].filter(Boolean).join(" · ") }),
      el("p", { class: "ioc-muted", text: `${t("public.received_at")}: ${formatDateTime(result.received_at)}` }),
      result.description ? section("public.description", el("p", { text: result.description })) : null,
      result.photos.before.length ? section("public.before", photoList(result.photos.before)) : null,
      result.result_text ? section("public.answer", el("p", { "data-role": "answer", text: result.result_text })) : null,
      result.rejection_reason ? section("public.rejection", el("p", { text: result.rejection_reason })) : null,
      result.photos.after.length ? section("public.after", photoList(result.photos.after)) : null,
      section("public.deadline", el("p", { "data-role": "deadline", text: deadline })),
      section("public.rating", el("p", { "data-role": "rating", text: result.rating ? t(`public.rating.${result.rating}`) : t("public.rating.none") })),
      section(
        "public.timeline",
        el("ol", {}, ...result.timeline.map((step) => el("li", { text: [formatDateTime(step.at), step.status ? statusName(step.status) : t(`public.action.${step.action}`), step.note].filter(Boolean).join(" – ") }))),
      ),
    );
    detail.scrollIntoView({ block: "start" });
  }

  window.addEventListener("popstate", () => {
    const ref = new URLSearchParams(location.search).get("ref");
    if (ref) openResult(ref);
    else detail.hidden = true;
  });

  // Filter choices and figures.
  const bySelect = root.querySelector("[data-role=by]");
  async function fillOptions() {
    for (const [by, name] of [["area", "area"], ["category", "category"], ["agency", "agency"]]) {
      const select = form.elements[name];
      const answer = await api(withQuery(`${API}/figures`, { by, since: "2020-01-01", lang: getLocale() }));
      const chosen = select.value;
      select.replaceChildren(el("option", { value: "", text: t("public.all") }), ...answer.groups.filter((g) => g.key !== "?").map((g) => el("option", { value: g.key, text: g.name })));
      select.value = chosen;
    }
  }
  async function drawFigures() {
    const answer = await api(withQuery(`${API}/figures`, { by: bySelect.value, lang: getLocale() }));
    const row = (group) =>
      el(
        "tr",
        {},
        el("th", { scope: "row", text: group.name }),
        ...[formatNumber(group.received), formatNumber(group.resolved), percent(group.on_time_percent), formatNumber(group.ratings.satisfied), formatNumber(group.ratings.acceptable), formatNumber(group.ratings.unsatisfied)].map((text) => el("td", { text })),
      );
    root.querySelector("[data-role=figures]").replaceChildren(row(answer.province), ...answer.groups.map(row), ...(answer.unassigned ? [row(answer.unassigned)] : []));
    const top = Math.max(1, ...answer.trend.map((p) => p.figures.received));
    root.querySelector("[data-role=trend]").replaceChildren(
      ...answer.trend.map((point) =>
        el(
          "li",
          { title: `${point.since}: ${point.figures.received} / ${point.figures.resolved}` },
          el("span", { class: "public-bar", style: `height:${Math.round((100 * point.figures.received) / top)}%` }),
        ),
      ),
    );
  }
  bySelect.addEventListener("change", drawFigures);

  async function drawOpenData() {
    const info = await api(`${API}/open-data`);
    const links = root.querySelector("[data-role=open-data]");
    links.replaceChildren(
      el("a", { href: info.downloads.csv, download: "" , text: "CSV" }),
      " · ",
      el("a", { href: info.downloads.geojson, download: "", text: "GeoJSON" }),
      " · ",
      el("a", { href: info.open311.discovery, text: "Open311 GeoReport v2" }),
      " · ",
      el("span", { text: `${t("public.licence")}: ` }),
      el("a", { href: info.licence_url, rel: "license", text: info.licence }),
    );
  }

  function refresh() {
    loadPage(true).catch((error) => console.warn("results:", error.message));
    drawFigures().catch((error) => console.warn("figures:", error.message));
    fillOptions().catch((error) => console.warn("filters:", error.message));
    const ref = new URLSearchParams(location.search).get("ref");
    if (ref) openResult(ref);
  }
  onLocaleChange(refresh);
  refresh();
  drawOpenData().catch((error) => console.warn("open data:", error.message));
}
