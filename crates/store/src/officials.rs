//! Officials' duties in agencies (issue 5, item 3): the roles of the processing routes
//! (receiving desk, specialist, leader, agency administrator) an official holds, per agency.
//! An official with no duty recorded holds every duty of the agency on their account, as in a
//! small commune where one person does everything.

use crate::accounts::{user_from_row, Role as AccountRole, User};
use crate::{with_db, Col, Result, Store, StoreError};
use motcua_core::route::Role;
use serde::Serialize;

/// The duties an official holds, by agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duties {
    /// `(agency code, role)`, as recorded; empty when none is.
    pub recorded: Vec<(String, Role)>,
    /// The agency on the account (for an official with nothing recorded).
    pub home_agency: Option<String>,
}

impl Duties {
    /// True when the official performs `role` in `agency`: as recorded, or, with nothing
    /// recorded, every role of their own agency.
    pub fn holds(&self, agency: &str, role: Role) -> bool {
        if self.recorded.is_empty() {
            self.home_agency.as_deref() == Some(agency)
        } else {
            self.recorded.iter().any(|(a, r)| a == agency && *r == role)
        }
    }

    /// True when the official has any duty in `agency`.
    pub fn serves(&self, agency: &str) -> bool {
        Role::ALL.into_iter().any(|r| self.holds(agency, r))
    }

    /// The roles held in `agency`.
    pub fn roles_in(&self, agency: &str) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| self.holds(agency, *r)).collect()
    }
}

/// An official of an agency with their duties there.
#[derive(Debug, Clone, Serialize)]
pub struct OfficialDuties {
    pub user: User,
    pub roles: Vec<Role>,
    /// False when nothing is recorded (every duty of the home agency).
    pub recorded: bool,
}

impl Store {
    /// The duties of `user` (none for citizens and administrators).
    pub async fn duties(&self, user: &User) -> Result<Duties> {
        if user.role != AccountRole::Official {
            return Ok(Duties { recorded: vec![], home_agency: None });
        }
        with_db!(self, |writer, reader| {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT agency_code, role FROM official_roles WHERE user_id = $1 ORDER BY agency_code, role",
            )
            .bind(user.id)
            .fetch_all(reader)
            .await?;
            Ok(Duties {
                recorded: rows.into_iter().filter_map(|(a, r)| Role::parse(&r).map(|r| (a, r))).collect(),
                home_agency: user.agency_code.clone(),
            })
        })
    }

    /// Records the duties of the official `user_id` in `agency_code` (replacing those there);
    /// an empty list removes them.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the account is not an official's or the agency is unknown.
    pub async fn set_duties(&self, user_id: i64, agency_code: &str, roles: &[Role]) -> Result<()> {
        let user = self.user(user_id).await?.filter(|u| u.role == AccountRole::Official);
        if user.is_none() || self.agency(agency_code).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        with_db!(self, |writer, reader| {
            let mut tx = writer.begin().await?;
            sqlx::query("DELETE FROM official_roles WHERE user_id = $1 AND agency_code = $2")
                .bind(user_id)
                .bind(agency_code)
                .execute(&mut *tx)
                .await?;
            for r in roles {
                sqlx::query(
                    "INSERT INTO official_roles (user_id, agency_code, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(user_id)
                .bind(agency_code)
                .bind(r.as_str())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The officials serving `agency_code` (their account's agency, or a duty recorded there)
    /// with the roles they hold there, by name.
    pub async fn officials_of(&self, agency_code: &str) -> Result<Vec<OfficialDuties>> {
        let users = with_db!(self, |writer, reader| {
            let rows = sqlx::query(
                "SELECT u.* FROM users u WHERE u.role = 'official'
                   AND (u.agency_code = $1 OR EXISTS (SELECT 1 FROM official_roles o WHERE o.user_id = u.id AND o.agency_code = $2))
                 ORDER BY u.full_name, u.id",
            )
            .bind(agency_code)
            .bind(agency_code)
            .fetch_all(reader)
            .await?;
            Ok::<_, StoreError>(rows.iter().map(user_from_row).collect::<Vec<User>>())
        })?;
        let mut out = Vec::with_capacity(users.len());
        for user in users {
            let duties = self.duties(&user).await?;
            let roles = duties.roles_in(agency_code);
            if !roles.is_empty() {
                out.push(OfficialDuties { recorded: !duties.recorded.is_empty(), roles, user });
            }
        }
        Ok(out)
    }

    /// An account by username.
    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        with_db!(self, |writer, reader| {
            let r = sqlx::query("SELECT * FROM users WHERE username = $1")
                .bind(username.trim())
                .fetch_optional(reader)
                .await?;
            Ok(r.as_ref().map(user_from_row))
        })
    }

    /// Who holds what in `agency_code`: per official, how many of the dossiers in progress at
    /// the agency's steps are assigned to them, by name (the rest are in the role pools).
    pub async fn assignments(&self, agency_code: &str) -> Result<Vec<(i64, String, i64)>> {
        with_db!(self, |writer, reader| {
            let rows = sqlx::query(
                "SELECT d.assignee_id, u.full_name, COUNT(*) AS n FROM dossiers d JOIN users u ON u.id = d.assignee_id
                 WHERE d.step_agency_code = $1 AND d.assignee_id IS NOT NULL
                   AND d.status IN ('submitted', 'received', 'supplement_requested', 'approved')
                 GROUP BY d.assignee_id, u.full_name ORDER BY u.full_name",
            )
            .bind(agency_code)
            .fetch_all(reader)
            .await?;
            Ok(rows.iter().map(|r| (r.col("assignee_id"), r.col("full_name"), r.col("n"))).collect())
        })
    }
}
