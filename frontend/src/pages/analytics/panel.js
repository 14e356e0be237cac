// A chart with its table view and CSV download: the chart, the table and the file are drawn
// from the same columns and rows, so what is plotted is exactly what can be read and saved.
import { escapeHtml } from "../../lib/html.js";
import { applyTranslations, t } from "../../lib/i18n.js";

/** CSV text (RFC 4180, a BOM so spreadsheet programs read UTF-8; no formula can start a cell). */
export function toCsv(header, rows) {
  const cell = (value) => {
    let text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@]/.test(text) && typeof value === "string") text = `'${text}`;
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return "\ufeff" + [header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
}

export class Panel {
  /** A <section> in `parent` titled by `titleKey`; `name` names the CSV file and the test hook. */
  constructor(parent, { name, titleKey, wide = false, controls = "", map = false }) {
    this.name = name;
    this.section = document.createElement("section");
    this.section.className = `an-panel${wide ? " an-wide" : ""}`;
    this.section.dataset.panel = name;
    this.section.innerHTML = `
      <header class="an-panel-head">
        <h2 data-i18n="${titleKey}"></h2>
        <div class="an-panel-tools">
          ${controls}
          <button type="button" class="ioc-button" data-action="table" aria-pressed="false"
            data-i18n="an.table"></button>
          <button type="button" class="ioc-button" data-action="csv" data-i18n="an.csv"></button>
        </div>
      </header>
      <div class="an-view${map ? " an-map-view" : ""}" data-role="chart">${map ? '<div class="an-map"></div>' : "<canvas></canvas>"}</div>
      <div class="an-view an-table-wrap" data-role="table" hidden></div>
      <p class="an-note" data-role="note" hidden></p>`;
    parent.append(this.section);
    applyTranslations(this.section);
    this.canvas = this.section.querySelector("canvas");
    this.header = [];
    this.rows = [];
    this.section.querySelector("[data-action=table]").addEventListener("click", (event) => {
      const showTable = event.currentTarget.getAttribute("aria-pressed") !== "true";
      event.currentTarget.setAttribute("aria-pressed", String(showTable));
      event.currentTarget.dataset.i18n = showTable ? "an.chart" : "an.table";
      event.currentTarget.textContent = t(event.currentTarget.dataset.i18n);
      this.part("table").hidden = !showTable;
      this.part("chart").hidden = showTable;
    });
    this.section.querySelector("[data-action=csv]").addEventListener("click", () => this.download());
  }

  part(role) {
    return this.section.querySelector(`[data-role=${role}]`);
  }

  /** The table (header keys translated) and the rows the CSV holds. */
  setTable(headerKeys, rows) {
    this.header = headerKeys.map((key) => t(key));
    this.rows = rows;
    const head = this.header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("");
    const body = rows
      .map((row) => `<tr>${row.map((v) => `<td>${escapeHtml(v ?? "–")}</td>`).join("")}</tr>`)
      .join("");
    this.part("table").innerHTML = `<table class="an-table"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }

  note(text) {
    this.part("note").hidden = !text;
    this.part("note").textContent = text || "";
  }

  csv() {
    return toCsv(this.header, this.rows);
  }

  download() {
    const url = URL.createObjectURL(new Blob([this.csv()], { type: "text/csv;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `${this.name}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
