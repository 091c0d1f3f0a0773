# motcua — Tiếng Việt (ngôn ngữ mặc định)

site-name = Một cửa
skip-to-content = Bỏ qua, đến nội dung chính
nav-label = Điều hướng chính
nav-procedures = Thủ tục hành chính
footer-text = Cổng dịch vụ công trực tuyến motcua — phần mềm nguồn mở.
back-home = Về trang chủ
home-title = Dịch vụ công trực tuyến
home-intro = Tìm thủ tục, nộp hồ sơ và nhận kết quả mà không cần đến cơ quan.
search-label = Tìm thủ tục (tên hoặc mã, có dấu hay không dấu)
search-button = Tìm kiếm

# Lỗi: tiêu đề
title-unauthorized = Chưa đăng nhập
title-not-found = Không tìm thấy
title-forbidden = Không được phép
title-conflict = Không thực hiện được lúc này
title-invalid-input = Thông tin chưa hợp lệ
title-payload-too-large = Dữ liệu quá lớn
title-too-many-requests = Quá nhiều lần thử
title-unavailable = Hệ thống tạm thời gián đoạn
title-internal = Lỗi hệ thống

# Lỗi: chi tiết
err-unauthorized = Bạn cần đăng nhập, hoặc phiên đăng nhập đã hết hạn.
err-not-found = Không tìm thấy nội dung này.
err-invalid-input = Vui lòng sửa các mục được nêu dưới đây.
err-unavailable = Hệ thống đang tạm gián đoạn. Vui lòng thử lại sau ít phút; dữ liệu đã lưu không bị mất.
err-internal = Đã có lỗi. Dữ liệu đã lưu không bị mất; vui lòng thử lại.
err-payload-too-large = Dữ liệu gửi lên vượt giới hạn { $limit } byte.
err-too-many-requests = Quá nhiều lần đăng nhập không thành công. Vui lòng thử lại sau { $seconds } giây.
err-lost-race = Hồ sơ vừa được người khác thay đổi. Vui lòng tải lại trang và thử lại.
err-csrf = Yêu cầu bị từ chối vì không đến từ biểu mẫu của cổng. Vui lòng tải lại trang và thử lại.
err-action-not-allowed = Thao tác này không thực hiện được ở trạng thái hiện tại của hồ sơ.
err-action-not-for-role = Tài khoản của bạn không được thực hiện thao tác này.
err-citizens-only = Chỉ tài khoản công dân, tổ chức mới tạo được hồ sơ.
err-officials-only = Chỉ cán bộ của cơ quan mới xem được hàng đợi này.
err-document-kind-not-for-role = Tài khoản của bạn không được tải lên loại giấy tờ này.
err-upload-not-allowed = Không thể tải giấy tờ lên ở trạng thái hiện tại của hồ sơ.

# Lỗi theo trường
field-required = Bắt buộc nhập.
field-too-long = Quá dài.
field-invalid-characters = Có ký tự không hợp lệ.
field-id-number-format = Số định danh cá nhân phải gồm 12 chữ số (hoặc 9 chữ số với chứng minh nhân dân cũ).
field-phone-format = Số điện thoại không hợp lệ (ví dụ 0912 345 678).
field-email-format = Địa chỉ thư điện tử không hợp lệ (ví dụ ten@example.vn).
field-password-too-short = Mật khẩu phải có ít nhất 8 ký tự.
field-password-mismatch = Hai mật khẩu không khớp nhau.
field-taken = Đã có tài khoản dùng thông tin này.
field-contact-required = Cần nhập số điện thoại hoặc thư điện tử.
field-unknown-procedure = Không có thủ tục với mã này.
field-unknown-agency = Không có cơ quan với mã này.
field-agency-not-for-procedure = Cơ quan này không tiếp nhận thủ tục đã chọn.
field-delivery-choice = Hình thức nhận kết quả phải là: trực tuyến, bưu chính hoặc trực tiếp.
field-form-object = Dữ liệu tờ khai phải là một đối tượng JSON.
field-form-too-large = Dữ liệu tờ khai quá lớn.
field-unknown-action = Thao tác không xác định.
field-not-a-result-document = Phải là giấy tờ kết quả đã tải lên của hồ sơ này.
field-document-kind = Loại giấy tờ phải là: required, supplement hoặc result.
field-file-empty = Tệp rỗng.
field-file-type = Chỉ nhận tệp PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp, không theo tên).
field-json-content-type = Nội dung phải là JSON (Content-Type: application/json).
field-json-type = Sai kiểu dữ liệu
field-json-syntax = JSON không đúng cú pháp
field-integer-range = Phải là số nguyên trong khoảng cho phép.
field-level-choice = Cấp thực hiện phải là: ministry, province, commune hoặc other.
field-online-choice = Mức trực tuyến phải là: full, partial hoặc offline.
field-multipart-format = Biểu mẫu tải lên không đúng định dạng.
field-status-choice = Trạng thái không hợp lệ.
field-idempotency-key-format = Khóa Idempotency-Key phải từ 1 đến 255 ký tự.
field-idempotency-key-reused = Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác.
