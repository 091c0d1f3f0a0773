//! Officials and their duties (issue 5, item 3): administrators (any agency) and an agency's
//! administrators (their agency) see who serves an agency with which duties, and change them.

use super::{Ctx, Nav};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_core::route::Role as Duty;
use motcua_store::accounts::{Role, User};
use serde::Deserialize;

/// One official's row: the duties held, and whether they are recorded.
struct OfficialVm {
    username: String,
    name: String,
    /// The four duties in order, each with whether it is held.
    duties: Vec<(String, String, bool)>,
    recorded: bool,
}

#[derive(Template)]
#[template(path = "admin_officials.html")]
struct OfficialsPage {
    tr: Tr,
    nav: Nav,
    agency: String,
    agency_name: String,
    officials: Vec<OfficialVm>,
    error: Option<String>,
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AgencyParam {
    agency: Option<String>,
    done: Option<String>,
}

/// May `user` manage the officials of `agency`: an administrator, or an official holding the
/// agency administrator's duty there.
async fn may_manage(state: &AppState, user: &User, agency: &str) -> AppResult<bool> {
    Ok(match user.role {
        Role::Admin => true,
        Role::Official => state.store.duties(user).await?.holds(agency, Duty::AgencyAdmin),
        Role::Citizen => false,
    })
}

async fn page(
    ctx: &Ctx,
    state: &AppState,
    agency: &str,
    error: Option<String>,
    done: Option<String>,
) -> AppResult<OfficialsPage> {
    let tr = ctx.tr;
    let user = ctx.require_user()?;
    let agency = agency.trim();
    let found = if agency.is_empty() { None } else { state.store.agency(agency).await? };
    if !agency.is_empty() && !may_manage(state, user, agency).await? {
        return Err(AppError::Forbidden("err-admins-only"));
    }
    let (agency_name, officials) = match &found {
        Some(a) => {
            let name = if tr.lang == crate::i18n::Lang::En && !a.name_en.is_empty() {
                a.name_en.clone()
            } else {
                a.name.clone()
            };
            let rows = state
                .store
                .officials_of(agency)
                .await?
                .into_iter()
                .map(|o| OfficialVm {
                    duties: Duty::ALL
                        .into_iter()
                        .map(|d| {
                            (
                                d.as_str().to_string(),
                                tr.t(&format!("duty-{}", d.as_str().replace('_', "-"))),
                                o.roles.contains(&d),
                            )
                        })
                        .collect(),
                    username: o.user.username,
                    name: o.user.full_name,
                    recorded: o.recorded,
                })
                .collect();
            (name, rows)
        }
        None => (String::new(), vec![]),
    };
    let error = error.or_else(|| {
        (!agency.is_empty() && found.is_none())
            .then(|| AppError::field_message(&tr, &FieldError::new("agency", "unknown_agency")))
    });
    Ok(OfficialsPage { tr, nav: ctx.nav(), agency: agency.to_string(), agency_name, officials, error, done })
}

/// `GET /admin/officials?agency=CODE`: the agency's officials and their duties; an agency
/// administrator's own agency when none is named.
pub async fn list(ctx: Ctx, State(state): State<AppState>, Query(p): Query<AgencyParam>) -> Response {
    let result = async {
        let user = ctx.require_user()?;
        if !matches!(user.role, Role::Admin | Role::Official) {
            return Err(AppError::Forbidden("err-admins-only"));
        }
        let agency = p.agency.clone().or_else(|| user.agency_code.clone()).unwrap_or_default();
        let done = p.done.as_deref().map(|_| ctx.tr.t("admin-officials-saved"));
        page(&ctx, &state, &agency, None, done).await
    }
    .await;
    match result {
        Ok(p) => ctx.render(StatusCode::OK, &p),
        Err(e) => ctx.error(e),
    }
}

/// `POST /admin/officials` (`agency`, `username`, repeated `roles`, `csrf`): records the
/// official's duties in the agency (none ticked: none recorded there).
pub async fn save(
    ctx: Ctx,
    State(state): State<AppState>,
    super::form::PageFormList(pairs): super::form::PageFormList,
) -> Response {
    let fields: std::collections::HashMap<String, String> = pairs.iter().cloned().collect();
    let agency = fields.get("agency").cloned().unwrap_or_default();
    let result = async {
        ctx.check_csrf(&fields)?;
        let user = ctx.require_user()?;
        if state.store.agency(agency.trim()).await?.is_none() {
            return Err(AppError::invalid("agency", "unknown_agency"));
        }
        if !may_manage(&state, user, agency.trim()).await? {
            return Err(AppError::Forbidden("err-admins-only"));
        }
        let username = fields.get("username").map(|s| s.trim().to_string()).unwrap_or_default();
        let official = state.store.user_by_username(&username).await?.filter(|u| u.role == Role::Official);
        let Some(official) = official else { return Err(AppError::invalid("username", "assignee_unknown")) };
        let roles = pairs
            .iter()
            .filter(|(k, _)| k == "roles")
            .map(|(_, v)| Duty::parse(v.trim()).ok_or_else(|| AppError::invalid("roles", "duty_choice")))
            .collect::<AppResult<Vec<_>>>()?;
        state.store.set_duties(official.id, agency.trim(), &roles).await?;
        Ok(ctx.redirect(&format!("/admin/officials?agency={}&done=1", agency.trim())))
    }
    .await;
    match result {
        Ok(r) => r,
        Err(AppError::Invalid(errs)) => {
            let msg = errs.iter().map(|e| AppError::field_message(&ctx.tr, e)).collect::<Vec<_>>().join("; ");
            match page(&ctx, &state, &agency, Some(msg), None).await {
                Ok(p) => ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &p),
                Err(e) => ctx.error(e),
            }
        }
        Err(e) => ctx.error(e),
    }
}
