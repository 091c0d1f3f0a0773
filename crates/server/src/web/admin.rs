//! Administrators' pages: the working calendar (load a Government decision on days off,
//! see who loaded what).

use super::form::PageForm;
use super::{Ctx, Nav};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::service;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_store::accounts::{Role, User};

/// One recorded load, for display.
pub struct LoadVm {
    pub years: String,
    pub by: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    tr: Tr,
    nav: Nav,
    csrf: String,
    loads: Vec<LoadVm>,
    /// The text typed, kept when it is refused.
    content: String,
    error: Option<String>,
    done: Option<String>,
}

fn require_admin(ctx: &Ctx) -> AppResult<&User> {
    let u = ctx.require_user()?;
    if u.role == Role::Admin {
        Ok(u)
    } else {
        Err(AppError::Forbidden("err-admins-only"))
    }
}

async fn page(
    ctx: &Ctx,
    state: &AppState,
    content: String,
    error: Option<String>,
    done: Option<String>,
) -> AppResult<CalendarPage> {
    let tr = ctx.tr;
    let loads = state
        .store
        .calendar_decision_loads()
        .await?
        .into_iter()
        .map(|l| LoadVm {
            years: l.years.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            by: l.loaded_by,
            at: tr.datetime(&l.loaded_at),
        })
        .collect();
    Ok(CalendarPage { tr, nav: ctx.nav(), csrf: ctx.csrf.clone(), loads, content, error, done })
}

/// `GET /admin/calendar`.
pub async fn calendar(ctx: Ctx, State(state): State<AppState>) -> Response {
    let result = async {
        require_admin(&ctx)?;
        page(&ctx, &state, String::new(), None, None).await
    }
    .await;
    match result {
        Ok(p) => ctx.render(StatusCode::OK, &p),
        Err(e) => ctx.error(e),
    }
}

/// `POST /admin/calendar` (`content`: the decisions file, JSON): validated whole, recorded
/// with who loaded it, applied at once.
pub async fn load(ctx: Ctx, State(state): State<AppState>, PageForm(form): PageForm) -> Response {
    let result = async {
        ctx.check_csrf(&form)?;
        let admin = require_admin(&ctx)?;
        let content = form.get("content").cloned().unwrap_or_default();
        match service::record_decisions(&state.store, &content, &admin.username).await {
            Ok(l) => {
                state.reload_calendar().await.map_err(|e| AppError::Internal(e.to_string()))?;
                let years = l.years.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                let done = ctx.tr.t_args("admin-calendar-loaded", &[("years", &years)]);
                Ok((StatusCode::OK, page(&ctx, &state, String::new(), None, Some(done)).await?))
            }
            Err(AppError::Invalid(errs)) => {
                let msg = errs.iter().map(|e| AppError::field_message(&ctx.tr, e)).collect::<Vec<_>>().join("; ");
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, &state, content, Some(msg), None).await?))
            }
            Err(e) => Err(e),
        }
    }
    .await;
    match result {
        Ok((status, p)) => ctx.render(status, &p),
        Err(e) => ctx.error(e),
    }
}
