//! `schulhof-bench`: load and footprint benchmarks of the Schulhof server, over real TCP on
//! loopback. Run it in release mode:
//!
//! ```text
//! cargo run --release -p schulhof-bench -- me
//! cargo run --release -p schulhof-bench -- --database postgres://postgres@127.0.0.1:5432/schulhof_bench storm
//! ```
//!
//! See `docs/benchmarks.md` for what each scenario does and the figures measured.

mod accounts;
mod client;
mod cpu;
mod pg;
mod report;
mod scenario;
mod server;
mod stats;

use anyhow::Context;
use clap::{Parser, Subcommand};

use report::Outcome;
use scenario::{
    calendar::CalendarArgs, files::FilesArgs, folder::FolderArgs, idle::IdleArgs,
    import::ImportArgs, login::LoginArgs, mail::MailArgs, me::MeArgs, notes::NotesArgs,
    storm::StormArgs,
};
use server::{Server, Tuning};

#[derive(Parser)]
#[command(name = "schulhof-bench", about = "Benchmarks of the Schulhof server")]
struct Cli {
    /// PostgreSQL database to use (dropped and recreated; its name must contain "bench").
    /// Default: SQLite in a fresh temporary directory.
    #[arg(long, global = true)]
    database: Option<String>,
    /// Print the results as JSON instead of a table.
    #[arg(long, global = true)]
    json: bool,
    /// Before starting, wait up to this many seconds for other processes to go quiet.
    #[arg(long, global = true, default_value_t = 0)]
    wait_quiet: u64,
    /// Overrides the login queue length (`Config::max_login_queue`, production: 2048).
    #[arg(long, global = true)]
    login_queue: Option<usize>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Clone, Subcommand)]
enum Scenario {
    /// Concurrent sessions hammering GET /api/v1/me.
    Me(MeArgs),
    /// Back-to-back logins (Argon2id verification included).
    Login(LoginArgs),
    /// The 08:00 login storm of a whole school.
    Storm(StormArgs),
    /// Memory of an idle server with the demo school.
    Idle(IdleArgs),
    /// A whole school's Schild export into an empty school, then a re-import.
    Import(ImportArgs),
    /// Large files over the API and WebDAV, many WebDAV clients, PROPFIND on 10,000 files.
    Files(FilesArgs),
    /// The file manager: a folder of 2,000 files as a page, a large folder as ZIP.
    Folder(FolderArgs),
    /// The mail service: a folder of 50,000 messages, the lesson-end burst to 150 pupils.
    Mail(MailArgs),
    /// The web month view of a teacher who sees 30 calendars.
    Calendar(CalendarArgs),
    /// Many pupils on the chat socket, messages fanned out to their class rooms.
    Chat(scenario::chat::ChatArgs),
    /// The home page of a teacher with 200 unread notifications.
    Notes(NotesArgs),
    /// The LMS: course page, dashboard, grading overview and the lesson end.
    Course(scenario::course::CourseArgs),
    /// Connected tools: 08:00 logins into a tool, the token and userinfo endpoints.
    Sso(scenario::sso::SsoArgs),
    /// Every scenario, tiny: checks that they still work, measures nothing useful.
    Smoke,
}

fn main() -> anyhow::Result<()> {
    if std::env::var_os("SCHULHOF_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_env("SCHULHOF_LOG"))
            .init();
    }
    let cli = Cli::parse();
    let database = cli.database.as_deref();
    let tuning = Tuning {
        login_queue: cli.login_queue,
    };
    if cli.wait_quiet > 0 && !cpu::wait_quiet(std::time::Duration::from_secs(cli.wait_quiet)) {
        eprintln!("the machine stayed busy: figures will be pessimistic");
    }
    let outcomes = match &cli.scenario {
        Scenario::Smoke => smoke(database)?,
        s => vec![run(s, database, tuning)?],
    };
    if cli.json {
        println!("{}", serde_json::to_string_pretty(&outcomes)?);
    } else {
        for o in &outcomes {
            println!("{}", o.table());
        }
    }
    if outcomes
        .iter()
        .any(|o| !o.error_free() || !o.counted_something())
    {
        std::process::exit(1);
    }
    Ok(())
}

/// Runs one scenario: the server (unless the real binary is spawned) on its own runtime,
/// the load on a single-threaded one.
fn run(scenario: &Scenario, database: Option<&str>, tuning: Tuning) -> anyhow::Result<Outcome> {
    let spawns_binary = matches!(scenario, Scenario::Idle(a) if !a.in_process)
        || matches!(
            scenario,
            Scenario::Import(_) | Scenario::Files(_) | Scenario::Folder(_) | Scenario::Mail(_)
        );
    let server = if spawns_binary {
        None
    } else {
        Some(Server::start(database, tuning)?)
    };
    let load = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot build the client runtime")?;
    let outcome = load.block_on(async {
        let up = || server.as_ref().context("no server");
        match scenario {
            Scenario::Me(a) => scenario::me::run(up()?, a).await,
            Scenario::Login(a) => scenario::login::run(up()?, a).await,
            Scenario::Storm(a) => scenario::storm::run(up()?, a).await,
            Scenario::Idle(a) => scenario::idle::run(server.as_ref(), database, a).await,
            Scenario::Import(a) => scenario::import::run(database, a).await,
            Scenario::Files(a) => scenario::files::run(database, a).await,
            Scenario::Folder(a) => scenario::folder::run(database, a).await,
            Scenario::Mail(a) => scenario::mail::run(database, a).await,
            Scenario::Calendar(a) => scenario::calendar::run(up()?, a).await,
            Scenario::Chat(a) => scenario::chat::run(up()?, a).await,
            Scenario::Notes(a) => scenario::notes::run(up()?, a).await,
            Scenario::Course(a) => scenario::course::run(up()?, a).await,
            Scenario::Sso(a) => scenario::sso::run(up()?, a).await,
            Scenario::Smoke => anyhow::bail!("smoke is not a single scenario"),
        }
    });
    // Both runtimes end here, outside any async context.
    drop(load);
    drop(server);
    let mut outcome = outcome?;
    if let Some(q) = tuning.login_queue {
        outcome.note(format!("not production: login queue set to {q}"));
    }
    Ok(outcome)
}

/// Every scenario with tiny counts and durations.
fn smoke(database: Option<&str>) -> anyhow::Result<Vec<Outcome>> {
    let tiny = [
        Scenario::Me(MeArgs {
            accounts: 3,
            concurrency: 4,
            warmup: 0.2,
            duration: 1.0,
            rate: 200.0,
            path: "/api/v1/me".into(),
        }),
        Scenario::Login(LoginArgs {
            concurrency: 2,
            warmup: 0.0,
            duration: 1.0,
        }),
        Scenario::Storm(StormArgs {
            accounts: 6,
            spread: 0.5,
            all_at_once: false,
            deadline: 30.0,
            create_parallel: 2,
        }),
        Scenario::Idle(IdleArgs {
            settle: 0.1,
            logins: 2,
            schulhof_bin: None,
            in_process: true,
        }),
        Scenario::Import(ImportArgs {
            students: 30,
            changes: 5,
        }),
        Scenario::Files(FilesArgs {
            big_mib: 2,
            clients: 3,
            files_per_client: 4,
            schulhof_bin: server_binary(),
        }),
        Scenario::Mail(MailArgs {
            messages: 60,
            fill_parallel: 4,
            samples: 3,
            burst_mib: 1,
            classes: 2,
            class_size: 3,
            bursts: 1,
        }),
        Scenario::Course(scenario::course::CourseArgs {
            sections: 3,
            activities: 16,
            students: 4,
            connections: 2,
            warmup: 0.1,
            duration: 0.5,
            uploaders: 2,
            file_mb: 1,
            reader_rate: 0.0,
        }),
        Scenario::Sso(scenario::sso::SsoArgs {
            accounts: 4,
            spread: 0.2,
            deadline: 60.0,
            concurrency: 2,
            warmup: 0.1,
            duration: 0.5,
            create_parallel: 2,
        }),
    ];
    tiny.iter()
        .map(|s| run(s, database, Tuning::default()))
        .collect()
}

/// The `schulhof` binary of this build: next to this one, or one directory up (tests run
/// from `deps/`).
fn server_binary() -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [dir.join("schulhof"), dir.parent()?.join("schulhof")]
        .into_iter()
        .find(|p| p.exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_smoke(database: Option<&str>) {
        let outcomes = smoke(database).expect("every scenario runs");
        assert_eq!(outcomes.len(), 9);
        for o in &outcomes {
            assert!(o.error_free(), "{}", o.table());
            assert!(o.counted_something(), "{}", o.table());
        }
    }

    #[test]
    fn smoke_on_sqlite() {
        assert_smoke(None);
    }

    #[test]
    fn smoke_on_postgres() {
        let admin = std::env::var("SCHULHOF_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let server = admin.rsplit_once('/').map_or(admin.as_str(), |(s, _)| s);
        // One database per test process, so parallel CI runs on one server do not collide.
        let url = format!("{server}/schulhof_bench_smoke_{}", std::process::id());
        assert_smoke(Some(&url));
        tokio::runtime::Runtime::new()
            .expect("runtime")
            .block_on(pg::drop_database(&url))
            .expect("drop the smoke database");
    }
}
