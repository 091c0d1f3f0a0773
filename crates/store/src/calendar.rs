//! Legal-time settings: per-agency working hours and loaded calendar decisions.

use crate::{with_db, Col, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One recorded load of a decisions file.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionLoad {
    pub id: i64,
    /// Years covered, e.g. `[2027]`.
    pub years: Vec<i32>,
    pub loaded_by: String,
    pub loaded_at: DateTime<Utc>,
}

impl Store {
    /// Records a decisions file (already validated by the caller) and who loaded it.
    pub async fn add_calendar_decisions(&self, content: &str, years: &[i32], loaded_by: &str) -> Result<DecisionLoad> {
        with_db!(self, |writer, reader| {
            let years_s = years.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
            let r = sqlx::query(
                "INSERT INTO calendar_decisions (content, years, loaded_by, loaded_at) VALUES ($1, $2, $3, $4) RETURNING id, loaded_at",
            )
            .bind(content)
            .bind(&years_s)
            .bind(loaded_by)
            .bind(crate::now())
            .fetch_one(writer)
            .await?;
            Ok(DecisionLoad {
                id: r.col("id"),
                years: years.to_vec(),
                loaded_by: loaded_by.to_string(),
                loaded_at: r.col("loaded_at"),
            })
        })
    }

    /// Every loaded decisions file's content, oldest first (later loads win when merged).
    pub async fn calendar_decision_contents(&self) -> Result<Vec<String>> {
        with_db!(self, |writer, reader| {
            Ok(sqlx::query_scalar("SELECT content FROM calendar_decisions ORDER BY id").fetch_all(reader).await?)
        })
    }

    /// The record of loads, newest first.
    pub async fn calendar_decision_loads(&self) -> Result<Vec<DecisionLoad>> {
        with_db!(self, |writer, reader| {
            let rows = sqlx::query("SELECT id, years, loaded_by, loaded_at FROM calendar_decisions ORDER BY id DESC")
                .fetch_all(reader)
                .await?;
            Ok(rows
                .iter()
                .map(|r| DecisionLoad {
                    id: r.col("id"),
                    years: r.col::<String>("years").split(',').filter_map(|y| y.parse().ok()).collect(),
                    loaded_by: r.col("loaded_by"),
                    loaded_at: r.col("loaded_at"),
                })
                .collect())
        })
    }

    /// An agency's working hours text (`None`: the default), through the reference cache
    /// (see [`crate::refcache`]).
    pub async fn agency_working_hours(&self, code: &str) -> Result<Option<String>> {
        Ok(self.agency_entry(code).await?.and_then(|a| a.working_hours.clone()))
    }

    /// Sets (or with `None` clears) an agency's working hours, validated by the caller.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown agency.
    pub async fn set_agency_working_hours(&self, code: &str, hours: Option<&str>) -> Result<()> {
        with_db!(self, |writer, reader| {
            let r = sqlx::query("UPDATE agencies SET working_hours = $1 WHERE code = $2")
                .bind(hours)
                .bind(code)
                .execute(writer)
                .await?;
            self.refs.agencies.invalidate(code);
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
    }

    /// An agency's default processing time (value, catalogue unit name such as
    /// `working_days`); `None` parts are unset. Through the reference cache (see
    /// [`crate::refcache`]).
    pub async fn agency_default_time(&self, code: &str) -> Result<(Option<f64>, Option<String>)> {
        Ok(self.agency_entry(code).await?.map_or((None, None), |a| a.default_time.clone()))
    }

    /// Sets an agency's default processing time (validated by the caller).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown agency.
    pub async fn set_agency_default_time(&self, code: &str, value: f64, unit: &str) -> Result<()> {
        with_db!(self, |writer, reader| {
            let r = sqlx::query("UPDATE agencies SET default_time_value = $1, default_time_unit = $2 WHERE code = $3")
                .bind(value)
                .bind(unit)
                .bind(code)
                .execute(writer)
                .await?;
            self.refs.agencies.invalidate(code);
            if r.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
    }
}
