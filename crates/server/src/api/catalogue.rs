//! Catalogue endpoints: procedures and agencies.

use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use motcua_core::catalogue::{Level, OnlineLevel};
use motcua_store::catalogue::ProcedureQuery;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct SearchParams {
    pub q: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub level: Option<String>,
    pub field: Option<String>,
    pub online: Option<String>,
}

fn int_param(name: &str, v: Option<&str>, default: i64, max: i64) -> AppResult<i64> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (0..=max).contains(&n) => Ok(n),
            _ => Err(AppError::invalid(name, "integer_range")),
        },
    }
}

/// Parses search parameters (shared with the pages).
pub fn parse_search(p: &SearchParams) -> AppResult<ProcedureQuery> {
    let level = match p.level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(l) => Some(Level::parse(l).ok_or_else(|| AppError::invalid("level", "level_choice"))?),
    };
    let online_level = match p.online.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(o) => Some(OnlineLevel::parse(o).ok_or_else(|| AppError::invalid("online", "online_choice"))?),
    };
    Ok(ProcedureQuery {
        q: p.q.clone().filter(|q| !q.trim().is_empty()),
        level,
        field: p.field.clone().filter(|f| !f.trim().is_empty()),
        online_level,
        limit: int_param("limit", p.limit.as_deref(), 20, 200)?.max(1),
        offset: int_param("offset", p.offset.as_deref(), 0, 1_000_000)?,
    })
}

/// `GET /api/v1/procedures?q=&limit=&offset=&level=&field=&online=`.
pub async fn search(
    State(state): State<AppState>,
    super::ApiQuery(p): super::ApiQuery<SearchParams>,
) -> AppResult<Json<Value>> {
    let q = parse_search(&p)?;
    let (items, total) = state.store.search_procedures(&q).await?;
    Ok(Json(json!({"items": items, "total": total})))
}

/// `GET /api/v1/procedures/{code}`: the structured procedure.
pub async fn procedure(State(state): State<AppState>, Path(code): Path<String>) -> AppResult<Json<Value>> {
    let p = state.store.procedure(code.trim()).await?.ok_or(AppError::NotFound)?;
    Ok(Json(serde_json::to_value(p).map_err(|e| AppError::Internal(e.to_string()))?))
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct AgencyParams {
    pub procedure_code: Option<String>,
    pub q: Option<String>,
    pub province_code: Option<String>,
    pub limit: Option<String>,
}

/// `GET /api/v1/agencies?procedure_code=&q=&province_code=`: where a procedure can be
/// submitted (or, without a procedure, agencies by name).
pub async fn agencies(
    State(state): State<AppState>,
    super::ApiQuery(p): super::ApiQuery<AgencyParams>,
) -> AppResult<Json<Value>> {
    let limit = int_param("limit", p.limit.as_deref(), 50, 500)?.max(1);
    let q = p.q.as_deref().filter(|s| !s.trim().is_empty());
    let items = match p.procedure_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => {
            if state.store.procedure_shared(code).await?.is_none() {
                return Err(AppError::invalid("procedure_code", "unknown_procedure"));
            }
            state.store.agencies_for_procedure(code, q, p.province_code.as_deref(), limit).await?
        }
        None => state.store.search_agencies(q.unwrap_or(""), limit).await?,
    };
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct OnlineLevelInput {
    pub online_level: String,
}

/// `PUT /api/v1/procedures/{code}/online-level` `{"online_level": "full"|"partial"|"offline"}`
/// (administrators).
pub async fn set_online_level(
    State(state): State<AppState>,
    crate::auth::ApiUser(user): crate::auth::ApiUser,
    Path(code): Path<String>,
    super::ApiJson(input): super::ApiJson<OnlineLevelInput>,
) -> AppResult<Json<Value>> {
    crate::service::set_online_level(&state, &user, code.trim(), &input.online_level).await?;
    procedure(State(state), Path(code)).await
}
