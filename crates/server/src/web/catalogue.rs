//! The home page, catalogue search, the procedure page and the start of a submission.

use super::form::{FormState, PageForm};
use super::{labels, url_encode, Ctx, Nav};
use crate::error::{AppError, FieldError};
use crate::i18n::{Lang, Tr};
use crate::service;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_core::agency::Agency;
use motcua_core::catalogue::{Level, OnlineLevel, Procedure};
use motcua_store::catalogue::ProcedureQuery;
use serde::Deserialize;

/// Results per page of the search.
const PAGE_SIZE: i64 = 20;
/// Agencies listed at once on the procedure page.
pub(super) const AGENCY_LIST: i64 = 20;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    tr: Tr,
    nav: Nav,
}

/// `GET /`.
pub async fn home(ctx: Ctx) -> Response {
    ctx.render(StatusCode::OK, &Home { tr: ctx.tr, nav: ctx.nav() })
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct SearchParams {
    q: Option<String>,
    level: Option<String>,
    online: Option<String>,
    page: Option<String>,
}

struct ResultRow {
    code: String,
    name: String,
    levels: String,
    field: String,
    online: String,
}

#[derive(Template)]
#[template(path = "procedures.html")]
struct SearchPage {
    tr: Tr,
    nav: Nav,
    form: FormState,
    level_options: Vec<(String, String)>,
    online_options: Vec<(String, String)>,
    results: Vec<ResultRow>,
    count_text: String,
    start: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn search_href(p: &SearchParams, page: i64) -> String {
    let mut parts = vec![];
    for (k, v) in [("q", &p.q), ("level", &p.level), ("online", &p.online)] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            parts.push(format!("{k}={}", url_encode(v)));
        }
    }
    parts.push(format!("page={page}"));
    format!("/procedures?{}", parts.join("&"))
}

fn parse_search(p: &SearchParams) -> Result<(ProcedureQuery, i64), AppError> {
    let mut errors = vec![];
    let level = match p.level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(l) => Level::parse(l).or_else(|| {
            errors.push(FieldError::new("level", "level_choice"));
            None
        }),
    };
    let online_level = match p.online.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(o) => OnlineLevel::parse(o).or_else(|| {
            errors.push(FieldError::new("online", "online_choice"));
            None
        }),
    };
    let page = match p.page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 1,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) => n,
            _ => {
                errors.push(FieldError::new("page", "integer_range"));
                1
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let q = ProcedureQuery {
        q: p.q.clone().filter(|q| !q.trim().is_empty()),
        level,
        field: None,
        online_level,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    Ok((q, page))
}

/// `GET /procedures?q=&level=&online=&page=`.
pub async fn search(ctx: Ctx, State(state): State<AppState>, Query(p): Query<SearchParams>) -> Response {
    let tr = ctx.tr;
    let mut form = FormState::default();
    form.set("q", p.q.clone().unwrap_or_default());
    form.set("level", p.level.clone().unwrap_or_default());
    form.set("online", p.online.clone().unwrap_or_default());
    let mut page = SearchPage {
        tr,
        nav: ctx.nav(),
        form,
        level_options: [Level::Commune, Level::Province, Level::Ministry, Level::Other]
            .iter()
            .map(|l| (l.as_str().to_string(), labels::level(&tr, *l)))
            .collect(),
        online_options: [OnlineLevel::Full, OnlineLevel::Partial, OnlineLevel::Offline]
            .iter()
            .map(|o| (o.as_str().to_string(), labels::online(&tr, *o)))
            .collect(),
        results: vec![],
        count_text: String::new(),
        start: 1,
        prev_href: None,
        next_href: None,
    };
    let (query, n) = match parse_search(&p) {
        Ok(x) => x,
        Err(e) => {
            page.form.add_error(&tr, &e, |f| Some(f.to_string()));
            return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let (items, total) = match state.store.search_procedures(&query).await {
        Ok(x) => x,
        Err(e) => return ctx.error(e.into()),
    };
    page.results = items
        .into_iter()
        .map(|i| ResultRow {
            levels: labels::levels(&tr, &i.levels),
            online: labels::online(&tr, i.online_level),
            field: i.field.unwrap_or_default(),
            code: i.code,
            name: i.name,
        })
        .collect();
    let pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    let count_key = if total == 1 { "search-count-one" } else { "search-count" };
    page.count_text = tr.t_args(count_key, &[("n", &crate::i18n::group_thousands(total))]);
    if pages > 1 {
        let of = tr.t_args("search-page-of", &[("page", &n.to_string()), ("pages", &pages.to_string())]);
        page.count_text = format!("{} · {of}", page.count_text);
    }
    page.start = (n - 1) * PAGE_SIZE + 1;
    page.prev_href = (n > 1).then(|| search_href(&p, n - 1));
    page.next_href = (n < pages).then(|| search_href(&p, n + 1));
    ctx.render(StatusCode::OK, &page)
}

struct ChannelVm {
    channel: String,
    time: String,
    fee: Vec<String>,
    description: String,
}

pub(super) struct AgencyVm {
    pub code: String,
    pub name: String,
}

pub(super) fn agency_vm(a: &Agency, lang: Lang) -> AgencyVm {
    let name = if lang == Lang::En && !a.name_en.is_empty() { a.name_en.clone() } else { a.name.clone() };
    AgencyVm { code: a.code.clone(), name }
}

/// The person's unfinished submission of this procedure, on its page.
struct ResumeVm {
    /// "Step 2 of 5: …".
    step: String,
    /// `dd/mm/yyyy HH:MM`, Vietnam time.
    saved_at: String,
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    tr: Tr,
    nav: Nav,
    p: Procedure,
    levels: String,
    online: String,
    channels: Vec<ChannelVm>,
    login_href: String,
    register_href: String,
    /// Plain guidance: the processing time in words, the date of the result if received now
    /// (`dd/mm/yyyy`), the fee online, how many documents to prepare.
    guide_time: String,
    result_date: Option<String>,
    guide_fee: Vec<String>,
    doc_count: usize,
    bring_count: String,
    resume: Option<ResumeVm>,
    notice: Option<String>,
    /// The national portal's page of this procedure, where its blank forms (templates) can be
    /// downloaded: the catalogue's source address, when it is an `https` one.
    templates_href: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ProcedureParams {
    done: Option<String>,
}

async fn procedure_page(ctx: &Ctx, state: &AppState, code: &str, done: Option<&str>) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let p = state.store.procedure(code.trim()).await?.ok_or(AppError::NotFound)?;
    let resume = match &ctx.user {
        Some(u) if u.role == motcua_store::accounts::Role::Citizen => {
            state.store.form_draft(u.id, &p.code).await?.map(|d| {
                let (step, saved_at) = super::apply::draft_place(&tr, &d);
                ResumeVm { step, saved_at }
            })
        }
        _ => None,
    };
    let notice = (done == Some("discarded")).then(|| tr.t("apply-discarded"));
    let back = url_encode(&format!("/procedures/{}", p.code));
    let online_row =
        p.channels.iter().find(|r| r.channel == motcua_core::catalogue::Channel::Online).or(p.channels.first());
    let guide_time = online_row.map(|r| labels::processing_time(&tr, &r.processing_time)).unwrap_or_default();
    let guide_fee = online_row.map(|r| labels::fee(&tr, &r.fee)).unwrap_or_default();
    let result_date = result_date_if_received_now(state, &p);
    let doc_count = p.required_documents.len();
    let bring_count = tr.t_args("guide-bring-count", &[("n", &doc_count.to_string())]);
    let page = ProcedurePage {
        bring_count,
        guide_time,
        result_date,
        guide_fee,
        doc_count,
        tr,
        nav: ctx.nav(),
        levels: labels::levels(&tr, &p.levels),
        online: labels::online(&tr, p.online_level),
        channels: p
            .channels
            .iter()
            .map(|r| ChannelVm {
                channel: labels::channel(&tr, r.channel),
                time: labels::processing_time(&tr, &r.processing_time),
                fee: labels::fee(&tr, &r.fee),
                description: r.description.clone(),
            })
            .collect(),
        login_href: format!("/login?next={back}"),
        register_href: format!("/register?next={back}"),
        resume,
        notice,
        templates_href: p.source_url.clone().filter(|u| u.starts_with("https://")),
        p,
    };
    Ok(ctx.render(StatusCode::OK, &page))
}

/// The day the result is due if a dossier were received now, `dd/mm/yyyy` (Vietnam time), by
/// the national calendar and the default working hours (LEGAL-TIME.md): the date a person can
/// plan around, beside "N working days". `None` when the catalogue states no time with a unit.
fn result_date_if_received_now(state: &AppState, p: &motcua_core::catalogue::Procedure) -> Option<String> {
    use motcua_core::legal_time::{due, ClockUnit, DueRequest};
    let (amount, unit) = p.processing_time_for(motcua_core::catalogue::Channel::Online)?;
    let unit = ClockUnit::from_catalogue(unit)?;
    let cutoff = p.same_day_cutoff.as_deref().and_then(|c| chrono::NaiveTime::parse_from_str(c, "%H:%M").ok());
    let unit = match cutoff {
        Some(_) if unit == ClockUnit::WorkingDays && amount <= 1.0 => ClockUnit::SameDay,
        _ => unit,
    };
    let now = chrono::Utc::now();
    let hours = motcua_core::calendar::WorkingHours::default();
    let req = DueRequest { received_at: now, amount, unit, cutoff, pauses: &[], now };
    let at = due(state.calendar().as_ref(), &hours, &req).ok()?.due_at;
    Some(at.with_timezone(&motcua_core::calendar::vietnam()).format("%d/%m/%Y").to_string())
}

/// `GET /procedures/{code}`.
pub async fn procedure(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(params): Query<ProcedureParams>,
) -> Response {
    procedure_page(&ctx, &state, &code, params.done.as_deref()).await.unwrap_or_else(|e| ctx.error(e))
}

/// `POST /procedures/{code}/dossiers`: every answer at once (the one-page form of clients that
/// post all fields); creates a draft and goes to it. Answers with errors are saved as the
/// submission's form draft and its first step with an error is shown, answers kept.
pub async fn create_draft(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageForm(fields): PageForm,
) -> Response {
    if let Err(e) = ctx.check_csrf(&fields) {
        return ctx.error(e);
    }
    let user = match ctx.require_user() {
        Ok(u) => u.clone(),
        Err(e) => return ctx.error(e),
    };
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let input = super::form::dossier_input(&code, "", get);
    match service::create_draft(&state, &user, &input).await {
        Ok(d) => {
            // The one-page form supersedes a half-done submission in steps.
            if let Err(e) = state.store.delete_form_draft(user.id, &d.procedure_code).await {
                return ctx.error(e.into());
            }
            ctx.redirect(&format!("/dossiers/{}", d.id))
        }
        Err(AppError::Invalid(errors)) if !errors.iter().any(|e| e.field == "procedure_code") => {
            let answers = super::apply::posted_answers(&fields);
            super::apply::show_invalid(&ctx, &state, &user, code.trim(), answers, errors)
                .await
                .unwrap_or_else(|e| ctx.error(e))
        }
        Err(e) => ctx.error(e),
    }
}
