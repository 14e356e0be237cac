// A list the server hands out page by page ({items, next_cursor}). reload() refreshes as many
// pages as are shown (a live event may have changed any of them); more() appends the next
// page. An item whose place changed between pages is kept once, by its ref.
import { api } from "./api.js";
import { t } from "./i18n.js";

export function pagedList(url) {
  const list = { items: [], cursor: null, pages: 0 };

  function fetchPage(cursor) {
    const joiner = url.includes("?") ? "&" : "?";
    return api(cursor ? `${url}${joiner}cursor=${encodeURIComponent(cursor)}` : url);
  }

  function merge(items, page) {
    const seen = new Set(items.map((item) => item.ref));
    return [...items, ...page.items.filter((item) => !seen.has(item.ref))];
  }

  list.reload = async () => {
    const wanted = Math.max(1, list.pages);
    let items = [];
    let cursor = null;
    let pages = 0;
    do {
      const page = await fetchPage(cursor);
      items = merge(items, page);
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor && pages < wanted);
    Object.assign(list, { items, cursor, pages });
  };

  list.more = async () => {
    if (!list.cursor) return;
    const page = await fetchPage(list.cursor);
    list.items = merge(list.items, page);
    list.cursor = page.next_cursor;
    list.pages += 1;
  };

  return list;
}

/** The "load more" row closing a list that has further pages (empty when it has none). */
export function moreMarkup(list) {
  return list.cursor
    ? `<li class="more"><button type="button" class="ioc-button" data-more>${t("list.more")}</button></li>`
    : "";
}
