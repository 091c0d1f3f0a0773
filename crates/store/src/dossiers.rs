//! Dossiers, their history and their clock pauses. Every state change is one transaction
//! with its history entry, checked against the dossier's expected version (optimistic
//! concurrency: a lost race is [`StoreError::Conflict`]).

use crate::accounts::User;
use crate::documents::Document;
use crate::{with_db, Col, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use motcua_core::calendar::vietnam;
use motcua_core::catalogue::TimeUnit;
use motcua_core::dossier::{Action, DossierCode, Status};
use motcua_core::legal_time::{ClockPause, PauseReason};
use serde::{Deserialize, Serialize};

/// The person the dossier is for (recorded apart from the submitting account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub full_name: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
}

/// A dossier as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Dossier {
    pub id: String,
    pub code: Option<String>,
    pub procedure_code: String,
    pub agency_code: String,
    /// The submitting account (internal; not shown in the API).
    #[serde(skip_serializing)]
    pub owner_id: i64,
    pub applicant: Applicant,
    pub delivery: String,
    pub form: serde_json::Value,
    pub status: Status,
    pub resume_status: Option<Status>,
    pub version: i64,
    /// Processing time value as in the catalogue, in `time_unit`.
    pub time_value: Option<f64>,
    pub time_unit: Option<TimeUnit>,
    /// True when the catalogue gave no usable time and a default was assumed.
    pub time_flagged: bool,
    /// Same-day cut-off "HH:MM", Vietnam time.
    pub same_day_cutoff: Option<String>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub received_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    /// Derived from the receipt instant, the processing time and the pauses; an estimate
    /// before receipt.
    pub due_at: Option<DateTime<Utc>>,
    pub result_document_id: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// How `due_at` was computed, JSON (a list of explanation steps), kept with it.
    #[serde(skip_serializing)]
    pub due_explanation: Option<String>,
    /// The procedure's name (joined for display).
    pub procedure_name: String,
    /// The processing route it follows (set at submission).
    pub route_id: Option<String>,
    /// Its current step on the route, or the step it resumes at after a supplement.
    pub step: Option<String>,
    /// The agency performing the current step (the receiving agency at first).
    pub step_agency_code: Option<String>,
    /// Since when it is at the current step.
    pub step_since: Option<DateTime<Utc>>,
    /// The official the current step is assigned to; `None`: the step's role pool.
    pub assignee_id: Option<i64>,
    /// The new appointment given with an apology (form 04); the due instant for the indices
    /// stays `due_at`.
    pub appointment_at: Option<DateTime<Utc>>,
    /// How it came in: `online` (the default), `in_person` (at the one-stop desk) or `post`
    /// (Decree 61/2018/NĐ-CP Art. 14); the online-submission rate counts only `online`.
    pub channel: String,
    /// The desk official who submitted it for the applicant (assisted submission); `None` for
    /// a citizen's own. Internal: the API shows the official's name instead.
    #[serde(skip_serializing)]
    pub submitted_by: Option<i64>,
}

impl Dossier {
    /// True while an assisted submission waits for its applicant to claim it: the submitting
    /// official's account still owns it.
    pub fn awaits_claim(&self) -> bool {
        self.submitted_by == Some(self.owner_id)
    }
}

/// One history entry: who did what, when, from which status to which, why.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub action: String,
    pub from_status: Option<String>,
    pub status: String,
    pub by: String,
    pub by_role: String,
    pub reason: Option<String>,
    /// The route steps it moved between, when it moved on the route.
    pub from_step: Option<String>,
    pub to_step: Option<String>,
    /// What the action said beyond its reason (the legal basis of a refusal, an apology's new
    /// appointment, an assignee, the steps passed on the way), as given.
    pub detail: Option<serde_json::Value>,
}

/// A dossier with its history and its documents (each oldest first), as one read or one
/// change left them.
#[derive(Debug, Clone)]
pub struct DossierRecord {
    pub dossier: Dossier,
    pub history: Vec<HistoryEntry>,
    pub documents: Vec<Document>,
}

/// A new draft.
#[derive(Debug, Clone)]
pub struct NewDossier {
    pub procedure_code: String,
    pub agency_code: String,
    pub owner_id: i64,
    pub applicant: Applicant,
    pub delivery: String,
    pub form: serde_json::Value,
    pub time_value: Option<f64>,
    pub time_unit: Option<TimeUnit>,
    pub time_flagged: bool,
    pub same_day_cutoff: Option<String>,
    /// `online`, `in_person` or `post`.
    pub channel: String,
    /// The desk official submitting for a present applicant (then also `owner_id` until the
    /// applicant claims it); `None` for a citizen's own draft.
    pub submitted_by: Option<i64>,
}

/// A state change, decided by the caller from the transition table.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub action: Action,
    pub from: Status,
    pub to: Status,
    pub expected_version: i64,
    pub actor: &'a User,
    pub reason: Option<&'a str>,
    pub at: DateTime<Utc>,
    /// Issue the dossier code (first submission).
    pub issue_code: bool,
    /// Record the receipt instant (`at`).
    pub set_received: bool,
    /// Open a clock pause with this reason.
    pub open_pause: Option<&'a str>,
    /// Close the open pause at `at`.
    pub close_pause: bool,
    /// New value of `resume_status`.
    pub resume_status: Option<Status>,
    /// New due instant (computed by the caller with the pauses as they will be).
    pub due_at: Option<DateTime<Utc>>,
    /// How it was computed (JSON); `None` keeps the stored one.
    pub due_explanation: Option<String>,
    pub set_decided: bool,
    pub set_returned: bool,
    pub result_document_id: Option<&'a str>,
    /// The route (set at submission; `None` keeps the stored one).
    pub route_id: Option<&'a str>,
    /// The step after the change, its agency and its assignee (full new values).
    pub step: Option<&'a str>,
    pub step_agency_code: Option<&'a str>,
    pub assignee_id: Option<i64>,
    /// A new appointment (apology); `None` keeps the stored one.
    pub appointment_at: Option<DateTime<Utc>>,
    /// JSON for the history entry's `detail`.
    pub detail: Option<serde_json::Value>,
}

impl<'a> Change<'a> {
    /// A change of `d` by `actor` at `at` that keeps everything as it is: the caller sets
    /// what the action changes.
    pub fn keeping(d: &'a Dossier, action: Action, actor: &'a User, at: DateTime<Utc>) -> Change<'a> {
        Change {
            action,
            from: d.status,
            to: d.status,
            expected_version: d.version,
            actor,
            reason: None,
            at,
            issue_code: false,
            set_received: false,
            open_pause: None,
            close_pause: false,
            resume_status: d.resume_status,
            due_at: d.due_at,
            due_explanation: None,
            set_decided: false,
            set_returned: false,
            result_document_id: None,
            route_id: None,
            step: d.step.as_deref(),
            step_agency_code: d.step_agency_code.as_deref(),
            assignee_id: d.assignee_id,
            appointment_at: None,
            detail: None,
        }
    }
}

/// Filter for an agency's queue. Dossiers in progress are in the queue of the agency at their
/// current step; ended ones (refused, returned, withdrawn) in their receiving agency's.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Empty: those in progress (submitted, received, waiting on a supplement, approved).
    pub statuses: Vec<Status>,
    pub procedure_code: Option<String>,
    /// The current step's id.
    pub step: Option<String>,
    /// Only due at or after / before these instants (with a due instant).
    pub due_from: Option<DateTime<Utc>>,
    pub due_before: Option<DateTime<Utc>>,
    /// Only those assigned to this official.
    pub assignee_id: Option<i64>,
    pub sort: QueueSort,
    /// Page size (1–1000; 200 when 0) and rows skipped.
    pub limit: i64,
    pub offset: i64,
    /// How many match, when the caller already knows (the desk's counts give it for the
    /// unfiltered queue): saves counting a long queue twice.
    pub known_total: Option<i64>,
}

/// The queue's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    /// Due soonest first (the default: what must be done first).
    #[default]
    Due,
    /// Submitted first first.
    Submitted,
    /// Most recently changed first.
    Updated,
}

/// The statuses of dossiers in progress.
pub const IN_PROGRESS: [Status; 4] =
    [Status::Submitted, Status::Received, Status::SupplementRequested, Status::Approved];

/// A page of a queue and how many match in all.
#[derive(Debug, Clone, Serialize)]
pub struct QueuePage {
    pub items: Vec<Dossier>,
    pub total: i64,
}

/// Counts for the desk: per status, and of those whose clock runs, how many are overdue and
/// due before `soon`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeskCounts {
    pub by_status: Vec<(Status, i64)>,
    pub overdue: i64,
    pub due_soon: i64,
}

/// The WHERE clause and its binds of a queue filter (`?` placeholders).
fn queue_where(agency_code: &str, f: &QueueFilter) -> (String, Vec<String>, Vec<DateTime<Utc>>, Option<i64>) {
    let statuses: Vec<Status> = if f.statuses.is_empty() { IN_PROGRESS.to_vec() } else { f.statuses.clone() };
    let (active, ended): (Vec<Status>, Vec<Status>) = statuses.into_iter().partition(|s| !s.is_final());
    let mut text = Vec::new();
    let mut parts = Vec::new();
    if !active.is_empty() {
        parts.push(format!("(d.step_agency_code = ? AND d.status IN ({}))", vec!["?"; active.len()].join(",")));
        text.push(agency_code.to_string());
        text.extend(active.iter().map(|s| s.as_str().to_string()));
    }
    if !ended.is_empty() {
        parts.push(format!("(d.agency_code = ? AND d.status IN ({}))", vec!["?"; ended.len()].join(",")));
        text.push(agency_code.to_string());
        text.extend(ended.iter().map(|s| s.as_str().to_string()));
    }
    let mut sql = format!("({})", parts.join(" OR "));
    for (col, v) in [("d.procedure_code", &f.procedure_code), ("d.step", &f.step)] {
        if let Some(v) = v {
            sql.push_str(&format!(" AND {col} = ?"));
            text.push(v.clone());
        }
    }
    let mut times = Vec::new();
    if let Some(t) = f.due_from {
        sql.push_str(" AND d.due_at >= ?");
        times.push(t);
    }
    if let Some(t) = f.due_before {
        sql.push_str(" AND d.due_at < ?");
        times.push(t);
    }
    if f.assignee_id.is_some() {
        sql.push_str(" AND d.assignee_id = ?");
    }
    (sql, text, times, f.assignee_id)
}

fn unit_str(u: TimeUnit) -> String {
    serde_json::to_value(u).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn unit_parse(s: &str) -> Option<TimeUnit> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

fn dossier_from_row(r: &impl Col) -> Result<Dossier> {
    dossier_from_row_named(r, r.col("procedure_name"))
}

/// A dossier from a row without the procedure's name, given apart.
fn dossier_from_row_named(r: &impl Col, procedure_name: String) -> Result<Dossier> {
    let status = |col: &str| r.col::<Option<String>>(col).and_then(|s| Status::parse(&s));
    Ok(Dossier {
        id: r.col("id"),
        code: r.col("code"),
        procedure_code: r.col("procedure_code"),
        agency_code: r.col("agency_code"),
        owner_id: r.col("owner_id"),
        applicant: serde_json::from_str(&r.col::<String>("applicant"))?,
        delivery: r.col("delivery"),
        form: serde_json::from_str(&r.col::<String>("form"))?,
        status: status("status").unwrap_or(Status::Draft),
        resume_status: status("resume_status"),
        version: r.col("version"),
        time_value: r.col("time_value"),
        time_unit: r.col::<Option<String>>("time_unit").and_then(|s| unit_parse(&s)),
        time_flagged: r.col("time_flagged"),
        same_day_cutoff: r.col("same_day_cutoff"),
        created_at: r.col("created_at"),
        submitted_at: r.col("submitted_at"),
        received_at: r.col("received_at"),
        decided_at: r.col("decided_at"),
        returned_at: r.col("returned_at"),
        due_at: r.col("due_at"),
        result_document_id: r.col("result_document_id"),
        updated_at: r.col("updated_at"),
        due_explanation: r.col("due_explanation"),
        procedure_name,
        route_id: r.col("route_id"),
        step: r.col("step"),
        step_agency_code: r.col("step_agency_code"),
        step_since: r.col("step_since"),
        assignee_id: r.col("assignee_id"),
        appointment_at: r.col("appointment_at"),
        channel: r.col("channel"),
        submitted_by: r.col("submitted_by"),
    })
}

fn history_from_row(r: &impl Col) -> HistoryEntry {
    history_from_prefixed(r, "")
}

/// A history entry from columns named `{prefix}{column}`.
fn history_from_prefixed(r: &impl Col, prefix: &str) -> HistoryEntry {
    let c = |n: &str| format!("{prefix}{n}");
    HistoryEntry {
        at: r.col(&c("at")),
        action: r.col(&c("action")),
        from_status: r.col(&c("from_status")),
        status: r.col(&c("to_status")),
        by: r.col(&c("actor_name")),
        by_role: r.col(&c("actor_role")),
        reason: r.col(&c("reason")),
        from_step: r.col(&c("from_step")),
        to_step: r.col(&c("to_step")),
        detail: r.col::<Option<String>>(&c("detail")).and_then(|d| serde_json::from_str(&d).ok()),
    }
}

/// The columns of [`record_sql`] with their types: the dossier's (with the procedure's name),
/// then its history entries' and its documents' (named with the prefixes `h_` and `doc_`).
const RECORD_DOSSIER: &[(&str, &str)] = &[
    ("id", "TEXT"),
    ("code", "TEXT"),
    ("procedure_code", "TEXT"),
    ("agency_code", "TEXT"),
    ("owner_id", "BIGINT"),
    ("applicant", "TEXT"),
    ("delivery", "TEXT"),
    ("form", "TEXT"),
    ("status", "TEXT"),
    ("resume_status", "TEXT"),
    ("version", "BIGINT"),
    ("time_value", "DOUBLE PRECISION"),
    ("time_unit", "TEXT"),
    ("time_flagged", "BOOLEAN"),
    ("same_day_cutoff", "TEXT"),
    ("created_at", "TIMESTAMPTZ"),
    ("submitted_at", "TIMESTAMPTZ"),
    ("received_at", "TIMESTAMPTZ"),
    ("decided_at", "TIMESTAMPTZ"),
    ("returned_at", "TIMESTAMPTZ"),
    ("due_at", "TIMESTAMPTZ"),
    ("result_document_id", "TEXT"),
    ("updated_at", "TIMESTAMPTZ"),
    ("due_explanation", "TEXT"),
    ("procedure_name", "TEXT"),
    ("route_id", "TEXT"),
    ("step", "TEXT"),
    ("step_agency_code", "TEXT"),
    ("step_since", "TIMESTAMPTZ"),
    ("assignee_id", "BIGINT"),
    ("appointment_at", "TIMESTAMPTZ"),
    ("channel", "TEXT"),
    ("submitted_by", "BIGINT"),
];
const RECORD_HISTORY: &[(&str, &str)] = &[
    ("at", "TIMESTAMPTZ"),
    ("action", "TEXT"),
    ("from_status", "TEXT"),
    ("to_status", "TEXT"),
    ("actor_name", "TEXT"),
    ("actor_role", "TEXT"),
    ("reason", "TEXT"),
    ("from_step", "TEXT"),
    ("to_step", "TEXT"),
    ("detail", "TEXT"),
];
const RECORD_DOCUMENT: &[(&str, &str)] = &[
    ("id", "TEXT"),
    ("dossier_id", "TEXT"),
    ("kind", "TEXT"),
    ("name", "TEXT"),
    ("file_name", "TEXT"),
    ("content_type", "TEXT"),
    ("size", "BIGINT"),
    ("sha256", "TEXT"),
    ("uploaded_by", "BIGINT"),
    ("created_at", "TIMESTAMPTZ"),
];

/// The id of the dossier whose id is `$1` or whose code is `$2`, as a subquery: two lookups
/// by a unique key rather than `id = $1 OR code = $2`, which PostgreSQL plans as a sequential
/// scan while its statistics say the table is small (and a connection keeps that plan for its
/// prepared statement as the table grows).
const BY_ID_OR_CODE: &str =
    "SELECT m.id FROM (SELECT id FROM dossiers WHERE id = $1 UNION ALL SELECT id FROM dossiers WHERE code = $2) m LIMIT 1";

/// One statement for a dossier (by id or code, `$1` and `$2`), its history and its documents:
/// a `UNION ALL` of three parts (`part` 0, 1, 2), each row carrying its part's columns and
/// NULL in the others', so that the full view costs one round trip instead of three. The NULLs
/// are typed: PostgreSQL types a column NULL in the first two parts as text otherwise. History
/// and documents are selected by `dossier_id = (SELECT id FROM t)`, a value, rather than by a
/// join: PostgreSQL then plans them as the index lookups they are even when its statistics
/// say the tables are empty (a join planned then, and kept by a connection's prepared
/// statement, stays a hash join over a sequential scan as the tables grow).
fn record_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let cols = |prefix: &str, table: Option<&str>, names: &[(&str, &str)]| -> Vec<String> {
            names
                .iter()
                .map(|(n, ty)| match table {
                    Some(t) => format!("{t}.{n} AS {prefix}{n}"),
                    None => format!("CAST(NULL AS {ty}) AS {prefix}{n}"),
                })
                .collect()
        };
        let part = |n: u8, seq: &str, d: Option<&str>, h: Option<&str>, x: Option<&str>, from: &str| {
            let mut c = vec![format!("{n} AS part"), format!("{seq} AS seq")];
            c.extend(cols("", d, RECORD_DOSSIER));
            c.extend(cols("h_", h, RECORD_HISTORY));
            c.extend(cols("doc_", x, RECORD_DOCUMENT));
            format!("SELECT {} FROM {from}", c.join(", "))
        };
        format!(
            "WITH t AS (SELECT d.*, p.name AS procedure_name FROM dossiers d JOIN procedures p ON p.code = d.procedure_code
                        WHERE d.id = ({BY_ID_OR_CODE}))
             {} UNION ALL {} UNION ALL {}
             ORDER BY part, seq, doc_created_at, doc_id",
            part(0, "CAST(0 AS BIGINT)", Some("t"), None, None, "t"),
            part(1, "h.id", None, Some("h"), None, "dossier_history h WHERE h.dossier_id = (SELECT id FROM t)"),
            part(2, "0", None, None, Some("x"), "documents x WHERE x.dossier_id = (SELECT id FROM t)"),
        )
    })
}

/// The PostgreSQL form of [`record_sql`]: one row, the dossier's columns with its history
/// and its documents aggregated as JSON arrays (`history`, `documents`; NULL when there are
/// none), by id (`$1`, when `by_id`) or by code. PostgreSQL builds the executor state of
/// every output column and plan node on every execution, so this costs it less than the
/// three-part `UNION ALL` of about 60 columns a part, the id-or-code union and the join for
/// the procedure's name (which the caller takes from the reference cache). Measured with
/// `bench/read-statement.sh`; figures in BENCHMARKS.md. SQLite keeps [`record_sql`].
fn record_sql_pg(by_id: bool) -> &'static str {
    static SQL: std::sync::OnceLock<[String; 2]> = std::sync::OnceLock::new();
    let [id, code] = SQL.get_or_init(|| {
        let object = |alias: &str, names: &[(&str, &str)]| -> String {
            let pairs: Vec<String> = names.iter().map(|(n, _)| format!("'{n}', {alias}.{n}")).collect();
            format!("json_build_object({})", pairs.join(", "))
        };
        let sql = |key: &str| {
            format!(
                "SELECT d.*,
                   (SELECT json_agg({} ORDER BY h.id) FROM dossier_history h WHERE h.dossier_id = d.id) AS history,
                   (SELECT json_agg({} ORDER BY x.created_at, x.id) FROM documents x WHERE x.dossier_id = d.id) AS documents
                 FROM dossiers d WHERE d.{key} = $1",
                object("h", RECORD_HISTORY),
                object("x", RECORD_DOCUMENT),
            )
        };
        [sql("id"), sql("code")]
    });
    if by_id {
        id
    } else {
        code
    }
}

/// A history entry as [`record_sql_pg`] aggregates it (the table's column names).
#[derive(serde::Deserialize)]
struct HistoryJson {
    at: DateTime<Utc>,
    action: String,
    from_status: Option<String>,
    to_status: String,
    actor_name: String,
    actor_role: String,
    reason: Option<String>,
    from_step: Option<String>,
    to_step: Option<String>,
    detail: Option<String>,
}

fn record_from_pg_row(r: &sqlx::postgres::PgRow, procedure_name: String) -> Result<DossierRecord> {
    use sqlx::Row;
    let history: Option<sqlx::types::Json<Vec<HistoryJson>>> = r.try_get("history")?;
    // Documents are aggregated with the table's column names, which are `Document`'s fields.
    let documents: Option<sqlx::types::Json<Vec<Document>>> = r.try_get("documents")?;
    Ok(DossierRecord {
        dossier: dossier_from_row_named(r, procedure_name)?,
        history: history
            .map(|h| h.0)
            .unwrap_or_default()
            .into_iter()
            .map(|h| HistoryEntry {
                at: h.at,
                action: h.action,
                from_status: h.from_status,
                status: h.to_status,
                by: h.actor_name,
                by_role: h.actor_role,
                reason: h.reason,
                from_step: h.from_step,
                to_step: h.to_step,
                detail: h.detail.and_then(|d| serde_json::from_str(&d).ok()),
            })
            .collect(),
        documents: documents.map(|d| d.0).unwrap_or_default(),
    })
}

/// Binds a new draft's values to `$query` as `$1`…`$15`: id, procedure, agency, owner,
/// applicant (JSON), applicant's ID number, delivery, form (JSON), time value and unit,
/// flagged, same-day cut-off, the instant (created and updated), channel, submitted by (a
/// macro, so that it binds on either backend's query type; `?` on the JSON encodings).
macro_rules! bind_new_dossier {
    ($query:expr, $id:expr, $d:expr, $now:expr) => {
        $query
            .bind($id)
            .bind(&$d.procedure_code)
            .bind(&$d.agency_code)
            .bind($d.owner_id)
            .bind(serde_json::to_string(&$d.applicant)?)
            .bind(&$d.applicant.id_number)
            .bind(&$d.delivery)
            .bind(serde_json::to_string(&$d.form)?)
            .bind($d.time_value)
            .bind($d.time_unit.map(unit_str))
            .bind($d.time_flagged)
            .bind(&$d.same_day_cutoff)
            .bind($now)
            .bind(&$d.channel)
            .bind($d.submitted_by)
    };
}

/// [`Store::create_dossier_record`] on PostgreSQL: the dossier, its history entry and the
/// idempotent call's mark (when there is one) in one statement, which PostgreSQL runs as one
/// transaction: one round trip where `BEGIN`, two inserts, the mark and `COMMIT` took five.
/// The history row's reference to the dossier is checked at the end of the statement, when
/// the dossier row exists.
async fn create_dossier_pg(pool: &sqlx::PgPool, d: &NewDossier, actor: &User) -> Result<DossierRecord> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = crate::now();
    let call = crate::idempotency::current_call();
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let sql = SQL.get_or_init(|| {
        let h = |n: &str| format!("h.{n} AS h_{n}");
        format!(
        "WITH d AS (
           INSERT INTO dossiers (id, procedure_code, agency_code, owner_id, applicant, applicant_id_number, delivery,
             form, status, time_value, time_unit, time_flagged, same_day_cutoff, created_at, updated_at,
             channel, submitted_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10, $11, $12, $13, $13, $14, $15)
           RETURNING *),
         h AS (
           INSERT INTO dossier_history (dossier_id, at, action, from_status, to_status, actor_id, actor_name, actor_role)
           SELECT d.id, $13, 'create', NULL, $16, $17, $18, $19 FROM d
           RETURNING *),
         k AS (
           UPDATE idempotency_keys SET status = $20, response = $1
           WHERE user_id = $21 AND key = $22 AND status = 0)
         SELECT d.*, (SELECT name FROM procedures WHERE code = $2) AS procedure_name, {}
         FROM d, h",
        RECORD_HISTORY.iter().map(|(n, _)| h(n)).collect::<Vec<_>>().join(", ")
        )
    });
    let row = bind_new_dossier!(sqlx::query(sql), &id, d, now)
        .bind(Status::Draft.as_str())
        .bind(actor.id)
        .bind(&actor.full_name)
        .bind(actor.role.as_str())
        .bind(crate::idempotency::APPLIED)
        .bind(call.as_ref().map(|c| c.0))
        .bind(call.as_ref().map(|c| c.1.as_str()))
        .fetch_one(pool)
        .await?;
    Ok(DossierRecord {
        dossier: dossier_from_row(&row)?,
        history: vec![history_from_prefixed(&row, "h_")],
        documents: vec![],
    })
}

/// The columns a change sets other than its code, over the parameters of [`bind_change!`]:
/// one text for both paths of a change (a macro, so that `concat!` can build the
/// transaction's statement from it at compile time).
macro_rules! change_set_sql {
    () => {
        "status = $1, version = version + 1, resume_status = $3, due_at = $4,
         due_explanation = COALESCE($5, due_explanation),
         submitted_at = COALESCE(submitted_at, CASE WHEN $6 THEN $7 END),
         received_at = CASE WHEN $8 THEN $9 ELSE received_at END,
         decided_at = CASE WHEN $10 THEN $11 ELSE decided_at END,
         returned_at = CASE WHEN $12 THEN $13 ELSE returned_at END,
         result_document_id = COALESCE($14, result_document_id),
         updated_at = $15,
         route_id = COALESCE($18, route_id), step = $19, step_agency_code = $20, step_since = $21,
         assignee_id = $22, appointment_at = COALESCE($23, appointment_at)"
    };
}
const CHANGE_SET_SQL: &str = change_set_sql!();

/// Binds a change's values to `$query` as `$1`…`$24`, the same in both paths of a change:
/// new status, `$second` (the code on the transaction's path, "issue one" on the
/// one-statement path), resume status, due instant and its explanation, "is a submission",
/// the instant, the received / decided / returned flags each with the instant, the result
/// document, the instant (updated), the dossier's id and expected version, route, step, its
/// agency, since when, assignee, appointment, and the procedure (for its name) (a macro, so
/// that it binds on either backend's query type).
macro_rules! bind_change {
    ($query:expr, $dossier:expr, $c:expr, $second:expr) => {{
        let (dossier, c): (&Dossier, &Change<'_>) = ($dossier, $c);
        $query
            .bind(c.to.as_str())
            .bind($second)
            .bind(c.resume_status.map(Status::as_str))
            .bind(c.due_at)
            .bind(c.due_explanation.as_deref())
            .bind(c.action == Action::Submit)
            .bind(c.at)
            .bind(c.set_received)
            .bind(c.at)
            .bind(c.set_decided)
            .bind(c.at)
            .bind(c.set_returned)
            .bind(c.at)
            .bind(c.result_document_id)
            .bind(c.at)
            .bind(&dossier.id)
            .bind(c.expected_version)
            .bind(c.route_id)
            .bind(c.step)
            .bind(c.step_agency_code)
            .bind(step_since(dossier, c))
            .bind(c.assignee_id)
            .bind(c.appointment_at)
            .bind(&dossier.procedure_code)
    }};
}

/// The `{seq:04}` of [`DossierCode`] in SQL, for the code a statement issues itself from the
/// counter's `last` (zero-padded to four digits, never cut: `lpad` would cut a longer number).
/// A test issues codes around the 10,000th of a day and compares them with codes written out.
const CODE_SEQ_SQL: &str = "CASE WHEN last < 10000 THEN lpad(last::text, 4, '0') ELSE last::text END";

/// [`Store::apply_change_returning`] on PostgreSQL: the dossier row, its code when issued, its
/// pauses, its history entry and the idempotent call's mark in one statement, which
/// PostgreSQL runs as one transaction: one round trip where `BEGIN`, the counter, the update,
/// the history, the mark and `COMMIT` took up to six.
///
/// The dossier row is locked first (`cur`, at the expected version) and every other part
/// reads from it, so the counter moves only for a dossier whose change is then written: a
/// lost race leaves no gap in the day's codes, and every part of it writes nothing. The lock
/// is what makes this hold: `cur`'s rows come from the statement's snapshot, so without the
/// lock racers that read the same version would all pass it, and each would take a number
/// and write a history entry even where its update then found the row changed (the test
/// `a_lost_race_takes_no_number_of_the_day` fails then). With it, a racer waits for the
/// winner and then finds the newer version: `cur` is empty. `FOR NO KEY UPDATE` is the lock
/// an update of the row takes anyway (an update of the code takes the stronger one itself).
/// `None` when the dossier is no longer at `c.expected_version`.
async fn apply_change_pg(
    pool: &sqlx::PgPool,
    dossier: &Dossier,
    c: &Change<'_>,
) -> Result<Option<(Dossier, HistoryEntry)>> {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let sql = SQL.get_or_init(|| {
        let h = |n: &str| format!("h.{n} AS h_{n}");
        format!(
            "WITH cur AS (
               SELECT id FROM dossiers WHERE id = $16 AND version = $17 FOR NO KEY UPDATE),
             n AS (
               INSERT INTO dossier_counters (agency_code, day, last)
               SELECT $25, $26, 1 FROM cur WHERE $2
               ON CONFLICT(agency_code, day) DO UPDATE SET last = dossier_counters.last + 1
               RETURNING $27 || {CODE_SEQ_SQL} AS code),
             d AS (
               UPDATE dossiers SET code = COALESCE((SELECT code FROM n), dossiers.code), {CHANGE_SET_SQL}
               FROM cur WHERE dossiers.id = $16 AND dossiers.id = cur.id AND dossiers.version = $17
               RETURNING dossiers.*),
             closed AS (
               UPDATE dossier_pauses SET until_at = $7
               WHERE $28 AND dossier_id = (SELECT id FROM cur) AND until_at IS NULL),
             opened AS (
               INSERT INTO dossier_pauses (dossier_id, reason, from_at)
               SELECT id, $29, $7 FROM cur WHERE $29 IS NOT NULL),
             h AS (
               INSERT INTO dossier_history (dossier_id, at, action, from_status, to_status, actor_id, actor_name,
                 actor_role, reason, from_step, to_step, detail)
               SELECT id, $7, $30, $31, $1, $32, $33, $34, $35, $36, $19, $37 FROM cur
               RETURNING *),
             k AS (
               UPDATE idempotency_keys SET status = $38, response = $16
               WHERE user_id = $39 AND key = $40 AND status = 0 AND EXISTS (SELECT 1 FROM cur))
             SELECT d.*, (SELECT name FROM procedures WHERE code = $24) AS procedure_name, {}
             FROM d, h",
            RECORD_HISTORY.iter().map(|(n, _)| h(n)).collect::<Vec<_>>().join(", ")
        )
    });
    let day = c.at.with_timezone(&vietnam()).date_naive();
    let issue = c.issue_code && dossier.code.is_none();
    // The code's prefix, from the same constructor as every code: `{agency}-{yymmdd}-`.
    let full = DossierCode::new(&dossier.agency_code, day, 0).to_string();
    let prefix = full.strip_suffix("0000").unwrap_or(&full);
    let call = crate::idempotency::current_call();
    let detail = c.detail.as_ref().map(serde_json::to_string).transpose()?;
    let row = bind_change!(sqlx::query(sql), dossier, c, issue)
        .bind(&dossier.agency_code)
        .bind(day.format("%y%m%d").to_string())
        .bind(prefix)
        .bind(c.close_pause)
        .bind(c.open_pause)
        .bind(c.action.as_str())
        .bind(c.from.as_str())
        .bind(c.actor.id)
        .bind(&c.actor.full_name)
        .bind(c.actor.role.as_str())
        .bind(c.reason)
        .bind(dossier.step.as_deref())
        .bind(detail)
        .bind(crate::idempotency::APPLIED)
        .bind(call.as_ref().map(|c| c.0))
        .bind(call.as_ref().map(|c| c.1.as_str()))
        .fetch_optional(pool)
        .await?;
    row.map(|r| Ok((dossier_from_row(&r)?, history_from_prefixed(&r, "h_")))).transpose()
}

/// The instant the dossier entered its step after `c`: `c.at` when the step or its agency
/// changes, the stored one otherwise.
fn step_since(dossier: &Dossier, c: &Change<'_>) -> Option<DateTime<Utc>> {
    if c.step != dossier.step.as_deref() || c.step_agency_code != dossier.step_agency_code.as_deref() {
        Some(c.at)
    } else {
        dossier.step_since
    }
}

impl Store {
    /// Creates a draft (no code, no due instant) and its first history entry.
    pub async fn create_dossier(&self, d: &NewDossier, actor: &User) -> Result<Dossier> {
        Ok(self.create_dossier_record(d, actor).await?.dossier)
    }

    /// Creates a draft as [`Store::create_dossier`] does, and returns it with its history and
    /// (no) documents as the transaction wrote them, without reading them back.
    pub async fn create_dossier_record(&self, d: &NewDossier, actor: &User) -> Result<DossierRecord> {
        if let crate::Db::Postgres(pool) = &self.db {
            return create_dossier_pg(pool, d, actor).await;
        }
        with_db!(self, |writer, reader| {
            let id = uuid::Uuid::new_v4().to_string();
            let now = crate::now();
            let mut tx = writer.begin().await?;
            let row = bind_new_dossier!(sqlx::query(
                "INSERT INTO dossiers (id, procedure_code, agency_code, owner_id, applicant, applicant_id_number, delivery,
                   form, status, time_value, time_unit, time_flagged, same_day_cutoff, created_at, updated_at,
                   channel, submitted_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10, $11, $12, $13, $13, $14, $15)
                 RETURNING *, (SELECT name FROM procedures WHERE code = $2) AS procedure_name",
            ), &id, d, now)
            .fetch_one(&mut *tx)
            .await?;
            let entry = insert_history!(
                tx,
                &id,
                now,
                "create",
                None,
                Status::Draft,
                actor,
                None::<&str>,
                (None, None),
                None::<String>
            )?;
            crate::idempotency::mark_applied!(tx, &id)?;
            tx.commit().await?;
            Ok(DossierRecord { dossier: dossier_from_row(&row)?, history: vec![entry], documents: vec![] })
        })
    }

    /// A dossier by id or by code, with its history and its documents, in one statement.
    pub async fn dossier_record(&self, reference: &str) -> Result<Option<DossierRecord>> {
        if crate::has_nul(reference) {
            return Ok(None);
        }
        if let crate::Db::Postgres(pool) = &self.db {
            let by_id = uuid::Uuid::try_parse(reference).is_ok();
            let row = sqlx::query(record_sql_pg(by_id)).bind(reference).fetch_optional(pool).await?;
            let Some(row) = row else { return Ok(None) };
            let procedure = self.procedure_shared(&row.col::<String>("procedure_code")).await?;
            let name = procedure.map(|p| p.name.clone()).unwrap_or_default();
            return record_from_pg_row(&row, name).map(Some);
        }
        with_db!(self, |writer, reader| {
            let rows = sqlx::query(record_sql()).bind(reference).bind(reference).fetch_all(reader).await?;
            let mut rows = rows.iter();
            let Some(first) = rows.next() else { return Ok(None) };
            let mut record = DossierRecord { dossier: dossier_from_row(first)?, history: vec![], documents: vec![] };
            for r in rows {
                let part = r.col::<i32>("part");
                if part == 1 {
                    record.history.push(history_from_prefixed(r, "h_"));
                } else if part == 2 {
                    record.documents.push(Document {
                        id: r.col("doc_id"),
                        dossier_id: r.col("doc_dossier_id"),
                        kind: r.col("doc_kind"),
                        name: r.col("doc_name"),
                        file_name: r.col("doc_file_name"),
                        content_type: r.col("doc_content_type"),
                        size: r.col("doc_size"),
                        sha256: r.col("doc_sha256"),
                        uploaded_by: r.col("doc_uploaded_by"),
                        created_at: r.col("doc_created_at"),
                    });
                }
            }
            Ok(Some(record))
        })
    }

    /// A dossier by id or by code.
    pub async fn dossier(&self, reference: &str) -> Result<Option<Dossier>> {
        if crate::has_nul(reference) {
            return Ok(None);
        }
        if let crate::Db::Postgres(pool) = &self.db {
            // As the full read does (`record_sql_pg`): an id is a UUID and a code never is, so
            // one lookup by the key the reference names, and the procedure's name from the
            // reference cache rather than a join.
            let sql = if uuid::Uuid::try_parse(reference).is_ok() {
                "SELECT * FROM dossiers WHERE id = $1"
            } else {
                "SELECT * FROM dossiers WHERE code = $1"
            };
            let Some(row) = sqlx::query(sql).bind(reference).fetch_optional(pool).await? else { return Ok(None) };
            let procedure = self.procedure_shared(&row.col::<String>("procedure_code")).await?;
            return dossier_from_row_named(&row, procedure.map(|p| p.name.clone()).unwrap_or_default()).map(Some);
        }
        with_db!(self, |writer, reader| {
            let sql = format!(
                "SELECT d.*, p.name AS procedure_name FROM dossiers d JOIN procedures p ON p.code = d.procedure_code
                 WHERE d.id = ({BY_ID_OR_CODE})"
            );
            let r = sqlx::query(&sql).bind(reference).bind(reference).fetch_optional(reader).await?;
            r.as_ref().map(dossier_from_row).transpose()
        })
    }

    /// The dossiers an account owns, newest first.
    pub async fn dossiers_of_owner(&self, owner_id: i64, limit: i64) -> Result<Vec<Dossier>> {
        with_db!(self, |writer, reader| {
            let rows = sqlx::query("SELECT d.*, p.name AS procedure_name FROM dossiers d JOIN procedures p ON p.code = d.procedure_code WHERE d.owner_id = $1 ORDER BY d.created_at DESC LIMIT $2")
                .bind(owner_id)
                .bind(limit.clamp(1, 500))
                .fetch_all(reader)
                .await?;
            rows.iter().map(dossier_from_row).collect()
        })
    }

    /// A citizen claims a dossier a desk official submitted for them (assisted submission):
    /// the dossier with code `code`, submitted at the desk, not yet claimed, whose applicant's
    /// ID number is `id_number`, becomes `citizen`'s, in one transaction with its history entry
    /// (action `claim`, by the citizen, at `at`; the status and step do not change). Claiming a
    /// dossier the citizen already holds changes nothing. Returns the dossier's id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown code, a wrong ID number or a dossier not
    /// submitted at the desk (the same answer, so that neither can be probed);
    /// [`StoreError::Conflict`] when another account claimed it.
    pub async fn claim_dossier(
        &self,
        code: &str,
        id_number: &str,
        citizen: &User,
        at: DateTime<Utc>,
    ) -> Result<String> {
        if crate::has_nul(code) || crate::has_nul(id_number) {
            return Err(StoreError::NotFound);
        }
        with_db!(self, |writer, reader| {
            let mut tx = writer.begin().await?;
            let row: Option<(String, i64, Option<i64>, String, String)> = sqlx::query_as(
                "SELECT id, owner_id, submitted_by, applicant_id_number, status FROM dossiers WHERE code = $1",
            )
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((id, owner, submitted_by, applicant_id, status)) = row else { return Err(StoreError::NotFound) };
            if submitted_by.is_none() || applicant_id != id_number {
                return Err(StoreError::NotFound);
            }
            if owner == citizen.id {
                return Ok(id);
            }
            if Some(owner) != submitted_by {
                return Err(StoreError::Conflict("claimed by another account".into()));
            }
            // Only while still unclaimed: of two claims at once, one wins.
            let claimed = sqlx::query(
                "UPDATE dossiers SET owner_id = $1, version = version + 1, updated_at = $2
                 WHERE id = $3 AND owner_id = submitted_by",
            )
            .bind(citizen.id)
            .bind(at)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() != 1 {
                return Err(StoreError::Conflict("claimed by another account".into()));
            }
            let status = Status::parse(&status).unwrap_or(Status::Submitted);
            let detail = serde_json::to_string(&serde_json::json!({ "claimed_by": citizen.username }))?;
            insert_history!(
                tx,
                &id,
                at,
                "claim",
                Some(status),
                status,
                citizen,
                None::<&str>,
                (None, None),
                Some(detail)
            )?;
            crate::idempotency::mark_applied!(tx, &id)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// A page of an agency's queue (see [`QueueFilter`]), and how many match in all.
    pub async fn agency_queue(&self, agency_code: &str, f: &QueueFilter) -> Result<QueuePage> {
        with_db!(self, |writer, reader| {
            let (cond, text, times, assignee) = queue_where(agency_code, f);
            let order = match f.sort {
                QueueSort::Due => "d.due_at, d.code",
                QueueSort::Submitted => "d.submitted_at, d.code",
                QueueSort::Updated => "d.updated_at DESC, d.code",
            };
            let sql = crate::numbered(&format!(
                "SELECT d.*, p.name AS procedure_name FROM dossiers d JOIN procedures p ON p.code = d.procedure_code
                 WHERE {cond} ORDER BY {order} LIMIT ? OFFSET ?"
            ));
            let mut q = sqlx::query(&sql).persistent(false);
            for t in &text {
                q = q.bind(t);
            }
            for t in &times {
                q = q.bind(t);
            }
            if let Some(a) = assignee {
                q = q.bind(a);
            }
            let limit = if f.limit <= 0 { 200 } else { f.limit.min(1000) };
            let rows = q.bind(limit).bind(f.offset.max(0)).fetch_all(reader).await?;
            let items = rows.iter().map(dossier_from_row).collect::<Result<Vec<_>>>()?;
            // Counting is needed only when the page may not hold them all.
            let total = if let Some(n) = f.known_total {
                n
            } else if (items.len() as i64) < limit && f.offset == 0 {
                items.len() as i64
            } else {
                let sql = crate::numbered(&format!("SELECT COUNT(*) FROM dossiers d WHERE {cond}"));
                let mut q = sqlx::query_scalar::<_, i64>(&sql).persistent(false);
                for t in &text {
                    q = q.bind(t);
                }
                for t in &times {
                    q = q.bind(t);
                }
                if let Some(a) = assignee {
                    q = q.bind(a);
                }
                q.fetch_one(reader).await?
            };
            Ok(QueuePage { items, total })
        })
    }

    /// The desk's counts for an agency: dossiers in progress at its steps per status, ended
    /// ones it received per status, and of those received and in processing, how many are
    /// overdue at `now` and due before `soon`.
    pub async fn desk_counts(&self, agency_code: &str, now: DateTime<Utc>, soon: DateTime<Utc>) -> Result<DeskCounts> {
        with_db!(self, |writer, reader| {
            let rows: Vec<(String, i64)> = sqlx::query_as(
                "SELECT status, COUNT(*) FROM dossiers WHERE step_agency_code = $1
                   AND status IN ('submitted', 'received', 'supplement_requested', 'approved') GROUP BY status
                 UNION ALL
                 SELECT status, COUNT(*) FROM dossiers WHERE agency_code = $2
                   AND status IN ('refused', 'returned', 'withdrawn') GROUP BY status",
            )
            .bind(agency_code)
            .bind(agency_code)
            .fetch_all(reader)
            .await?;
            let (overdue, due_soon): (i64, i64) = sqlx::query_as(
                "SELECT COALESCE(SUM(CASE WHEN due_at < $1 THEN 1 ELSE 0 END), 0),
                        COALESCE(SUM(CASE WHEN due_at >= $2 THEN 1 ELSE 0 END), 0)
                 FROM dossiers WHERE step_agency_code = $3 AND status = 'received' AND due_at < $4",
            )
            .bind(now)
            .bind(now)
            .bind(agency_code)
            .bind(soon)
            .fetch_one(reader)
            .await?;
            Ok(DeskCounts {
                by_status: rows.into_iter().filter_map(|(s, n)| Status::parse(&s).map(|s| (s, n))).collect(),
                overdue,
                due_soon,
            })
        })
    }

    /// A dossier's history, oldest first.
    pub async fn dossier_history(&self, dossier_id: &str) -> Result<Vec<HistoryEntry>> {
        with_db!(self, |writer, reader| {
            let rows = sqlx::query("SELECT * FROM dossier_history WHERE dossier_id = $1 ORDER BY id")
                .bind(dossier_id)
                .fetch_all(reader)
                .await?;
            Ok(rows.iter().map(history_from_row).collect())
        })
    }

    /// A dossier's clock pauses, oldest first.
    pub async fn dossier_pauses(&self, dossier_id: &str) -> Result<Vec<ClockPause>> {
        with_db!(self, |writer, reader| {
            let rows =
                sqlx::query("SELECT reason, from_at, until_at FROM dossier_pauses WHERE dossier_id = $1 ORDER BY id")
                    .bind(dossier_id)
                    .fetch_all(reader)
                    .await?;
            Ok(rows
                .iter()
                .map(|r| ClockPause {
                    from: r.col("from_at"),
                    until: r.col("until_at"),
                    reason: match r.col::<String>("reason").as_str() {
                        "supplement" => PauseReason::SupplementRequest,
                        "payment" => PauseReason::AwaitingPayment,
                        "suspension" => PauseReason::Suspension,
                        _ => PauseReason::Unspecified,
                    },
                })
                .collect())
        })
    }

    /// Applies a state change in one transaction: the dossier row (if still at
    /// `expected_version`), its code when issued, its pauses and its history entry.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the dossier changed since it was read (lost race).
    pub async fn apply_change(&self, dossier: &Dossier, c: &Change<'_>) -> Result<Dossier> {
        Ok(self.apply_change_returning(dossier, c).await?.0)
    }

    /// Applies a state change as [`Store::apply_change`] does, and returns the dossier and
    /// the history entry as the transaction wrote them, without reading them back.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the dossier changed since it was read (lost race).
    pub async fn apply_change_returning(&self, dossier: &Dossier, c: &Change<'_>) -> Result<(Dossier, HistoryEntry)> {
        if let crate::Db::Postgres(pool) = &self.db {
            return apply_change_pg(pool, dossier, c)
                .await?
                .ok_or_else(|| StoreError::Conflict("the dossier changed meanwhile".into()));
        }
        let (d, mut entries) = self.apply_changes_returning(dossier, std::slice::from_ref(c)).await?;
        let entry = entries.pop().ok_or_else(|| StoreError::Conflict("no change applied".into()))?;
        Ok((d, entry))
    }

    /// Applies several changes of one dossier in one transaction, in order, each with its
    /// history entry (an assisted submission is submitted and received at once): all or none.
    /// Each change names the version it expects, which is the one the change before it left
    /// (the first: the version read; then one more for each change).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the dossier changed since it was read (lost race);
    /// nothing is changed then.
    pub async fn apply_changes_returning(
        &self,
        dossier: &Dossier,
        changes: &[Change<'_>],
    ) -> Result<(Dossier, Vec<HistoryEntry>)> {
        let postgres = self.backend() == crate::Backend::Postgres;
        with_db!(self, |writer, reader| {
            let mut tx = writer.begin().await?;
            if postgres {
                // The dossier's row before the day's counter, in the order of the one-statement
                // change (`apply_change_pg`): two changes of one dossier may wait on each other
                // but never deadlock. (SQLite has one writer: nothing to order.)
                sqlx::query("SELECT 1 FROM dossiers WHERE id = $1 FOR NO KEY UPDATE")
                    .bind(&dossier.id)
                    .execute(&mut *tx)
                    .await?;
            }
            let mut current = dossier.clone();
            let mut entries = Vec::with_capacity(changes.len());
            for c in changes {
                let dossier = &current;
                let mut code = dossier.code.clone();
                if c.issue_code && code.is_none() {
                    let day = c.at.with_timezone(&vietnam()).date_naive();
                    let last: i64 = sqlx::query_scalar(
                        "INSERT INTO dossier_counters (agency_code, day, last) VALUES ($1, $2, 1)
                         ON CONFLICT(agency_code, day) DO UPDATE SET last = dossier_counters.last + 1 RETURNING last",
                    )
                    .bind(&dossier.agency_code)
                    .bind(day.format("%y%m%d").to_string())
                    .fetch_one(&mut *tx)
                    .await?;
                    code = Some(DossierCode::new(&dossier.agency_code, day, last.unsigned_abs()).to_string());
                }
                let updated = bind_change!(
                    sqlx::query(concat!(
                        "UPDATE dossiers SET code = $2, ",
                        change_set_sql!(),
                        " WHERE id = $16 AND version = $17
                     RETURNING *, (SELECT name FROM procedures WHERE code = $24) AS procedure_name",
                    )),
                    dossier,
                    c,
                    &code
                )
                .fetch_optional(&mut *tx)
                .await?;
                let Some(updated) = updated else {
                    return Err(StoreError::Conflict("the dossier changed meanwhile".into()));
                };
                if c.close_pause {
                    sqlx::query("UPDATE dossier_pauses SET until_at = $1 WHERE dossier_id = $2 AND until_at IS NULL")
                        .bind(c.at)
                        .bind(&dossier.id)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(reason) = c.open_pause {
                    sqlx::query("INSERT INTO dossier_pauses (dossier_id, reason, from_at) VALUES ($1, $2, $3)")
                        .bind(&dossier.id)
                        .bind(reason)
                        .bind(c.at)
                        .execute(&mut *tx)
                        .await?;
                }
                let detail = c.detail.as_ref().map(serde_json::to_string).transpose()?;
                let steps = (dossier.step.as_deref(), c.step);
                let entry = insert_history!(
                    tx,
                    &dossier.id,
                    c.at,
                    c.action.as_str(),
                    Some(c.from),
                    c.to,
                    c.actor,
                    c.reason,
                    steps,
                    detail
                )?;
                entries.push(entry);
                current = dossier_from_row(&updated)?;
            }
            crate::idempotency::mark_applied!(tx, &current.id)?;
            tx.commit().await?;
            Ok((current, entries))
        })
    }
}

/// Inserts a history entry within the transaction `$tx` and returns it as stored (a macro, so
/// that it runs on either backend's transaction type).
macro_rules! insert_history {
    ($tx:expr, $dossier_id:expr, $at:expr, $action:expr, $from:expr, $to:expr, $actor:expr, $reason:expr, $steps:expr, $detail:expr) => {{
        let (from, to, actor): (Option<Status>, Status, &User) = ($from, $to, $actor);
        let (from_step, to_step): (Option<&str>, Option<&str>) = $steps;
        sqlx::query(
            "INSERT INTO dossier_history (dossier_id, at, action, from_status, to_status, actor_id, actor_name, actor_role, reason,
               from_step, to_step, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *",
        )
        .bind($dossier_id)
        .bind($at)
        .bind($action)
        .bind(from.map(Status::as_str))
        .bind(to.as_str())
        .bind(actor.id)
        .bind(&actor.full_name)
        .bind(actor.role.as_str())
        .bind($reason)
        .bind(from_step)
        .bind(to_step)
        .bind($detail)
        .fetch_one(&mut *$tx)
        .await
        .map(|r| history_from_row(&r))
    }};
}
use insert_history;

#[cfg(test)]
mod tests {
    use super::*;

    /// The PostgreSQL read stays three index lookups (the dossier by id or by code, its
    /// history and its documents by dossier) in the plan a connection keeps for its prepared
    /// statement, even when that plan was made on an empty database: the generic plan,
    /// forced, on a freshly migrated one. A sequential scan there would be kept as the tables
    /// grow. Runs on PostgreSQL only (`MOTCUA_TEST_DATABASE_URL`); SQLite has its own
    /// statement.
    #[tokio::test]
    async fn the_postgres_read_plans_index_lookups_on_an_empty_database() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&crate::scratch::config_for_tests(dir.path()).await).await.unwrap();
        let crate::Db::Postgres(pool) = &store.db else { return };
        let mut conn = pool.acquire().await.unwrap();
        sqlx::raw_sql("SET plan_cache_mode = force_generic_plan").execute(&mut *conn).await.unwrap();
        for (name, by_id) in [("by_id", true), ("by_code", false)] {
            sqlx::raw_sql(&format!("PREPARE {name}(text) AS {}", record_sql_pg(by_id)))
                .execute(&mut *conn)
                .await
                .unwrap();
            let plan: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN (COSTS OFF) EXECUTE {name}('x')"))
                .fetch_all(&mut *conn)
                .await
                .unwrap();
            let plan = plan.join("\n");
            let key = if by_id { "dossiers_pkey" } else { "dossiers_code_key" };
            assert!(plan.contains(&format!("Index Scan using {key} on dossiers")), "{plan}");
            assert!(plan.contains("Index Scan using dossier_history_dossier on dossier_history"), "{plan}");
            assert!(plan.contains("Index Scan using documents_dossier on documents"), "{plan}");
            assert!(!plan.contains("Seq Scan"), "{plan}");
        }
    }

    /// A store with one commune agency, one procedure and one citizen, and `n` drafts of that
    /// citizen to that agency.
    async fn store_with_drafts(dir: &std::path::Path, n: usize) -> (Store, User, Vec<Dossier>) {
        use crate::accounts::{NewUser, Role};
        let store = Store::connect(&crate::scratch::config_for_tests(dir).await).await.unwrap();
        let procedure: motcua_core::catalogue::Procedure = serde_json::from_value(serde_json::json!({
            "code": "2.000815", "name": "Chứng thực", "deciding_act": null, "levels": ["commune"],
            "field": "Chứng thực", "applicant_types": [], "competent_agencies": [], "implementing_agencies": [],
            "agency_kinds": ["UBNDX"], "agency_needs_review": false, "channels": [], "same_day_cutoff": null,
            "required_documents": [], "legal_basis": [], "results": [], "online_level": "partial", "steps": null,
            "conditions": null, "source_url": null
        }))
        .unwrap();
        store.upsert_procedures(&[(procedure, vec![])]).await.unwrap();
        let units = motcua_core::admin_units::parse(include_str!("../../../data/admin-units/vn-units-2026-07-25.json"))
            .unwrap();
        let agencies = motcua_core::agency::build_agencies(&units[..1]);
        store.load_units_and_agencies(&units[..1], &agencies).await.unwrap();
        let user = store
            .create_user(&NewUser {
                username: "dan",
                full_name: "Dân",
                phone: None,
                email: None,
                password: "mat-khau-dai",
                role: Role::Citizen,
                agency_code: None,
            })
            .await
            .unwrap();
        let mut drafts = Vec::new();
        for _ in 0..n {
            let new = NewDossier {
                procedure_code: "2.000815".into(),
                agency_code: agencies[1].code.clone(),
                owner_id: user.id,
                applicant: Applicant {
                    full_name: "A".into(),
                    id_number: "001190012345".into(),
                    phone: "0912345678".into(),
                    address: "x".into(),
                },
                delivery: "online".into(),
                form: serde_json::json!({}),
                time_value: Some(1.0),
                time_unit: None,
                time_flagged: false,
                same_day_cutoff: None,
                channel: "online".into(),
                submitted_by: None,
            };
            drafts.push(store.create_dossier(&new, &user).await.unwrap());
        }
        (store, user, drafts)
    }

    /// The submission of `d` by `user` at `at`: a code issued, the status submitted.
    fn submission<'a>(d: &'a Dossier, user: &'a User, at: DateTime<Utc>) -> Change<'a> {
        let mut c = Change::keeping(d, Action::Submit, user, at);
        c.to = Status::Submitted;
        c.issue_code = true;
        c
    }

    /// Codes past the 9,999th of a day keep every digit (`{seq:04}` pads, never cuts), on
    /// either backend: PostgreSQL writes the code in the statement that takes the number
    /// (`CODE_SEQ_SQL`), SQLite's path formats it with `DossierCode`. The expected codes are
    /// written out by hand from the agency, the date in Vietnam (UTC+7) and the number.
    #[tokio::test]
    async fn the_day_s_codes_keep_every_digit_past_the_ten_thousandth() {
        let dir = tempfile::tempdir().unwrap();
        let (store, user, drafts) = store_with_drafts(dir.path(), 3).await;
        // 20:30 UTC is already the next day in Vietnam.
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-30T20:30:00Z").unwrap().with_timezone(&Utc);
        let agency = drafts[0].agency_code.clone();
        with_db!(store, |w, _r| sqlx::query(
            "INSERT INTO dossier_counters (agency_code, day, last) VALUES ($1, $2, 9998)"
        )
        .bind(&agency)
        .bind("261201")
        .execute(w)
        .await
        .map(|_| ())
        .unwrap());
        let mut codes = Vec::new();
        for d in &drafts {
            let (after, entry) = store.apply_change_returning(d, &submission(d, &user, at)).await.unwrap();
            assert_eq!(
                (after.status, after.version, entry.status.as_str()),
                (Status::Submitted, d.version + 1, "submitted")
            );
            codes.push(after.code.unwrap());
        }
        let expected: Vec<String> = ["9999", "10000", "10001"].iter().map(|n| format!("{agency}-261201-{n}")).collect();
        assert_eq!(codes, expected);
        // Each parses back to its agency, day and number.
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(DossierCode::parse(&codes[1]), Some((agency, day, 10_000)));
    }

    /// Twelve submissions of one draft at once, all at the version read: one wins, eleven
    /// are told of the conflict, and the losers take no number: the next dossier's code is
    /// the winner's plus one. The draft has one submission in its history. On PostgreSQL the
    /// race is made sure of: a transaction holds the draft's row until all twelve wait on it
    /// (`pg_stat_activity`), then lets go; otherwise the first could commit before the others
    /// had even connected.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lost_race_takes_no_number_of_the_day() {
        const RACERS: usize = 12;
        let dir = tempfile::tempdir().unwrap();
        let (store, user, drafts) = store_with_drafts(dir.path(), 2).await;
        let at = crate::now();
        let holder = match &store.db {
            crate::Db::Postgres(pool) => {
                let mut tx = pool.begin().await.unwrap();
                sqlx::query("SELECT 1 FROM dossiers WHERE id = $1 FOR UPDATE")
                    .bind(&drafts[0].id)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                Some((pool.clone(), tx))
            }
            crate::Db::Sqlite { .. } => None,
        };
        let mut racers = tokio::task::JoinSet::new();
        for _ in 0..RACERS {
            let (store, user, d) = (store.clone(), user.clone(), drafts[0].clone());
            racers
                .spawn(async move { store.apply_change_returning(&d, &submission(&d, &user, at)).await.map(|r| r.0) });
        }
        if let Some((pool, tx)) = holder {
            let waiting = || async {
                sqlx::query_scalar::<_, i64>(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                )
                .fetch_one(&pool)
                .await
                .unwrap()
            };
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            while waiting().await < i64::try_from(RACERS).unwrap() {
                assert!(std::time::Instant::now() < deadline, "the racers never all waited on the row");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            tx.rollback().await.unwrap();
        }
        let (mut won, mut lost) = (Vec::new(), 0);
        while let Some(r) = racers.join_next().await {
            match r.unwrap() {
                Ok(d) => won.push(d),
                Err(StoreError::Conflict(_)) => lost += 1,
                Err(e) => panic!("neither won nor a conflict: {e}"),
            }
        }
        assert_eq!((won.len(), lost), (1, RACERS - 1));
        let number = |code: &str| code.rsplit('-').next().unwrap().parse::<u32>().unwrap();
        let first = number(won[0].code.as_deref().unwrap());
        let next = store.apply_change_returning(&drafts[1], &submission(&drafts[1], &user, at)).await.unwrap().0;
        assert_eq!(number(next.code.as_deref().unwrap()), first + 1, "no number was lost to the race");
        let history = store.dossier_history(&drafts[0].id).await.unwrap();
        assert_eq!(history.iter().filter(|h| h.action == "submit").count(), 1);
        // A change at the version the winner left succeeds: the loser's reading was stale, not
        // the row locked.
        let mut withdraw = Change::keeping(&won[0], Action::Withdraw, &user, crate::now());
        withdraw.to = Status::Withdrawn;
        assert_eq!(store.apply_change(&won[0], &withdraw).await.unwrap().version, won[0].version + 1);
    }
}
