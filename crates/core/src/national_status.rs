//! The national dossier status (trạng thái hồ sơ): the ten codes by which one-stop systems
//! report a dossier's state to the National Public Service Portal (Cổng Dịch vụ công quốc gia)
//! when they synchronise dossiers, for reporting and the portal's indices.
//!
//! motcua keeps its own, finer states (the dossier's [`Status`] today, a step of its route
//! with [`crate::route::RouteState`]); each maps onto one national status:
//! [`NationalStatus::of_status`] here and [`crate::route::Route::national_status`].
//!
//! The list and its numbering are the portal's (issue 5 quotes it):
//! 1 Mới đăng ký, 2 Được tiếp nhận, 3 Không được tiếp nhận, 4 Đang xử lý, 5 Yêu cầu bổ sung giấy
//! tờ, 6 Yêu cầu thực hiện nghĩa vụ tài chính, 7 Công dân yêu cầu rút hồ sơ, 8 Dừng xử lý, 9 Đã xử
//! lý xong, 10 Đã trả kết quả. How the one-stop systems use them: 2 when the one-stop desk
//! receives the dossier, 3 when the desk refuses to receive it, 4 once it is with the
//! specialised department, 8 when processing stops because the dossier does not qualify, 9 when
//! the result has gone back to the desk, 10 when the applicant has it.

use crate::dossier::Status;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One of the ten national dossier statuses. The discriminant is the national code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum NationalStatus {
    /// 1 Mới đăng ký: submitted, not yet received by the one-stop desk.
    Registered = 1,
    /// 2 Được tiếp nhận: received by the one-stop desk (receipt and appointment slip issued).
    Received = 2,
    /// 3 Không được tiếp nhận: the desk refused to receive it.
    NotReceived = 3,
    /// 4 Đang xử lý: with the specialised department or another agency.
    InProgress = 4,
    /// 5 Yêu cầu bổ sung giấy tờ: waiting on the applicant's supplement (the clock pauses).
    SupplementRequested = 5,
    /// 6 Yêu cầu thực hiện nghĩa vụ tài chính: waiting on a payment (tax, fee, charge).
    PaymentRequested = 6,
    /// 7 Công dân yêu cầu rút hồ sơ: the applicant asked to withdraw it.
    WithdrawalRequested = 7,
    /// 8 Dừng xử lý: processing stopped after receipt (the dossier does not qualify).
    Stopped = 8,
    /// 9 Đã xử lý xong: decided; the result is back at the desk, to be returned.
    Processed = 9,
    /// 10 Đã trả kết quả: the result has been returned to the applicant.
    ResultReturned = 10,
}

impl NationalStatus {
    /// All ten, in code order.
    pub const ALL: [NationalStatus; 10] = [
        NationalStatus::Registered,
        NationalStatus::Received,
        NationalStatus::NotReceived,
        NationalStatus::InProgress,
        NationalStatus::SupplementRequested,
        NationalStatus::PaymentRequested,
        NationalStatus::WithdrawalRequested,
        NationalStatus::Stopped,
        NationalStatus::Processed,
        NationalStatus::ResultReturned,
    ];

    /// The national code, 1 to 10.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The status of a national code, `None` outside 1..=10.
    pub fn from_code(code: u8) -> Option<NationalStatus> {
        NationalStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The stable API name (`registered`, `received`, …), as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            NationalStatus::Registered => "registered",
            NationalStatus::Received => "received",
            NationalStatus::NotReceived => "not_received",
            NationalStatus::InProgress => "in_progress",
            NationalStatus::SupplementRequested => "supplement_requested",
            NationalStatus::PaymentRequested => "payment_requested",
            NationalStatus::WithdrawalRequested => "withdrawal_requested",
            NationalStatus::Stopped => "stopped",
            NationalStatus::Processed => "processed",
            NationalStatus::ResultReturned => "result_returned",
        }
    }

    /// The portal's Vietnamese name, exactly as the list gives it.
    pub fn name_vi(self) -> &'static str {
        match self {
            NationalStatus::Registered => "Mới đăng ký",
            NationalStatus::Received => "Được tiếp nhận",
            NationalStatus::NotReceived => "Không được tiếp nhận",
            NationalStatus::InProgress => "Đang xử lý",
            NationalStatus::SupplementRequested => "Yêu cầu bổ sung giấy tờ",
            NationalStatus::PaymentRequested => "Yêu cầu thực hiện nghĩa vụ tài chính",
            NationalStatus::WithdrawalRequested => "Công dân yêu cầu rút hồ sơ",
            NationalStatus::Stopped => "Dừng xử lý",
            NationalStatus::Processed => "Đã xử lý xong",
            NationalStatus::ResultReturned => "Đã trả kết quả",
        }
    }

    /// The English name used in the UI.
    pub fn name_en(self) -> &'static str {
        match self {
            NationalStatus::Registered => "Newly registered",
            NationalStatus::Received => "Received",
            NationalStatus::NotReceived => "Not received",
            NationalStatus::InProgress => "In progress",
            NationalStatus::SupplementRequested => "Supplement requested",
            NationalStatus::PaymentRequested => "Financial obligation requested",
            NationalStatus::WithdrawalRequested => "Withdrawal requested by the applicant",
            NationalStatus::Stopped => "Processing stopped",
            NationalStatus::Processed => "Processed",
            NationalStatus::ResultReturned => "Result returned",
        }
    }

    /// The national status of a dossier in the fixed workflow's `status`. `received` tells
    /// whether the agency had received the dossier (it has a receipt instant): a refusal
    /// before receipt is "not received" (3), after receipt "processing stopped" (8). A draft
    /// has none: it was never submitted, so the portal never hears of it.
    ///
    /// | [`Status`] | national status |
    /// | --- | --- |
    /// | `draft` | none |
    /// | `submitted` | 1 Mới đăng ký |
    /// | `received` | 2 Được tiếp nhận |
    /// | `supplement_requested` | 5 Yêu cầu bổ sung giấy tờ |
    /// | `refused` | 3 Không được tiếp nhận before receipt, 8 Dừng xử lý after |
    /// | `approved` | 9 Đã xử lý xong |
    /// | `returned` | 10 Đã trả kết quả |
    /// | `withdrawn` | 7 Công dân yêu cầu rút hồ sơ |
    pub fn of_status(status: Status, received: bool) -> Option<NationalStatus> {
        Some(match status {
            Status::Draft => return None,
            Status::Submitted => NationalStatus::Registered,
            Status::Received => NationalStatus::Received,
            Status::SupplementRequested => NationalStatus::SupplementRequested,
            Status::Refused if received => NationalStatus::Stopped,
            Status::Refused => NationalStatus::NotReceived,
            Status::Approved => NationalStatus::Processed,
            Status::Returned => NationalStatus::ResultReturned,
            Status::Withdrawn => NationalStatus::WithdrawalRequested,
        })
    }
}

impl fmt::Display for NationalStatus {
    /// `"{code} {Vietnamese name}"`, e.g. `4 Đang xử lý`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.name_vi())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_follow_the_national_list() {
        let expected = [
            (1, "Mới đăng ký"),
            (2, "Được tiếp nhận"),
            (3, "Không được tiếp nhận"),
            (4, "Đang xử lý"),
            (5, "Yêu cầu bổ sung giấy tờ"),
            (6, "Yêu cầu thực hiện nghĩa vụ tài chính"),
            (7, "Công dân yêu cầu rút hồ sơ"),
            (8, "Dừng xử lý"),
            (9, "Đã xử lý xong"),
            (10, "Đã trả kết quả"),
        ];
        for (status, (code, name)) in NationalStatus::ALL.into_iter().zip(expected) {
            assert_eq!(status.code(), code);
            assert_eq!(status.name_vi(), name);
            assert_eq!(NationalStatus::from_code(code), Some(status));
            assert!(!status.name_en().is_empty());
            assert_eq!(serde_json::to_value(status).unwrap(), serde_json::json!(status.as_str()));
        }
        assert_eq!(NationalStatus::from_code(0), None);
        assert_eq!(NationalStatus::from_code(11), None);
        assert_eq!(NationalStatus::InProgress.to_string(), "4 Đang xử lý");
    }

    #[test]
    fn every_dossier_status_maps() {
        use NationalStatus as N;
        let cases = [
            (Status::Draft, false, None),
            (Status::Submitted, false, Some(N::Registered)),
            (Status::Received, true, Some(N::Received)),
            (Status::SupplementRequested, false, Some(N::SupplementRequested)),
            (Status::SupplementRequested, true, Some(N::SupplementRequested)),
            (Status::Refused, false, Some(N::NotReceived)),
            (Status::Refused, true, Some(N::Stopped)),
            (Status::Approved, true, Some(N::Processed)),
            (Status::Returned, true, Some(N::ResultReturned)),
            (Status::Withdrawn, false, Some(N::WithdrawalRequested)),
            (Status::Withdrawn, true, Some(N::WithdrawalRequested)),
        ];
        for (status, received, expected) in cases {
            assert_eq!(NationalStatus::of_status(status, received), expected, "{status:?} received={received}");
        }
        // Every status but the draft has a national status, whatever `received` says.
        for status in Status::ALL {
            for received in [false, true] {
                assert_eq!(NationalStatus::of_status(status, received).is_none(), status == Status::Draft);
            }
        }
    }
}
