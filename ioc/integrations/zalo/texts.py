"""What the OA says to citizens, in Vietnamese (the OA's language)."""

from __future__ import annotations

WELCOME = (
    "Chào bạn! Để gửi phản ánh hiện trường, hãy nhắn mô tả sự việc, gửi ảnh (tối đa 5 ảnh) "
    'và gửi vị trí, theo thứ tự nào cũng được. Nhắn "hủy" để bỏ phản ánh đang soạn.'
)
CANCELLED = "Đã hủy phản ánh đang soạn. Bạn có thể bắt đầu phản ánh mới bất cứ lúc nào."
NOTHING_TO_CANCEL = "Bạn không có phản ánh nào đang soạn."
PHOTO_RECEIVED = "Đã nhận {count}/{limit} ảnh."
TOO_MANY_PHOTOS = "Mỗi phản ánh có tối đa {limit} ảnh; các ảnh thêm không được dùng."
ASK_DESCRIPTION = "Vui lòng nhắn mô tả ngắn sự việc bạn muốn phản ánh."
ASK_LOCATION = 'Vui lòng gửi vị trí sự việc: trong khung chat Zalo, nhấn dấu "+" rồi chọn "Vị trí".'
ASK_CATEGORY = "Sự việc thuộc lĩnh vực nào? Trả lời bằng số:\n{choices}"
CATEGORY_CHOSEN = "Lĩnh vực: {name}."
NOT_A_CHOICE = 'Không có lựa chọn "{text}". {ask}'
OUTSIDE_AREA = "Vị trí bạn gửi nằm ngoài địa bàn tiếp nhận. Vui lòng gửi lại vị trí của sự việc."
NOT_FILED = "Chưa gửi được phản ánh: {reason}. Vui lòng thử lại."
PHOTOS_LOST = "{count} ảnh không tải được từ Zalo nên không được đính kèm vào phản ánh {ref}."

RECEIVED = "Đã tiếp nhận phản ánh của bạn, mã số {ref}. Chúng tôi sẽ nhắn tin khi có kết quả xử lý."
QUESTION = (
    "Về phản ánh {ref}, cán bộ cần thêm thông tin: {question}\n"
    "Vui lòng trả lời tại ứng dụng hoặc liên hệ đường dây nóng."
)
CLOSED = "Phản ánh {ref} đã được đóng. Cảm ơn bạn đã đồng hành cùng chính quyền."
WITH_REF = "Phản ánh {ref}: {body}"
CANCEL_WORDS = frozenset({"hủy", "huỷ", "huy", "hủy bỏ", "cancel"})
