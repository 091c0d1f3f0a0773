//! The working calendar: a year's days off and working days, due-instant computation, and
//! the administrators' loading of Government decisions.

use super::ApiJson;
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, FieldError};
use crate::service;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveTime, Utc};
use motcua_core::legal_time::{due, ClockUnit, DueRequest, VietnamCalendar};
use motcua_store::accounts::Role;
use serde::Deserialize;
use serde_json::{json, Value};

/// `GET /api/v1/calendar/{year}`: the year's holidays, compensatory days, swapped days off
/// and make-up working days (weekly rest days are not listed).
pub async fn year(State(state): State<AppState>, Path(year): Path<String>) -> AppResult<Json<Value>> {
    let year: i32 = year.trim().parse().map_err(|_| AppError::invalid("year", "year_range"))?;
    if !VietnamCalendar::supports_year(year) {
        return Err(AppError::invalid("year", "year_range"));
    }
    Ok(Json(json!({"year": year, "days": state.calendar().year_days(year)})))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DueParams {
    start: Option<String>,
    amount: Option<String>,
    unit: Option<String>,
    agency_code: Option<String>,
    cutoff: Option<String>,
}

/// `GET /api/v1/calendar/due?start=RFC3339&amount=N&unit=…&agency_code=CODE[&cutoff=HH:MM]`
/// → `{"due_at", "explanation"}`. `amount` may be fractional; `same_day` ignores it.
pub async fn due_at(
    State(state): State<AppState>,
    super::ApiQuery(p): super::ApiQuery<DueParams>,
) -> AppResult<Json<Value>> {
    let mut errors = vec![];
    let start = match p.start.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new("start", "required"));
            None
        }
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| errors.push(FieldError::new("start", "rfc3339")))
            .ok(),
    };
    let unit = match p.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new("unit", "required"));
            None
        }
        Some(u) => u.parse::<ClockUnit>().map_err(|_| errors.push(FieldError::new("unit", "clock_unit"))).ok(),
    };
    let amount = match (p.amount.as_deref().map(str::trim).filter(|s| !s.is_empty()), unit) {
        (None, Some(ClockUnit::SameDay)) => Some(0.0),
        (None, _) => {
            errors.push(FieldError::new("amount", "required"));
            None
        }
        (Some(a), _) => match a.parse::<f64>() {
            Ok(v) if (0.0..=100_000.0).contains(&v) => Some(v),
            _ => {
                errors.push(FieldError::new("amount", "amount_range"));
                None
            }
        },
    };
    let cutoff = match p.cutoff.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => match NaiveTime::parse_from_str(c, "%H:%M") {
            Ok(t) => Some(t),
            Err(_) => {
                errors.push(FieldError::new("cutoff", "time_format"));
                None
            }
        },
    };
    let hours = match p.agency_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(Default::default()),
        Some(code) => {
            if state.store.agency(code).await?.is_none() {
                errors.push(FieldError::new("agency_code", "unknown_agency"));
                None
            } else {
                Some(service::agency_hours(&state, code).await?)
            }
        }
    };
    let (Some(start), Some(unit), Some(amount), Some(hours), true) = (start, unit, amount, hours, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let req = DueRequest { received_at: start, amount, unit, cutoff, pauses: &[], now: start };
    let r = due(state.calendar().as_ref(), &hours, &req).map_err(|e| {
        use motcua_core::legal_time::ClockError as E;
        let (field, key) = match &e {
            E::StartOutOfRange(_) => ("start", "start_out_of_range"),
            E::DueOutOfRange => ("amount", "due_out_of_range"),
            E::NegativeAmount | E::InvalidAmount => ("amount", "amount_range"),
            E::UnknownUnit(_) => ("unit", "clock_unit"),
            E::InvalidWorkingHours(_) => ("agency_code", "working_hours_format"),
        };
        AppError::invalid(field, key)
    })?;
    Ok(Json(json!({"due_at": r.due_at, "explanation": r.explanation})))
}

/// `POST /api/v1/calendar/decisions` (administrators): load a decisions file (the JSON
/// format of `data/holidays/`); it replaces the computed days of the events it covers.
pub async fn load_decisions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Result<String, axum::extract::rejection::StringRejection>,
) -> AppResult<(StatusCode, Json<Value>)> {
    if user.role != Role::Admin {
        return Err(AppError::Forbidden("err-admins-only"));
    }
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(state.config.max_body_bytes as u64)
        } else {
            AppError::invalid("body", "body_read")
        }
    })?;
    let load = service::record_decisions(&state.store, &body, &user.username).await?;
    state.reload_calendar().await.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(load).map_err(|e| AppError::Internal(e.to_string()))?)))
}

/// `GET /api/v1/calendar/decisions` (administrators): who loaded which years, when.
pub async fn decision_loads(State(state): State<AppState>, ApiUser(user): ApiUser) -> AppResult<Json<Value>> {
    if user.role != Role::Admin {
        return Err(AppError::Forbidden("err-admins-only"));
    }
    Ok(Json(json!({"items": state.store.calendar_decision_loads().await?})))
}

/// `{"working_hours": "…"}` sets them, `{"working_hours": null}` returns to the default; the
/// field must be present (a misspelt one must not silently reset the hours).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursInput {
    #[serde(default, deserialize_with = "present")]
    working_hours: Option<Option<String>>,
}

/// Tells a missing field (`None`) from an explicit null (`Some(None)`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `PUT /api/v1/agencies/{code}/working-hours` `{"working_hours": "07:30-11:30,13:00-17:00" | null}`
/// (administrators).
pub async fn set_hours(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<HoursInput>,
) -> AppResult<Json<Value>> {
    let hours = input.working_hours.ok_or_else(|| AppError::invalid("working_hours", "required"))?;
    service::set_agency_hours(&state, &user, code.trim(), hours.as_deref()).await?;
    Ok(Json(json!({"code": code.trim(), "working_hours": state.store.agency_working_hours(code.trim()).await?})))
}
