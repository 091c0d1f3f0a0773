//! Accounts, page sessions and bearer tokens.
//!
//! Passwords are hashed with Argon2id (the `argon2` crate's defaults, RFC 9106 second
//! recommendation). Session and token secrets are 256 random bits; only their SHA-256 is
//! stored, so a copy of the database cannot be replayed as a login.

use crate::{with_db, Col, Result, Store, StoreError};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A role. An official belongs to one agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Citizen,
    Official,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Official => "official",
            Role::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "citizen" => Role::Citizen,
            "official" => Role::Official,
            "admin" => Role::Admin,
            _ => return None,
        })
    }
}

/// An account.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub role: Role,
    pub agency_code: Option<String>,
}

/// A new account; `password` is hashed before storing.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub full_name: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub password: &'a str,
    pub role: Role,
    pub agency_code: Option<&'a str>,
}

/// An authenticated session (cookie) or token (bearer).
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// The longest a page session can be kept alive by "stay signed in": 24 hours from sign-in.
pub const SESSION_MAX_AGE: Duration = Duration::hours(24);

/// How long a process remembers a bearer session it has read: 5 s.
pub const BEARER_MEMORY: std::time::Duration = std::time::Duration::from_secs(5);

/// The per-process memory of bearer sessions: [`BEARER_MEMORY`], at most 100,000 tokens.
pub(crate) fn bearer_cache() -> moka::sync::Cache<String, Session> {
    moka::sync::Cache::builder().time_to_live(BEARER_MEMORY).max_capacity(100_000).build()
}

/// Whether a secret is a page session cookie or an API bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Cookie,
    Bearer,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Cookie => "cookie",
            SessionKind::Bearer => "bearer",
        }
    }
}

/// 256 random bits, URL-safe hex.
pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with Argon2id and a random salt (PHC string).
///
/// # Errors
/// [`StoreError::Hash`] if hashing fails (it does not for valid parameters).
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Hash(e.to_string()))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of a random password, verified against when the account does not exist, so that
/// a wrong username takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password(&random_secret()).unwrap_or_default())
}

pub(crate) fn user_from_row(r: &impl Col) -> User {
    User {
        id: r.col("id"),
        username: r.col("username"),
        full_name: r.col("full_name"),
        phone: r.col("phone"),
        email: r.col("email"),
        role: Role::parse(&r.col::<String>("role")).unwrap_or(Role::Citizen),
        agency_code: r.col("agency_code"),
    }
}

impl Store {
    /// Creates an account.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] naming the field (`username`, `phone`, `email`) when taken.
    pub async fn create_user(&self, u: &NewUser<'_>) -> Result<User> {
        with_db!(self, |writer, reader| {
            let hash = hash_password(u.password)?;
            let res = sqlx::query(
                "INSERT INTO users (username, full_name, phone, email, password_hash, role, agency_code, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
            )
            .bind(u.username)
            .bind(u.full_name)
            .bind(u.phone)
            .bind(u.email)
            .bind(hash)
            .bind(u.role.as_str())
            .bind(u.agency_code)
            .bind(crate::now())
            .fetch_one(writer)
            .await;
            match res {
                Ok(r) => Ok(user_from_row(&r)),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    let msg = e.message();
                    // SQLite names the column ("users.phone"), PostgreSQL the constraint ("users_phone_key").
                    let constraint = e.constraint().unwrap_or_default();
                    let field = ["username", "phone", "email"]
                        .into_iter()
                        .find(|f| msg.contains(&format!("users.{f}")) || constraint == format!("users_{f}_key"));
                    Err(StoreError::Conflict(field.unwrap_or("username").to_string()))
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    /// Number of accounts.
    pub async fn user_count(&self) -> Result<i64> {
        with_db!(self, |writer, reader| {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(reader).await?)
        })
    }

    /// One account by id.
    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        with_db!(self, |writer, reader| {
            let r = sqlx::query("SELECT * FROM users WHERE id = $1").bind(id).fetch_optional(reader).await?;
            Ok(r.as_ref().map(user_from_row))
        })
    }

    /// The account a sign-in name designates, with its password hash: `login` is a
    /// username, a phone number or an email, already normalised by the caller (lower-case;
    /// a phone as `0…`). A username match wins over a phone or email match.
    pub async fn find_login(&self, login: &str, phone: Option<&str>) -> Result<Option<(User, String)>> {
        if crate::has_nul(login) || phone.is_some_and(crate::has_nul) {
            return Ok(None);
        }
        with_db!(self, |writer, reader| {
            let login = login.trim().to_lowercase();
            let r = sqlx::query(
                "SELECT * FROM users WHERE username = $1 OR phone = $2 OR email = $3 ORDER BY (username = $4) DESC LIMIT 1",
            )
            .bind(&login)
            .bind(phone.unwrap_or(&login))
            .bind(&login)
            .bind(&login)
            .fetch_optional(reader)
            .await?;
            Ok(r.map(|r| (user_from_row(&r), r.col::<String>("password_hash"))))
        })
    }

    /// Verifies `password` against an Argon2 `hash` (`None`: against a dummy hash, so an
    /// unknown account takes as long as a wrong password). Runs off the async threads.
    pub async fn check_password(&self, hash: Option<String>, password: &str) -> bool {
        let real = hash.is_some();
        let hash = hash.unwrap_or_else(|| dummy_hash().to_string());
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.unwrap_or(false);
        ok && real
    }

    /// Starts a session or issues a token for `user_id`, valid for `ttl`. Returns the secret
    /// (given to the client once; only its hash is kept).
    pub async fn create_session(&self, user_id: i64, kind: SessionKind, ttl: Duration) -> Result<String> {
        with_db!(self, |writer, reader| {
            let secret = random_secret();
            let now = crate::now();
            sqlx::query(
                "INSERT INTO sessions (secret_hash, kind, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(secret_hash(&secret))
            .bind(kind.as_str())
            .bind(user_id)
            .bind(random_secret())
            .bind(now)
            .bind(now + ttl)
            .execute(writer)
            .await?;
            // Housekeeping: sessions ended more than a day ago go (cheap, indexed). Ended ones
            // are kept that long so a form posted after its session ended is known to be
            // its account's ([`Store::ended_session_owner`]).
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(now - Duration::days(1))
                .execute(writer)
                .await?;
            Ok(secret)
        })
    }

    /// The live session or token for `secret` of `kind`; `None` when unknown or expired.
    ///
    /// A bearer token found is remembered for [`BEARER_MEMORY`] by this process (an API
    /// request then costs one statement fewer): a token deleted or an account changed by
    /// another process is seen within that time; by this one, at once.
    pub async fn session(&self, secret: &str, kind: SessionKind) -> Result<Option<Session>> {
        let hash = secret_hash(secret);
        if kind == SessionKind::Bearer {
            if let Some(s) = self.bearer.get(&hash) {
                if s.expires_at > crate::now() {
                    return Ok(Some(s));
                }
                self.bearer.invalidate(&hash);
                return Ok(None);
            }
        }
        let found = with_db!(self, |writer, reader| {
            let r = sqlx::query(
                "SELECT u.*, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.secret_hash = $1 AND s.kind = $2 AND s.expires_at > $3",
            )
            .bind(&hash)
            .bind(kind.as_str())
            .bind(crate::now())
            .fetch_optional(reader)
            .await?;
            Ok::<_, StoreError>(r.map(|r| Session {
                user: user_from_row(&r),
                csrf_token: r.col("csrf_token"),
                expires_at: r.col("expires_at"),
            }))
        })?;
        if let (SessionKind::Bearer, Some(s)) = (kind, &found) {
            self.bearer.insert(hash, s.clone());
        }
        Ok(found)
    }

    /// Moves the expiry of the page session `secret` to `ttl` from now (the "stay signed in"
    /// of the expiry warning), for a session started less than [`SESSION_MAX_AGE`] ago.
    /// Returns the new expiry; `None` when the session is unknown, already expired or that old
    /// (then nothing changes: an ended session is not revived, and a computer left signed in
    /// asks for the password again at least once a day).
    pub async fn extend_session(&self, secret: &str, ttl: Duration) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        with_db!(self, |writer, reader| {
            let now = crate::now();
            let at = now + ttl;
            let n = sqlx::query(
                "UPDATE sessions SET expires_at = $1 WHERE secret_hash = $2 AND expires_at > $3 AND created_at > $4",
            )
            .bind(at)
            .bind(secret_hash(secret))
            .bind(now)
            .bind(now - SESSION_MAX_AGE)
            .execute(writer)
            .await?
            .rows_affected();
            Ok((n == 1).then_some(at))
        })
    }

    /// The account of the page session `secret`, live or ended within the last day (after
    /// that its row is gone): whose form a post with an ended session carries. `None` when
    /// unknown.
    pub async fn ended_session_owner(&self, secret: &str) -> Result<Option<i64>> {
        let hash = secret_hash(secret);
        with_db!(self, |writer, reader| {
            let id: Option<i64> =
                sqlx::query_scalar("SELECT user_id FROM sessions WHERE secret_hash = $1 AND kind = $2")
                    .bind(&hash)
                    .bind(SessionKind::Cookie.as_str())
                    .fetch_optional(reader)
                    .await?;
            Ok(id)
        })
    }

    /// Ends a session (sign-out).
    pub async fn delete_session(&self, secret: &str) -> Result<()> {
        self.bearer.invalidate(&secret_hash(secret));
        with_db!(self, |writer, reader| {
            sqlx::query("DELETE FROM sessions WHERE secret_hash = $1")
                .bind(secret_hash(secret))
                .execute(writer)
                .await?;
            Ok(())
        })
    }
}
