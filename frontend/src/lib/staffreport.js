// The body of a report as staff consoles show it (triage and agency): facts, photos,
// attributes, deadline, extension requests, result and timeline. Actions are the page's own.
import { clockMarkup, deadlineLabel } from "./countdown.js";
import { escapeHtml } from "./html.js";
import { addMessages, formatDateTime, formatNumber, t } from "./i18n.js";

addMessages({
  vi: {
    "report.received": "Tiếp nhận lúc",
    "report.deadline": "Hạn xử lý",
    "report.paused_since": "tạm dừng từ {since} — chờ người dân bổ sung",
    "report.time_used": "Thời gian đã dùng",
    "report.time_used_left": "{used} · còn {left}",
    "report.time_used_over": "{used} · quá {over}",
    "report.hours.working": "{n} giờ làm việc",
    "report.hours.wall": "{n} giờ",
    "report.area": "Địa bàn",
    "report.address": "Địa chỉ",
    "report.agency": "Đơn vị chủ trì",
    "report.support": "Người ủng hộ",
    "report.tier": "Mức độ",
    "report.reporter": "Người phản ánh",
    "report.description": "Nội dung",
    "report.no_description": "(không có nội dung)",
    "report.attributes": "Thông tin thêm",
    "report.photos": "Hình ảnh",
    "report.photo_alt": "Ảnh {n} của phản ánh {ref}",
    "report.after_photo_alt": "Ảnh kết quả {n} của phản ánh {ref}",
    "report.no_photos": "Không có ảnh",
    "report.timeline": "Diễn biến",
    "report.result": "Kết quả xử lý",
    "report.extensions": "Đề nghị gia hạn",
    "report.extension_line": "Đến {until}: {reason} ({decision})",
    "report.extension.pending": "chờ duyệt",
    "report.extension.approved": "đã duyệt",
    "report.extension.denied": "không duyệt",
    "report.internal": "nội bộ",
    "history.verify": "Đã xác minh",
    "history.classify": "Phân loại lại",
    "history.note": "Ghi chú tiến độ",
    "history.request_extension": "Đề nghị gia hạn",
    "history.approve_extension": "Đồng ý gia hạn",
    "history.deny_extension": "Không đồng ý gia hạn",
    "history.contribute": "Đơn vị phối hợp báo cáo",
    "history.ask_citizen": "Đề nghị người dân bổ sung",
    "history.citizen_comment": "Người dân bổ sung thông tin",
    "history.reopen_requested": "Người dân chưa hài lòng",
    "history.escalated": "Quá hạn – đã báo cáo cấp trên",
    "history.support": "Người dân ủng hộ",
    "history.rated": "Người dân đánh giá",
    "history.moderate": "Biên tập nội dung",
    "tier.urgent": "Khẩn",
    "tier.normal": "Bình thường",
    "tier.complex": "Phức tạp",
  },
  en: {
    "report.received": "Received",
    "report.deadline": "Deadline",
    "report.paused_since": "paused since {since} — waiting for the citizen",
    "report.time_used": "Time used",
    "report.time_used_left": "{used} · {left} left",
    "report.time_used_over": "{used} · {over} over",
    "report.hours.working": "{n} working h",
    "report.hours.wall": "{n} h",
    "report.area": "Area",
    "report.address": "Address",
    "report.agency": "Lead agency",
    "report.support": "Supporters",
    "report.tier": "Tier",
    "report.reporter": "Reporter",
    "report.description": "Description",
    "report.no_description": "(no description)",
    "report.attributes": "Details",
    "report.photos": "Photos",
    "report.photo_alt": "Photo {n} of report {ref}",
    "report.after_photo_alt": "Result photo {n} of report {ref}",
    "report.no_photos": "No photos",
    "report.timeline": "Timeline",
    "report.result": "Result",
    "report.extensions": "Extension requests",
    "report.extension_line": "Until {until}: {reason} ({decision})",
    "report.extension.pending": "pending",
    "report.extension.approved": "approved",
    "report.extension.denied": "denied",
    "report.internal": "internal",
    "history.verify": "Verified",
    "history.classify": "Reclassified",
    "history.note": "Progress note",
    "history.request_extension": "Extension requested",
    "history.approve_extension": "Extension approved",
    "history.deny_extension": "Extension denied",
    "history.contribute": "Supporting agency's report",
    "history.ask_citizen": "Citizen asked for details",
    "history.citizen_comment": "Citizen added details",
    "history.reopen_requested": "Citizen not satisfied",
    "history.escalated": "Overdue – escalated",
    "history.support": "Citizen supported",
    "history.rated": "Citizen rated",
    "history.moderate": "Text moderated",
    "tier.urgent": "Urgent",
    "tier.normal": "Normal",
    "tier.complex": "Complex",
  },
});

function attributeRows(report, category) {
  const specs = new Map((category?.attributes || []).map((a) => [a.code, a]));
  return Object.entries(report.attributes || {}).map(([code, value]) => {
    const spec = specs.get(code);
    const named = spec?.values.find((v) => v.key === value);
    return `<dt>${escapeHtml(spec?.description || code)}</dt><dd>${escapeHtml(named?.name ?? value)}</dd>`;
  });
}

function photoGrid(photos, ref) {
  const visible = photos.filter((p) => !p.is_hidden);
  if (!visible.length) return `<p class="ioc-muted">${t("report.no_photos")}</p>`;
  return `<ul class="photo-grid">${visible
    .map((p, i) => {
      const key = p.purpose === "after" ? "report.after_photo_alt" : "report.photo_alt";
      const alt = escapeHtml(t(key, { n: i + 1, ref }));
      return `<li><a href="${escapeHtml(p.url)}" target="_blank" rel="noopener">
        <img src="${escapeHtml(p.thumbnail_url || p.url)}" alt="${alt}" loading="lazy"></a></li>`;
    })
    .join("")}</ul>`;
}

/** What happened, in words: the new status, or the action when the status stayed. */
export function historyLabel(entry) {
  if (entry.to_status && entry.to_status !== entry.from_status) return t(`status.${entry.to_status}`);
  const key = `history.${entry.action}`;
  const text = t(key);
  return text === key ? entry.action : text;
}

function timeline(entries) {
  return `<ol class="timeline">${[...entries]
    .reverse()
    .map(
      (e) => `<li>
        <time datetime="${escapeHtml(e.at)}">${escapeHtml(formatDateTime(e.at))}</time>
        <span class="timeline-action">${escapeHtml(historyLabel(e))}</span>
        ${e.is_public === false ? `<span class="tag">${t("report.internal")}</span>` : ""}
        ${e.note ? `<p>${escapeHtml(e.note)}</p>` : ""}
      </li>`,
    )
    .join("")}</ol>`;
}

/** The deadline fact: the running clock's deadline, or since when it waits for the citizen. */
function deadlineFact(clock) {
  if (clock?.kind === "paused") return t("report.paused_since", { since: formatDateTime(clock.paused_since) });
  return formatDateTime(clock?.deadline) || "–";
}

/** Hours used and left, in the clock's own hours (working hours, or wall hours when urgent). */
function hoursFact(clock) {
  if (clock?.used_hours === null || clock?.used_hours === undefined) return null;
  const hours = (n) => t(`report.hours.${clock.hours}`, { n: formatNumber(n, { maximumFractionDigits: 1 }) });
  const used = hours(clock.used_hours);
  if (clock.left_hours === null || clock.left_hours === undefined) return used;
  return clock.left_hours < 0
    ? t("report.time_used_over", { used, over: hours(-clock.left_hours) })
    : t("report.time_used_left", { used, left: hours(clock.left_hours) });
}

/** The report's facts as HTML; `category` (from the categories API) names the attributes. */
export function renderStaffReport(report, { category = null } = {}) {
  const clock = report.clock;
  const hours = clock?.kind === "none" ? null : hoursFact(clock);
  const attributes = attributeRows(report, category);
  const before = report.photos.filter((p) => p.purpose !== "after");
  const after = report.photos.filter((p) => p.purpose === "after");
  const extensions = report.extension_requests || [];
  return `
    <header class="report-head">
      <h2><span class="ref">${escapeHtml(report.ref)}</span> · ${escapeHtml(report.category.name)}</h2>
      <p class="status-line">
        <span class="status-badge" data-status="${escapeHtml(report.status)}">${t(`status.${report.status}`)}</span>
        ${clockMarkup(clock)}
      </p>
    </header>
    <dl class="facts">
      <dt>${t("report.received")}</dt><dd>${escapeHtml(formatDateTime(report.received_at))}</dd>
      <dt>${escapeHtml(clock?.kind === "none" ? t("report.deadline") : deadlineLabel(clock))}</dt><dd data-fact="deadline">${escapeHtml(deadlineFact(clock))}</dd>
      ${hours ? `<dt>${t("report.time_used")}</dt><dd>${escapeHtml(hours)}</dd>` : ""}
      <dt>${t("report.tier")}</dt><dd>${t(`tier.${report.sla_tier}`)}</dd>
      <dt>${t("report.area")}</dt><dd>${escapeHtml(report.area?.name || "–")}</dd>
      ${report.address ? `<dt>${t("report.address")}</dt><dd>${escapeHtml(report.address)}</dd>` : ""}
      <dt>${t("report.agency")}</dt><dd>${escapeHtml(report.lead_agency?.name || "–")}</dd>
      <dt>${t("report.support")}</dt><dd>${escapeHtml(report.support_count)}</dd>
      ${
        report.reporter
          ? `<dt>${t("report.reporter")}</dt><dd>${escapeHtml(
              [report.reporter.name, report.reporter.phone, report.reporter.email].filter(Boolean).join(" · ") || "–",
            )}</dd>`
          : ""
      }
    </dl>
    <section aria-labelledby="desc-${escapeHtml(report.ref)}">
      <h3 id="desc-${escapeHtml(report.ref)}">${t("report.description")}</h3>
      <p class="description">${escapeHtml(report.description || t("report.no_description"))}</p>
    </section>
    ${attributes.length ? `<section><h3>${t("report.attributes")}</h3><dl class="facts">${attributes.join("")}</dl></section>` : ""}
    <section><h3>${t("report.photos")}</h3>${photoGrid(before, report.ref)}</section>
    ${
      extensions.length
        ? `<section><h3>${t("report.extensions")}</h3><ul>${extensions
            .map(
              (e) =>
                `<li>${escapeHtml(
                  t("report.extension_line", {
                    until: formatDateTime(e.until),
                    reason: e.reason,
                    decision: t(`report.extension.${e.decision || "pending"}`),
                  }),
                )}</li>`,
            )
            .join("")}</ul></section>`
        : ""
    }
    ${
      report.result_text || after.length
        ? `<section><h3>${t("report.result")}</h3><p>${escapeHtml(report.result_text || "")}</p>${photoGrid(after, report.ref)}</section>`
        : ""
    }
    <section><h3>${t("report.timeline")}</h3>${timeline(report.timeline)}</section>`;
}
