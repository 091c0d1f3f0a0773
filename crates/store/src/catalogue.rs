//! Procedures, administrative units and agencies.

use crate::refcache::AgencyEntry;
use crate::{with_db, Col, Result, Store, StoreError};
use motcua_core::admin_units::Province;
use motcua_core::agency::Agency;
use motcua_core::catalogue::{Level, OnlineLevel, Procedure};
use motcua_core::text::fold;
use serde::Serialize;
use std::sync::Arc;

/// What an import changed.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ImportCounts {
    pub inserted: usize,
    pub updated: usize,
}

/// A procedure as listed in search results.
#[derive(Debug, Clone, Serialize)]
pub struct ProcedureSummary {
    pub code: String,
    pub name: String,
    pub field: Option<String>,
    pub levels: Vec<Level>,
    pub online_level: OnlineLevel,
}

/// Search filters. `q` matches the name (accent- and normal-form-insensitive, every word)
/// or the code (prefix).
#[derive(Debug, Default, Clone)]
pub struct ProcedureQuery {
    pub q: Option<String>,
    pub level: Option<Level>,
    pub field: Option<String>,
    pub online_level: Option<OnlineLevel>,
    pub limit: i64,
    pub offset: i64,
}

fn levels_column(levels: &[Level]) -> String {
    let mut s = String::from(",");
    for l in levels {
        s.push_str(l.as_str());
        s.push(',');
    }
    s
}

fn parse_levels(s: &str) -> Vec<Level> {
    s.split(',').filter_map(Level::parse).collect()
}

/// Most words of a query that are matched, and most characters of a word: bounds the SQL
/// whatever the query (SQLite refuses an expression tree deeper than 1,000, and very long
/// LIKE patterns).
const MAX_WORDS: usize = 16;
const MAX_WORD_CHARS: usize = 64;

/// The folded words of a search query, bounded by [`MAX_WORDS`] and [`MAX_WORD_CHARS`].
fn search_words(q: &str) -> Vec<String> {
    fold(q)
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(|w| w.chars().take(MAX_WORD_CHARS).collect())
        .collect()
}

/// The folded name with a space at each end, so that `% word%` matches a word's start.
fn padded_fold(s: &str) -> String {
    format!(" {} ", fold(s))
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

impl Store {
    /// Inserts or updates procedures by code, in one transaction. An online level that an
    /// administrator set is kept across re-imports.
    ///
    /// # Errors
    /// Database errors; nothing is written then.
    pub async fn upsert_procedures(&self, items: &[(Procedure, Vec<String>)]) -> Result<ImportCounts> {
        with_db!(self, |writer, reader| {
            let mut tx = writer.begin().await?;
            let mut counts = ImportCounts::default();
            let now = crate::now();
            for (p, problems) in items {
                let existing: Option<(String, i64)> =
                    sqlx::query_as("SELECT online_level, online_level_by_admin FROM procedures WHERE code = $1")
                        .bind(&p.code)
                        .fetch_optional(&mut *tx)
                        .await?;
                let mut p = p.clone();
                if let Some((level, 1)) = &existing {
                    p.online_level = OnlineLevel::parse(level).unwrap_or(p.online_level);
                }
                let data = serde_json::to_string(&p)?;
                sqlx::query(
                    "INSERT INTO procedures (code, name, name_folded, field, levels, online_level, agency_needs_review,
                       import_problems, data, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT(code) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded,
                       field = excluded.field, levels = excluded.levels, online_level = excluded.online_level,
                       agency_needs_review = excluded.agency_needs_review, import_problems = excluded.import_problems,
                       data = excluded.data, updated_at = excluded.updated_at",
                )
                .bind(&p.code)
                .bind(&p.name)
                .bind(padded_fold(&p.name))
                .bind(&p.field)
                .bind(levels_column(&p.levels))
                .bind(p.online_level.as_str())
                .bind(p.agency_needs_review)
                .bind(serde_json::to_string(problems)?)
                .bind(data)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM procedure_agency_kinds WHERE procedure_code = $1")
                    .bind(&p.code)
                    .execute(&mut *tx)
                    .await?;
                for k in &p.agency_kinds {
                    sqlx::query("INSERT INTO procedure_agency_kinds (procedure_code, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(&p.code)
                        .bind(k)
                        .execute(&mut *tx)
                        .await?;
                }
                if existing.is_some() {
                    counts.updated += 1;
                } else {
                    counts.inserted += 1;
                }
            }
            tx.commit().await?;
            self.refs.procedures.clear();
            Ok(counts)
        })
    }

    /// Marks a procedure's online level (an administrator's decision, kept across imports).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown code.
    pub async fn set_online_level(&self, code: &str, level: OnlineLevel) -> Result<()> {
        with_db!(self, |writer, reader| {
            // From the database, not the cache: the data written back is the stored one.
            let mut p = self.procedure_uncached(code).await?.ok_or(StoreError::NotFound)?;
            p.online_level = level;
            sqlx::query(
                "UPDATE procedures SET online_level = $1, online_level_by_admin = 1, data = $2 WHERE code = $3",
            )
            .bind(level.as_str())
            .bind(serde_json::to_string(&p)?)
            .bind(code)
            .execute(writer)
            .await?;
            self.refs.procedures.invalidate(code);
            Ok(())
        })
    }

    /// Number of procedures in the catalogue.
    pub async fn procedure_count(&self) -> Result<i64> {
        with_db!(self, |writer, reader| {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM procedures").fetch_one(reader).await?)
        })
    }

    /// One procedure by its national code.
    pub async fn procedure(&self, code: &str) -> Result<Option<Procedure>> {
        Ok(self.procedure_shared(code).await?.map(|p| (*p).clone()))
    }

    /// One procedure by its national code, shared with the reference cache (see
    /// [`crate::refcache`]: up to [`crate::refcache::TTL`] old when another process changed it).
    pub async fn procedure_shared(&self, code: &str) -> Result<Option<Arc<Procedure>>> {
        if crate::has_nul(code) {
            return Ok(None);
        }
        if let Some(p) = self.refs.procedures.get(code) {
            return Ok(Some(p));
        }
        let generation = self.refs.procedures.generation();
        let Some(p) = self.procedure_uncached(code).await? else { return Ok(None) };
        let p = Arc::new(p);
        self.refs.procedures.insert(code, Arc::clone(&p), generation);
        Ok(Some(p))
    }

    async fn procedure_uncached(&self, code: &str) -> Result<Option<Procedure>> {
        with_db!(self, |writer, reader| {
            let data: Option<String> = sqlx::query_scalar("SELECT data FROM procedures WHERE code = $1")
                .bind(code)
                .fetch_optional(reader)
                .await?;
            Ok(data.map(|d| serde_json::from_str(&d)).transpose()?)
        })
    }

    /// Searches the catalogue; returns one page and the total count.
    pub async fn search_procedures(&self, q: &ProcedureQuery) -> Result<(Vec<ProcedureSummary>, i64)> {
        with_db!(self, |writer, reader| {
            let mut sql = String::from(" FROM procedures WHERE 1=1");
            let mut binds: Vec<String> = Vec::new();
            let words = search_words(q.q.as_deref().unwrap_or_default());
            let folded = words.join(" ");
            if !words.is_empty() {
                // Every word in the name, or the whole query as a code prefix.
                sql.push_str(" AND ((");
                for (i, w) in words.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(" AND ");
                    }
                    sql.push_str("name_folded LIKE ? ESCAPE '\\'");
                    binds.push(format!("% {}%", like_escape(w)));
                }
                sql.push_str(") OR code LIKE ? ESCAPE '\\')");
                binds.push(format!("{}%", like_escape(&folded)));
            }
            if let Some(l) = q.level {
                sql.push_str(" AND levels LIKE ?");
                binds.push(format!("%,{},%", l.as_str()));
            }
            if let Some(f) = &q.field {
                sql.push_str(" AND field = ?");
                binds.push(f.clone());
            }
            if let Some(o) = q.online_level {
                sql.push_str(" AND online_level = ?");
                binds.push(o.as_str().to_string());
            }
            let count_sql = crate::numbered(&format!("SELECT COUNT(*){sql}"));
            let mut count = sqlx::query_scalar::<_, i64>(&count_sql).persistent(false);
            for b in &binds {
                count = count.bind(b);
            }
            let total = count.fetch_one(reader).await?;
            // Exact code first, then names holding the words as one phrase (those starting with
            // it first), then the shortest names.
            let order = " ORDER BY (code = ?) DESC, (name_folded LIKE ? ESCAPE '\\') DESC, \
                         (name_folded LIKE ? ESCAPE '\\') DESC, length(name), name LIMIT ? OFFSET ?";
            let page_sql = crate::numbered(&format!("SELECT code, name, field, levels, online_level{sql}{order}"));
            let mut page = sqlx::query(&page_sql).persistent(false);
            for b in &binds {
                page = page.bind(b);
            }
            let rows = page
                .bind(&folded)
                .bind(format!("% {}%", like_escape(&folded)))
                .bind(format!(" {}%", like_escape(&folded)))
                .bind(q.limit.clamp(1, 200))
                .bind(q.offset.max(0))
                .fetch_all(reader)
                .await?;
            let items = rows
                .into_iter()
                .map(|r| ProcedureSummary {
                    code: r.col("code"),
                    name: r.col("name"),
                    field: r.col("field"),
                    levels: parse_levels(&r.col::<String>("levels")),
                    online_level: OnlineLevel::parse(&r.col::<String>("online_level")).unwrap_or(OnlineLevel::Offline),
                })
                .collect();
            Ok((items, total))
        })
    }

    /// Replaces the administrative units and upserts the agencies built from them.
    ///
    /// # Errors
    /// Database errors; nothing is written then.
    pub async fn load_units_and_agencies(&self, provinces: &[Province], agencies: &[Agency]) -> Result<()> {
        with_db!(self, |writer, reader| {
            let mut tx = writer.begin().await?;
            for p in provinces {
                sqlx::query(
                    "INSERT INTO provinces (code, name, name_en, full_name, full_name_en) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT(code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
                       full_name = excluded.full_name, full_name_en = excluded.full_name_en",
                )
                .bind(&p.code)
                .bind(&p.name)
                .bind(&p.name_en)
                .bind(&p.full_name)
                .bind(&p.full_name_en)
                .execute(&mut *tx)
                .await?;
                for c in &p.communes {
                    sqlx::query(
                        "INSERT INTO communes (code, province_code, name, name_en, full_name, full_name_en)
                         VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT(code) DO UPDATE SET province_code = excluded.province_code, name = excluded.name,
                           name_en = excluded.name_en, full_name = excluded.full_name, full_name_en = excluded.full_name_en",
                    )
                    .bind(&c.code)
                    .bind(&p.code)
                    .bind(&c.name)
                    .bind(&c.name_en)
                    .bind(&c.full_name)
                    .bind(&c.full_name_en)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            for a in agencies {
                sqlx::query(
                    "INSERT INTO agencies (code, name, name_en, name_folded, kind, level, parent_code, province_code, commune_code)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT(code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en,
                       name_folded = excluded.name_folded, kind = excluded.kind, level = excluded.level,
                       parent_code = excluded.parent_code, province_code = excluded.province_code,
                       commune_code = excluded.commune_code",
                )
                .bind(&a.code)
                .bind(&a.name)
                .bind(&a.name_en)
                .bind(fold(&a.name))
                .bind(&a.kind)
                .bind(a.level.as_str())
                .bind(&a.parent_code)
                .bind(&a.province_code)
                .bind(&a.commune_code)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            self.refs.agencies.clear();
            Ok(())
        })
    }

    /// Number of agencies.
    pub async fn agency_count(&self) -> Result<i64> {
        with_db!(self, |writer, reader| {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM agencies").fetch_one(reader).await?)
        })
    }

    /// One agency by code.
    pub async fn agency(&self, code: &str) -> Result<Option<Agency>> {
        Ok(self.agency_entry(code).await?.map(|a| a.agency.clone()))
    }

    /// An agency with its settings, through the reference cache (see [`crate::refcache`]).
    pub(crate) async fn agency_entry(&self, code: &str) -> Result<Option<Arc<AgencyEntry>>> {
        if crate::has_nul(code) {
            return Ok(None);
        }
        if let Some(a) = self.refs.agencies.get(code) {
            return Ok(Some(a));
        }
        let generation = self.refs.agencies.generation();
        let entry = with_db!(self, |writer, reader| {
            let row = sqlx::query("SELECT * FROM agencies WHERE code = $1").bind(code).fetch_optional(reader).await?;
            row.map(|r| AgencyEntry {
                agency: agency_from_row(&r),
                working_hours: r.col("working_hours"),
                default_time: (r.col("default_time_value"), r.col("default_time_unit")),
            })
        });
        let Some(entry) = entry else { return Ok(None) };
        let entry = Arc::new(entry);
        self.refs.agencies.insert(code, Arc::clone(&entry), generation);
        Ok(Some(entry))
    }

    /// Agencies where `procedure_code` can be submitted (of the kinds the procedure names),
    /// optionally filtered by `q` (every word in the folded name) and by province.
    pub async fn agencies_for_procedure(
        &self,
        procedure_code: &str,
        q: Option<&str>,
        province_code: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Agency>> {
        with_db!(self, |writer, reader| {
            let mut sql = String::from(
                "SELECT a.* FROM agencies a JOIN procedure_agency_kinds k ON k.kind = a.kind WHERE k.procedure_code = ?",
            );
            let mut binds = vec![procedure_code.to_string()];
            for w in search_words(q.unwrap_or("")) {
                sql.push_str(" AND a.name_folded LIKE ? ESCAPE '\\'");
                binds.push(format!("%{}%", like_escape(&w)));
            }
            if let Some(p) = province_code {
                sql.push_str(" AND a.province_code = ?");
                binds.push(p.to_string());
            }
            sql.push_str(" ORDER BY a.level, a.name LIMIT ?");
            let sql = crate::numbered(&sql);
            let mut query = sqlx::query(&sql).persistent(false);
            for b in &binds {
                query = query.bind(b);
            }
            let rows = query.bind(limit.clamp(1, 500)).fetch_all(reader).await?;
            Ok(rows.iter().map(agency_from_row).collect())
        })
    }

    /// Agencies whose folded name contains every word of `q`.
    pub async fn search_agencies(&self, q: &str, limit: i64) -> Result<Vec<Agency>> {
        with_db!(self, |writer, reader| {
            let mut sql = String::from("SELECT * FROM agencies WHERE 1=1");
            let words: Vec<String> = search_words(q).iter().map(|w| format!("%{}%", like_escape(w))).collect();
            for _ in &words {
                sql.push_str(" AND name_folded LIKE ? ESCAPE '\\'");
            }
            sql.push_str(" ORDER BY level, name LIMIT ?");
            let sql = crate::numbered(&sql);
            let mut query = sqlx::query(&sql).persistent(false);
            for w in &words {
                query = query.bind(w);
            }
            let rows = query.bind(limit.clamp(1, 500)).fetch_all(reader).await?;
            Ok(rows.iter().map(agency_from_row).collect())
        })
    }

    /// True when `agency_code` is of a kind that receives `procedure_code` (one of the
    /// procedure's agency kinds, as `procedure_agency_kinds` lists them: that table is written
    /// from them in the same transaction).
    pub async fn agency_receives(&self, agency_code: &str, procedure_code: &str) -> Result<bool> {
        let Some(agency) = self.agency_entry(agency_code).await? else { return Ok(false) };
        let Some(procedure) = self.procedure_shared(procedure_code).await? else { return Ok(false) };
        Ok(procedure.agency_kinds.iter().any(|k| *k == agency.agency.kind))
    }
}

fn agency_from_row(r: &impl Col) -> Agency {
    Agency {
        code: r.col("code"),
        name: r.col("name"),
        name_en: r.col("name_en"),
        kind: r.col("kind"),
        level: Level::parse(&r.col::<String>("level")).unwrap_or(Level::Other),
        parent_code: r.col("parent_code"),
        province_code: r.col("province_code"),
        commune_code: r.col("commune_code"),
    }
}
