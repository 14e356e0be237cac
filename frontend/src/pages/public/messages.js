export const messages = {
  vi: {
    "public.title": "Kết quả xử lý phản ánh",
    "public.map": "Bản đồ kết quả đã công bố",
    "public.scorecard": "Bảng đánh giá cơ quan (30 ngày)",
    "public.agency": "Cơ quan",
    "public.received": "Tiếp nhận",
    "public.resolved": "Đã xử lý",
    "public.on_time": "Đúng hạn",
    "public.satisfaction": "Hài lòng",
    "public.note": "Chỉ công bố kết quả (đã xử lý, đã đóng, đã từ chối); không có thông tin cá nhân.",
  },
  en: {
    "public.title": "Report results",
    "public.map": "Map of published results",
    "public.scorecard": "Agency scorecard (30 days)",
    "public.agency": "Agency",
    "public.received": "Received",
    "public.resolved": "Resolved",
    "public.on_time": "On time",
    "public.satisfaction": "Satisfied",
    "public.note": "Only results are published (resolved, closed, rejected); no personal data.",
  },
};
