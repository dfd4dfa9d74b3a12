//! `schulhof`: the platform in one binary.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use schulhof::settings::Storage;
use schulhof_domain::clock::SystemClock;
use schulhof_domain::{Config, Db, Platform};
use schulhof_front::AppState;

mod import_cli;
mod lti_cli;
mod mail_cli;
mod oidc_cli;

#[derive(Parser)]
#[command(name = "schulhof", version, about = "An open school platform")]
struct Cli {
    #[command(flatten)]
    storage: Storage,
    /// Smarthost for outgoing mail (`smtp://host:port`, `smtps://user:password@host`,
    /// `smtp://host?tls=required`); without it mail goes to the recipient domain's MX.
    #[arg(long, env = "SCHULHOF_SMTP_RELAY", global = true)]
    smtp_relay: Option<String>,
    /// The address users reach the platform at (`https://schulhof.example.org`), for links
    /// in mail; without it a link uses the address the request came to.
    #[arg(long, env = "SCHULHOF_PUBLIC_URL", global = true)]
    public_url: Option<String>,
    #[command(flatten)]
    filter: schulhof::mail_filter::FilterArgs,
    #[command(flatten)]
    mail_limits: schulhof::mail_limits::MailLimitArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the platform.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "SCHULHOF_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed and serve the demo school 100000 (public demo passwords).
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure: set when users reach the server over HTTPS.
        #[arg(long, env = "SCHULHOF_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Take the client address from X-Forwarded-For (only behind a trusted proxy).
        #[arg(long, env = "SCHULHOF_TRUST_FORWARDED")]
        trust_forwarded: bool,
        #[command(flatten)]
        smtp: schulhof::smtp_listen::SmtpArgs,
        #[command(flatten)]
        tls: schulhof::tls::TlsArgs,
        #[command(flatten)]
        imap: schulhof::imap_listen::ImapArgs,
        #[command(flatten)]
        sfu: schulhof::sfu_args::SfuArgs,
    },
    /// Manage schools.
    Instance {
        #[command(subcommand)]
        command: InstanceCommand,
    },
    /// Manage logins.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Operator accounts of the console at /betrieb/ (above all schools).
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// Terms of use and privacy policy.
    Consent {
        #[command(subcommand)]
        command: ConsentCommand,
    },
    /// Delete expired log data, sessions and counters, and accounts whose deletion period
    /// has ended, now (the server does it hourly and daily).
    Purge,
    /// Import persons, groups and memberships: Schild-NRW XML, a table, or SVWS JSON.
    Import(import_cli::ImportArgs),
    /// Change the school year: archive classes and courses, move leavers out.
    SchoolYear(import_cli::SchoolYearArgs),
    /// Connected tools (the platform as OpenID Connect provider).
    Oidc(oidc_cli::OidcArgs),
    /// LTI 1.3 tools in the courses.
    Lti(lti_cli::LtiArgs),
    /// Mail: the DNS records of the schools' mail domains.
    Mail(mail_cli::MailArgs),
    /// Build demonstration and benchmark data.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Build the benchmark's course shape in a school (a teacher, a class of students, a
    /// course with material, assignments, quizzes and some submissions); prints one JSON
    /// object with the course page, the logins and their shared password.
    Course {
        #[arg(long)]
        instance: String,
        #[arg(long, default_value_t = 10)]
        sections: usize,
        #[arg(long, default_value_t = 64)]
        activities: usize,
        #[arg(long, default_value_t = 100)]
        students: usize,
    },
}

#[derive(Subcommand)]
enum InstanceCommand {
    /// Create a school with an `admin` function account.
    Create {
        #[arg(long)]
        number: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Create an operator account; prints its one-time password and its TOTP key.
    Create {
        #[arg(long)]
        login: String,
        /// operator-admin, support or dpo.
        #[arg(long)]
        role: String,
    },
    /// List the operator accounts.
    List,
    /// Give an operator a new one-time password and a new TOTP key (lost password or lost
    /// authenticator); ends every session of the operator.
    Reset {
        #[arg(long)]
        login: String,
    },
}

#[derive(Subcommand)]
enum ConsentCommand {
    /// Publish a new version of a school's texts; everyone is asked again.
    Publish {
        #[arg(long)]
        instance: String,
        /// A text file with the terms of use.
        #[arg(long)]
        terms_file: std::path::PathBuf,
        /// A text file with the privacy policy.
        #[arg(long)]
        privacy_file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Set a login's password: read from standard input with --password-stdin, or generated.
    SetPassword {
        #[arg(long)]
        instance: String,
        #[arg(long)]
        login: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SCHULHOF_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    if matches!(cli.command, Command::Serve { .. }) {
        // Large freed buffers go back to the system (see `malloc`): restarts once if needed.
        schulhof::malloc::ensure_tuned();
    }
    let outbound = schulhof_domain::mail::outbound::OutboundConfig {
        relay: cli.smtp_relay.clone().filter(|r| !r.is_empty()),
        public_url: cli.public_url.clone().filter(|u| !u.is_empty()),
        // DKIM-signed outgoing mail; incoming mail checked against the system's resolver.
        auth: cli.filter.auth_config(),
        ..Default::default()
    };
    outbound
        .check()
        .map_err(|e| anyhow::anyhow!("--smtp-relay is unusable: {e}"))?;
    let mail = schulhof_domain::mail::MailConfig {
        filter: cli.filter.config()?,
        client_limits: cli.mail_limits.config(),
        ..Default::default()
    };
    let platform = open(&cli.storage, outbound, mail).await?;
    // A command's signals (NOTIFY after the commit) leave before the process ends.
    let events = platform.clone();
    let done = match cli.command {
        Command::Serve {
            listen,
            demo,
            secure_cookies,
            trust_forwarded,
            smtp,
            tls,
            imap,
            sfu,
        } => {
            // The media server starts with the first conference; a wrong setting must stop
            // the start instead of showing up then as a conference without video.
            schulhof_chat::conference::configure(sfu.settings()?);
            // One TLS configuration for every mail listener.
            let tls_config = if smtp.any() || imap.any() {
                Some(tls.server_config(&cli.storage.data)?)
            } else {
                None
            };
            let host = &cli.storage.state_domain;
            schulhof::smtp_listen::start(&platform, &smtp, tls_config.clone(), host).await?;
            schulhof::imap_listen::start(&platform, &imap, tls_config.clone()).await?;
            let state = AppState {
                platform,
                demo,
                secure_cookies,
                trust_forwarded,
            };
            serve(state, listen).await
        }
        Command::Instance {
            command: InstanceCommand::Create { number, name },
        } => {
            let created = platform
                .system_create_school(&number, &name)
                .await
                .map_err(user_error)?;
            println!(
                "Created school {number} \"{}\" (id {}).",
                name.trim(),
                created.id
            );
            println!("Set the first admin password with:");
            println!(
                "  schulhof user set-password --instance {number} --login {} [--password-stdin]",
                created.admin_login
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::SetPassword {
                    instance,
                    login,
                    password_stdin,
                },
        } => {
            let given = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let generated = platform
                .system_set_password(&instance, &login, given.as_deref())
                .await
                .map_err(user_error)?;
            match generated {
                Some(p) => println!("New password for {login}: {p}"),
                None => println!("Password for {login} set."),
            }
            Ok(())
        }
        Command::Operator {
            command: OperatorCommand::Create { login, role },
        } => {
            let created = platform
                .system_create_operator(&login, &role)
                .await
                .map_err(user_error)?;
            println!(
                "Created operator {} ({}).",
                created.login,
                created.role.as_str()
            );
            println!(
                "One-time password (to be changed at the first login): {}",
                created.one_time_password
            );
            println!("TOTP key for the authenticator app (shown only now):");
            println!("  {}", created.otpauth_uri);
            print_recovery_codes(&created.recovery_codes);
            println!("Log in at /betrieb/anmelden with the password and the app's code.");
            Ok(())
        }
        Command::Operator {
            command: OperatorCommand::List,
        } => {
            let all = platform.system_list_operators().await.map_err(user_error)?;
            for o in &all {
                let state = match (o.active, o.must_change_password) {
                    (false, _) => "inactive",
                    (true, true) => "active, password to change",
                    (true, false) => "active",
                };
                println!(
                    "{}\t{}\t{}\tcreated {}",
                    o.login,
                    o.role,
                    state,
                    o.created.format("%Y-%m-%d")
                );
            }
            if all.is_empty() {
                println!("No operators yet: schulhof operator create --login NAME --role ROLE");
            }
            Ok(())
        }
        Command::Operator {
            command: OperatorCommand::Reset { login },
        } => {
            let reset = platform
                .system_reset_operator(&login)
                .await
                .map_err(user_error)?;
            println!(
                "Reset operator {} ({}); every session has ended.",
                reset.login,
                reset.role.as_str()
            );
            println!(
                "One-time password (to be changed at the first login): {}",
                reset.one_time_password
            );
            println!("New TOTP key for the authenticator app (the old one no longer works):");
            println!("  {}", reset.otpauth_uri);
            print_recovery_codes(&reset.recovery_codes);
            Ok(())
        }
        Command::Consent {
            command:
                ConsentCommand::Publish {
                    instance,
                    terms_file,
                    privacy_file,
                },
        } => {
            let read = |p: &std::path::Path| {
                std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
            };
            let v = platform
                .system_publish_consent(&instance, &read(&terms_file)?, &read(&privacy_file)?)
                .await
                .map_err(user_error)?;
            println!("Published version {v} of the terms for school {instance}.");
            Ok(())
        }
        Command::Purge => {
            let p = platform.system_purge_expired().await.map_err(user_error)?;
            println!(
                "Deleted {} log entries, {} sessions, {} login counters.",
                p.log_entries, p.sessions, p.throttle_counters
            );
            for (school, d) in platform
                .system_apply_deletion_periods()
                .await
                .map_err(user_error)?
            {
                println!(
                    "School {school}: deleted {} student and {} staff accounts, {} archived groups.",
                    d.students, d.staff, d.groups
                );
            }
            Ok(())
        }
        Command::Import(args) => {
            let code = import_cli::import(&platform, args).await;
            platform.events_flushed(EVENTS_FLUSH).await;
            platform.db().close().await;
            std::process::exit(code)
        }
        Command::Oidc(args) => oidc_cli::run(&platform, args).await,
        Command::Lti(args) => lti_cli::run(&platform, args).await,
        Command::Mail(args) => mail_cli::run(&platform, args).await,
        Command::SchoolYear(args) => {
            let code = import_cli::school_year(&platform, args).await;
            platform.events_flushed(EVENTS_FLUSH).await;
            platform.db().close().await;
            std::process::exit(code)
        }
        Command::Demo {
            command:
                DemoCommand::Course {
                    instance,
                    sections,
                    activities,
                    students,
                },
        } => {
            let shape = schulhof_domain::lms::BenchShape {
                sections,
                activities,
                students,
            };
            let built = platform
                .system_bench_course(&instance, shape)
                .await
                .map_err(user_error)?;
            println!("{}", serde_json::to_string(&built)?);
            Ok(())
        }
    };
    events.events_flushed(EVENTS_FLUSH).await;
    done
}

/// How long a command waits for its signals to go out at the end.
const EVENTS_FLUSH: std::time::Duration = std::time::Duration::from_secs(10);

async fn open(
    storage: &Storage,
    outbound: schulhof_domain::mail::outbound::OutboundConfig,
    mail: schulhof_domain::mail::MailConfig,
) -> anyhow::Result<Platform> {
    let url = storage.database_url()?;
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("cannot open the database ({})", redact(&url)))?;
    schulhof_store::migrate(&db, chrono::Utc::now().timestamp_micros())
        .await
        .context("cannot migrate the database")?;
    if let Some(s3) = storage.object_store()? {
        schulhof_blob::S3Blobs::new(s3.clone())
            .context("object storage settings")?
            .check()
            .await
            .with_context(|| format!("cannot reach the object storage bucket {}", s3.bucket))?;
    }
    let config = Config {
        state_domain: storage.state_domain.clone(),
        blob_dir: Some(storage.data.join("files")),
        safe_master_key: Some(storage.safe_master_key()?),
        search_dir: Some(storage.data.join("search")),
        upload_dir: Some(storage.data.join("uploads")),
        soffice: schulhof_domain::files::preview::find_soffice(storage.soffice.as_deref()),
        object_store: storage.object_store()?,
        conference: storage.conference.provider()?,
        tool_urls_on_loopback: storage.tool_urls_on_loopback,
        nats: storage.nats_url.clone(),
        outbound,
        mail,
        ..Config::default()
    };
    Ok(Platform::new(db, Arc::new(SystemClock), config))
}

async fn serve(state: AppState, listen: SocketAddr) -> anyhow::Result<()> {
    schulhof_chat::conference::check_settings().map_err(anyhow::Error::msg)?;
    // Other nodes' media requests for the conferences this node hosts (PostgreSQL only).
    schulhof_chat::conference::serve_relay(&state.platform);
    if state.platform.db().backend() == schulhof_store::Backend::Postgres
        && schulhof_chat::conference::node_id() == "local"
    {
        // Nodes are told apart by this name (conference media, relays, leases): two nodes
        // both called `local` would take each other's requests.
        tracing::warn!(
            "--node-id (SCHULHOF_NODE_ID) is not set: on PostgreSQL every node needs a name of \
             its own, or conferences across nodes mix up their media"
        );
    }
    if state.demo {
        if state
            .platform
            .system_seed_demo()
            .await
            .map_err(user_error)?
        {
            state
                .platform
                .system_seed_demo_files()
                .await
                .map_err(user_error)?;
            tracing::info!("seeded the demo school 100000 (password schulhof-demo)");
        }
    } else if state
        .platform
        .system_has_demo_school()
        .await
        .map_err(user_error)?
    {
        bail!(
            "this database holds the demo school, whose passwords are public: start with --demo, or use another --data directory"
        );
    }
    // Under NATS, say so when the bus is not there yet (live signals wait for it; the
    // database keeps every change, so nothing is lost but time).
    if !state
        .platform
        .events_ready(std::time::Duration::from_secs(5))
        .await
    {
        tracing::warn!("the NATS event bus is not reachable yet: live updates between nodes wait");
    }
    tokio::spawn(retention_loop(state.platform.clone()));
    tokio::spawn(media_loop(state.platform.clone()));
    // Sends the queue of outgoing mail and the notification mails; any number of nodes may.
    tokio::spawn(state.platform.clone().run_mail_queue());
    // Mails notifications after commit (at once, after quiet hours, or in the daily digest).
    tokio::spawn(state.platform.clone().run_notifications());
    // Converts office documents to PDF for their previews; ends at once without LibreOffice.
    tokio::spawn(state.platform.clone().system_preview_worker());
    // Delivers back-channel logouts to connected tools (leased, so any number of nodes may).
    tokio::spawn(state.platform.clone().run_oidc_logouts());
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!("listening on http://{listen}");
    // Responses streamed in pieces (WebDAV listings, downloads) must not wait for delayed
    // ACKs.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let app = schulhof::app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

/// Deletes expired log data hourly, and once a day what the deletion periods release.
/// Several nodes may run it: it only deletes what is due.
async fn retention_loop(platform: Platform) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    let mut hours = 0u32;
    loop {
        every.tick().await;
        if let Err(e) = platform.system_purge_expired().await {
            tracing::error!(error = %e, "retention job failed");
        }
        if hours.is_multiple_of(24)
            && let Err(e) = platform.system_apply_deletion_periods().await
        {
            tracing::error!(error = %e, "deletion job failed");
        }
        if hours.is_multiple_of(24)
            && let Err(e) = platform.system_expire_trash().await
        {
            tracing::error!(error = %e, "trash job failed");
        }
        if hours.is_multiple_of(24)
            && let Err(e) = platform
                .system_collect_blobs(schulhof_domain::files::gc::MIN_AGE)
                .await
        {
            tracing::error!(error = %e, "file content collection failed");
        }
        if let Err(e) = platform.system_index_calendar_occurrences().await {
            tracing::error!(error = %e, "calendar occurrence index job failed");
        }
        if let Err(e) = platform.system_purge_deleted_schools().await {
            tracing::error!(error = %e, "purging deleted schools failed");
        }
        if let Err(e) = platform.system_expire_links().await {
            tracing::error!(error = %e, "link expiry job failed");
        }
        if let Err(e) = platform.system_oidc_purge().await {
            tracing::error!(error = %e, "OIDC code and token purge failed");
        }
        if let Err(e) = platform.system_oidc_rotate_due().await {
            tracing::error!(error = %e, "OIDC signing key rotation failed");
        }
        if let Err(e) = platform.system_lti_purge().await {
            tracing::error!(error = %e, "LTI launch, nonce and token purge failed");
        }
        if let Err(e) = platform.system_expire_uploads().await {
            tracing::error!(error = %e, "upload expiry job failed");
        }
        if let Err(e) = platform.system_chat_retention().await {
            tracing::error!(error = %e, "chat deletion period job failed");
        }
        hours = hours.wrapping_add(1);
    }
}

/// Extracts the text of new files and keeps this node's search index current; notifies the
/// audience of scheduled news that came due.
async fn media_loop(platform: Platform) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        // Work through a backlog without waiting between batches.
        loop {
            match platform.system_media_step(20).await {
                Ok(20) => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::error!(error = %e, "search index job failed");
                    break;
                }
            }
        }
        // Scheduled news whose period began: notify their audience (claimed once, so any
        // number of nodes may run this).
        if let Err(e) = platform.publish_due_news().await {
            tracing::error!(error = %e, "scheduled news job failed");
        }
        // Chat messages held for quiet hours whose time came: shown and announced.
        if let Err(e) = platform.system_chat_release().await {
            tracing::error!(error = %e, "chat release job failed");
        }
        // Chat messages written before the search index existed: indexed in batches.
        if let Err(e) = platform.system_chat_index().await {
            tracing::error!(error = %e, "chat search index job failed");
        }
        // Course material, assignments and quizzes whose time came: notify participants.
        if let Err(e) = platform.lms_notify_due().await {
            tracing::error!(error = %e, "course notification job failed");
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// An operator's new recovery codes, for `operator create` and `operator reset`.
fn print_recovery_codes(codes: &[String]) {
    println!(
        "Recovery codes (shown only now; each works once in place of the app's code; \
         earlier codes no longer work):"
    );
    for code in codes {
        println!("  {code}");
    }
}

fn user_error(e: schulhof_domain::DomainError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// The URL without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}
