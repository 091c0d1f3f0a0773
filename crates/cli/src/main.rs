//! `motcua`: the portal's command. Thin: parses arguments and calls the library crates.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use motcua_server::{bootstrap, App, Config};
use motcua_store::accounts::{NewUser, Role};
use motcua_store::objects::ObjectsConfig;
use motcua_store::{Store, StoreConfig};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

/// mimalloc instead of the system allocator: many small allocations per request (JSON, rows)
/// across threads, where glibc's malloc showed in the throughput profile (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "motcua", version, about = "motcua: online public services (một cửa)")]
struct Cli {
    /// Where the database and documents live.
    #[arg(long, global = true, env = "MOTCUA_DATA_DIR", default_value = "./motcua-data")]
    data_dir: PathBuf,
    /// The database: `postgres://user@host/db` for PostgreSQL; unset, SQLite in the data
    /// directory.
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// PostgreSQL connections per server process (each process has its own pool: keep
    /// processes × this under the server's `max_connections`). Ignored for SQLite.
    #[arg(long, global = true, env = "MOTCUA_DB_CONNECTIONS", default_value_t = 16,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    db_connections: u32,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    fn store_config(&self) -> StoreConfig {
        StoreConfig {
            database_url: self.database_url.clone(),
            // S3 when MOTCUA_S3_BUCKET is set (see motcua_store::objects), else data_dir/documents.
            objects: ObjectsConfig::from_env(),
            max_connections: self.db_connections,
            ..StoreConfig::embedded(&self.data_dir)
        }
    }

    /// Where the data is, for messages (a database URL without its password).
    fn database_shown(&self) -> String {
        match &self.database_url {
            Some(url) => match url.split_once('@') {
                Some((creds, host)) if creds.contains(':') && creds.matches(':').count() > 1 => {
                    format!("{}:***@{host}", creds.rsplit_once(':').map_or(creds, |c| c.0))
                }
                _ => url.clone(),
            },
            None => self.data_dir.display().to_string(),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the portal (creates the data directory, runs migrations, loads the bundled data).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "MOTCUA_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Do not create demo accounts on first start.
        #[arg(long)]
        no_demo: bool,
        /// Largest accepted document, in bytes.
        #[arg(long, env = "MOTCUA_MAX_UPLOAD_BYTES", default_value_t = 20_000_000)]
        max_upload_bytes: u64,
        /// Mark cookies Secure (set when served over HTTPS).
        #[arg(long, env = "MOTCUA_SECURE_COOKIES")]
        secure_cookies: bool,
        /// A directory of route definitions (`*.toml`) replacing the shipped ones; the server
        /// does not start while one is broken (`motcua routes check DIR` says why).
        #[arg(long, env = "MOTCUA_ROUTES_DIR")]
        routes_dir: Option<PathBuf>,
    },
    /// Run the database migrations and exit.
    Migrate,
    /// Import reference data.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// The working calendar: load a Government decisions file (days off, swaps, make-up days).
    Calendar {
        #[command(subcommand)]
        action: CalendarAction,
    },
    /// Agency settings.
    Agencies {
        #[command(subcommand)]
        action: AgenciesAction,
    },
    /// Processing routes (route definitions in TOML, one file per route).
    Routes {
        #[command(subcommand)]
        action: RoutesAction,
    },
    /// Document storage maintenance.
    Storage {
        #[command(subcommand)]
        action: StorageAction,
    },
    /// Manage accounts.
    Users {
        #[command(subcommand)]
        action: UsersAction,
    },
}

#[derive(Subcommand)]
enum ImportWhat {
    /// Import the national-portal crawl (JSON Lines); re-importing updates by code.
    Procedures {
        file: PathBuf,
        /// Also write the structured catalogue as the bundle the portal starts with.
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// Write the problems of every record not read fully to this file (JSON Lines).
        #[arg(long)]
        report: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CalendarAction {
    /// Load a decisions file (the JSON format of data/holidays/); running servers pick it up
    /// at their next start (loading through the admin API applies it at once).
    Load {
        file: PathBuf,
        /// Who is loading it, for the record (defaults to $USER).
        #[arg(long, env = "USER", default_value = "cli")]
        by: String,
    },
}

#[derive(Subcommand)]
enum AgenciesAction {
    /// Set an agency's working hours, e.g. "07:30-11:30,13:00-17:00"; "default" clears them.
    SetHours { code: String, hours: String },
    /// Set the processing time an agency applies when the catalogue gives none, e.g.
    /// `CAX.00004 10 working_days` (units: working_days, working_hours, calendar_days, hours,
    /// weeks, months, years).
    SetDefaultTime { code: String, value: f64, unit: String },
}

#[derive(Subcommand)]
enum RoutesAction {
    /// Validate every `*.toml` route file of DIR (as the server does at start): prints each
    /// problem as `file:line:column: message [code]` and exits with 1 when there is one.
    /// Routes naming procedures are checked against their processing times in the catalogue
    /// (the bundled one).
    Check { dir: PathBuf },
}

#[derive(Subcommand)]
enum StorageAction {
    /// Delete stored files that no document references (left by an upload whose database
    /// write failed), older than the grace period.
    Gc {
        /// Minutes an unreferenced file is kept (its upload may still be committing).
        #[arg(long, default_value_t = 60)]
        grace_minutes: i64,
    },
}

#[derive(Subcommand)]
enum UsersAction {
    /// Create an account; the password comes from MOTCUA_PASSWORD or standard input.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = ["citizen", "official", "admin"])]
        role: String,
        /// The official's agency code (required for officials).
        #[arg(long)]
        agency: Option<String>,
        #[arg(long)]
        full_name: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
    /// Record the duties an official holds in an agency (replacing those there): comma-separated
    /// receiving_desk, specialist, leader, agency_admin; "none" removes them. An official with
    /// none recorded anywhere holds every duty of their own agency.
    Duties {
        #[arg(long)]
        username: String,
        #[arg(long)]
        agency: String,
        #[arg(long)]
        roles: String,
    },
    /// List the officials serving an agency with their duties there.
    Officials {
        #[arg(long)]
        agency: String,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let store_config = cli.store_config();
    let shown_data = cli.database_shown();
    match cli.command {
        Command::Serve { addr, no_demo, max_upload_bytes, secure_cookies, routes_dir } => {
            let mut config = Config::new(&cli.data_dir);
            config.database_url.clone_from(&cli.database_url);
            config.db_connections = cli.db_connections;
            config.objects = ObjectsConfig::from_env();
            config.routes_dir = routes_dir;
            config.demo = !no_demo;
            config.max_upload_bytes = max_upload_bytes;
            config.secure_cookies = secure_cookies;
            let listener =
                tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr}"))?;
            let app = App::build(config, listener).await?;
            if !app.demo_accounts.is_empty() {
                println!(
                    "Demo accounts (shown once; also saved in {}):",
                    cli.data_dir.join("demo-accounts.txt").display()
                );
                let mut text = String::new();
                for a in &app.demo_accounts {
                    let agency = a.agency_code.as_deref().map(|c| format!("  agency {c}")).unwrap_or_default();
                    text.push_str(&format!("  {:<14} {:<18} {:?}{agency}\n", a.username, a.password, a.role));
                }
                print!("{text}");
                std::fs::write(cli.data_dir.join("demo-accounts.txt"), text)?;
            }
            let shown = addr.replace("0.0.0.0", "127.0.0.1");
            println!("motcua is running at http://{shown}/  (data in {shown_data})");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            Store::connect(&store_config).await?;
            println!("migrations applied in {shown_data}");
        }
        Command::Import { what: ImportWhat::Procedures { file, bundle, report } } => {
            import_procedures(&store_config, &file, bundle.as_deref(), report.as_deref()).await?;
        }
        Command::Calendar { action: CalendarAction::Load { file, by } } => {
            let content = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let store = Store::connect(&store_config).await?;
            match motcua_server::service::record_decisions(&store, &content, &format!("cli:{by}")).await {
                Ok(load) => println!("loaded decisions for {:?} (record #{})", load.years, load.id),
                Err(motcua_server::error::AppError::Invalid(errs)) => {
                    for e in errs {
                        eprintln!("{}: {} {}", file.display(), e.key, e.extra.unwrap_or_default());
                    }
                    bail!("the file was not loaded");
                }
                Err(e) => bail!("{e}"),
            }
        }
        Command::Agencies { action: AgenciesAction::SetHours { code, hours } } => {
            let store = Store::connect(&store_config).await?;
            bootstrap::load_reference_data(&store).await?;
            let hours = (hours.trim() != "default").then_some(hours.trim().to_string());
            if let Some(h) = &hours {
                motcua_core::legal_time::parse_working_hours(h).map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            store.set_agency_working_hours(code.trim(), hours.as_deref()).await.context("no such agency")?;
            println!(
                "{}: working hours {}",
                code.trim(),
                hours.as_deref().unwrap_or("default (07:30-11:30,13:00-17:00)")
            );
        }
        Command::Agencies { action: AgenciesAction::SetDefaultTime { code, value, unit } } => {
            let store = Store::connect(&store_config).await?;
            bootstrap::load_reference_data(&store).await?;
            // Validates the unit name against the catalogue units (stored as given).
            let _unit: motcua_core::catalogue::TimeUnit =
                serde_json::from_value(serde_json::Value::String(unit.clone()))
                    .ok()
                    .filter(|u| *u != motcua_core::catalogue::TimeUnit::Unstated)
                    .context("unit: working_days, working_hours, calendar_days, hours, weeks, months or years")?;
            if !(value.is_finite() && value > 0.0 && value <= 10_000.0) {
                bail!("the value must be a positive number");
            }
            store.set_agency_default_time(code.trim(), value, &unit).await.context("no such agency")?;
            println!("{}: default processing time {value} {unit:?}", code.trim());
        }
        Command::Routes { action: RoutesAction::Check { dir } } => {
            let files =
                motcua_server::routes::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
            let catalogue = bootstrap::bundled_catalogue()?;
            let find = |code: &str| catalogue.iter().find(|b| b.procedure.code == code).map(|b| b.procedure.clone());
            match motcua_server::routes::check(&files, find) {
                Ok(set) => println!("{} routes in {} files: no problems", set.routes().len(), files.len()),
                Err(problems) => {
                    eprint!("{}", motcua_server::routes::report(&problems));
                    eprintln!("{} problems in {}", problems.len(), dir.display());
                    std::process::exit(1);
                }
            }
        }
        Command::Storage { action: StorageAction::Gc { grace_minutes } } => {
            let store = Store::connect(&store_config).await?;
            let r = store.gc_documents(chrono_minutes(grace_minutes)).await?;
            println!(
                "scanned {} files: {} referenced, {} unreferenced but recent (kept), {} deleted",
                r.scanned, r.referenced, r.too_recent, r.deleted
            );
        }
        Command::Users { action: UsersAction::Create { username, role, agency, full_name, phone, email } } => {
            let role = Role::parse(&role).context("role must be citizen, official or admin")?;
            let username = motcua_core::values::Username::parse("username", &username)
                .map_err(|_| anyhow::anyhow!("a username has 3-32 characters [a-z0-9._-], starting with a letter"))?
                .to_string();
            let password = read_password()?;
            motcua_core::values::check_new_password("password", &password)
                .map_err(|_| anyhow::anyhow!("the password must have 8 to 128 characters, no control characters"))?;
            let store = Store::connect(&store_config).await?;
            bootstrap::load_reference_data(&store).await?;
            if role == Role::Official && agency.is_none() {
                bail!("an official needs --agency CODE");
            }
            if let Some(code) = &agency {
                if store.agency(code).await?.is_none() {
                    bail!("no agency with code {code}");
                }
            }
            let user = store
                .create_user(&NewUser {
                    username: username.trim(),
                    full_name: full_name.as_deref().unwrap_or(username.trim()),
                    phone: phone.as_deref(),
                    email: email.as_deref(),
                    password: &password,
                    role,
                    agency_code: agency.as_deref(),
                })
                .await?;
            println!("created {} ({:?}) id {}", user.username, user.role, user.id);
        }
        Command::Users { action: UsersAction::Duties { username, agency, roles } } => {
            let duties: Vec<motcua_core::route::Role> = if roles.trim() == "none" {
                vec![]
            } else {
                roles
                    .split(',')
                    .map(|r| {
                        motcua_core::route::Role::parse(r.trim()).with_context(|| {
                            format!("unknown duty {r:?}: use receiving_desk, specialist, leader, agency_admin or none")
                        })
                    })
                    .collect::<Result<_>>()?
            };
            let store = Store::connect(&store_config).await?;
            let user = store.user_by_username(&username).await?.with_context(|| format!("no account {username}"))?;
            if user.role != Role::Official {
                bail!("{username} is not an official's account");
            }
            if store.agency(&agency).await?.is_none() {
                bail!("no agency with code {agency}");
            }
            store.set_duties(user.id, &agency, &duties).await?;
            println!("{username} at {agency}: {}", if duties.is_empty() { "no duty".to_string() } else { roles });
        }
        Command::Users { action: UsersAction::Officials { agency } } => {
            let store = Store::connect(&store_config).await?;
            for o in store.officials_of(&agency).await? {
                let roles: Vec<&str> = o.roles.iter().map(|r| r.as_str()).collect();
                let how = if o.recorded { "" } else { " (every duty: none recorded)" };
                println!("{}\t{}\t{}{how}", o.user.username, o.user.full_name, roles.join(","));
            }
        }
    }
    Ok(())
}

fn chrono_minutes(m: i64) -> motcua_store::Duration {
    motcua_store::Duration::minutes(m.max(0))
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("MOTCUA_PASSWORD") {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password: ");
    }
    let mut s = String::new();
    stdin.lock().read_to_string(&mut s)?;
    Ok(s.lines().next().unwrap_or_default().to_string())
}

async fn import_procedures(
    store_config: &StoreConfig,
    file: &std::path::Path,
    bundle: Option<&std::path::Path>,
    report: Option<&std::path::Path>,
) -> Result<()> {
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let imported = bootstrap::read_crawl(f)?;
    let store = Store::connect(store_config).await?;
    bootstrap::load_reference_data(&store).await?;
    let rows: Vec<_> = imported.procedures.iter().map(|b| (b.procedure.clone(), b.problems.clone())).collect();
    let counts = store.upsert_procedures(&rows).await?;
    let partial: Vec<_> = imported.procedures.iter().filter(|b| !b.problems.is_empty()).collect();
    println!(
        "read {} records: {} imported fully, {} imported with problems, {} lines not readable",
        imported.procedures.len() + imported.bad_lines.len(),
        imported.procedures.len() - partial.len(),
        partial.len(),
        imported.bad_lines.len()
    );
    println!("database: {} inserted, {} updated", counts.inserted, counts.updated);
    // Problem kinds: the text before the first ':' of each problem.
    let mut kinds: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for b in &partial {
        for p in &b.problems {
            *kinds.entry(p.split(':').next().unwrap_or(p).trim().to_string()).or_default() += 1;
        }
    }
    let mut kinds: Vec<_> = kinds.into_iter().collect();
    kinds.sort_by_key(|k| std::cmp::Reverse(k.1));
    for (k, n) in kinds.iter().take(20) {
        println!("  {n:>5}  {k}");
    }
    println!("records imported with problems (code: what could not be read):");
    for b in &partial {
        println!("  {}: {}", b.procedure.code, b.problems.join("; "));
    }
    for (line, err) in &imported.bad_lines {
        println!("  line {line}: {err}");
    }
    if let Some(path) = report {
        let mut out = String::new();
        for b in &partial {
            out.push_str(&serde_json::json!({"code": b.procedure.code, "problems": b.problems}).to_string());
            out.push('\n');
        }
        for (line, err) in &imported.bad_lines {
            out.push_str(&serde_json::json!({"line": line, "problems": [err]}).to_string());
            out.push('\n');
        }
        std::fs::write(path, out)?;
    }
    if let Some(path) = bundle {
        use std::io::Write;
        let mut enc = flate2_writer(path)?;
        for b in &imported.procedures {
            serde_json::to_writer(&mut enc, b)?;
            enc.write_all(b"\n")?;
        }
        enc.finish()?;
        println!("bundle written to {}", path.display());
    }
    Ok(())
}

fn flate2_writer(path: &std::path::Path) -> Result<flate2::write::GzEncoder<std::fs::File>> {
    Ok(flate2::write::GzEncoder::new(std::fs::File::create(path)?, flate2::Compression::best()))
}
