//! `course`: the LMS in the shape the issue compares with Moodle — a course with
//! `--sections` sections and `--activities` activities for `--students` students of one
//! class. Measured with `--connections` keep-alive connections (each a different student):
//! the course page and the student's dashboard (closed loop), the teacher's grading overview
//! of an assignment, and the lesson end: `--uploaders` students hand in a file of
//! `--file-mb` MB within the same minute while the others load the course page.

use std::time::{Duration, Instant};

use anyhow::ensure;
use schulhof_domain::lms::{BenchCourse, BenchShape};
use serde_json::json;

use super::{Probe, Seen, Window, run_workers};
use crate::accounts;
use crate::client::Client;
use crate::report::Outcome;
use crate::server::Server;

#[derive(Clone, Debug, clap::Args)]
pub struct CourseArgs {
    #[arg(long, default_value_t = 10)]
    pub sections: usize,
    #[arg(long, default_value_t = 64)]
    pub activities: usize,
    #[arg(long, default_value_t = 100)]
    pub students: usize,
    /// Concurrent connections of the page phases.
    #[arg(long, default_value_t = 10)]
    pub connections: usize,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 3.0)]
    pub warmup: f64,
    /// Seconds measured per page phase.
    #[arg(long, default_value_t = 15.0)]
    pub duration: f64,
    /// Students handing in at the lesson end (0 skips that phase).
    #[arg(long, default_value_t = 90)]
    pub uploaders: usize,
    /// Size of each handed-in file.
    #[arg(long, default_value_t = 5)]
    pub file_mb: usize,
    /// Course pages per second of all lesson-end readers together, each reader in its turn
    /// (people who open the page, read, open it again); 0: every reader reloads back to back
    /// (closed loop, the harshest reading).
    #[arg(long, default_value_t = 0.0)]
    pub reader_rate: f64,
}

pub async fn run(server: &Server, a: &CourseArgs) -> anyhow::Result<Outcome> {
    let shape = BenchShape {
        sections: a.sections,
        activities: a.activities,
        students: a.students.max(a.connections),
    };
    let platform = server.platform.clone();
    let built: BenchCourse = server
        .prepare(async move { platform.system_bench_course(accounts::SCHOOL, shape).await })
        .await?
        .map_err(|e| anyhow::anyhow!("cannot build the course: {e}"))?;
    let settings = json!({ "sections": a.sections, "activities": a.activities,
        "students": a.students, "connections": a.connections, "duration_s": a.duration,
        "uploaders": a.uploaders, "file_mb": a.file_mb, "reader_rate": a.reader_rate });
    let mut out = Outcome::new("course", server.backend, settings);
    let mut students = Vec::with_capacity(a.connections);
    for login in built.students.iter().take(a.connections) {
        students.push(accounts::session(server.addr, login, &built.password).await?);
    }
    let teacher = accounts::session(server.addr, &built.teacher, &built.password).await?;
    check_page(&mut students[0].sibling(), &built.url, "Woche 1").await?;

    let course = page_phase(&students, &built.url, a).await;
    let p99 = record(&mut out, "course page", &course);
    out.check(
        "course page >= 850 req/s",
        course.0.rate(&course.1) >= 850.0,
    );
    out.check("course page p99 < 20 ms", p99 < 20.0);

    let due = "/kurse/faellig";
    check_page(&mut students[0].sibling(), due, "Aufgabe").await?;
    let dash = page_phase(&students, due, a).await;
    let p99 = record(&mut out, "student dashboard", &dash);
    out.check("dashboard >= 850 req/s", dash.0.rate(&dash.1) >= 850.0);
    out.check("dashboard p99 < 20 ms", p99 < 20.0);

    if let Some(first) = built.assignments.first() {
        let overview = format!("/kurse/aufgaben/{first}/abgaben");
        check_page(&mut teacher.sibling(), &overview, "Schüler000").await?;
        let teachers: Vec<Client> = (0..a.connections).map(|_| teacher.sibling()).collect();
        let grading = page_phase(&teachers, &overview, a).await;
        let p99 = record(&mut out, "grading overview, 100 submissions", &grading);
        out.check("grading overview p99 < 30 ms", p99 < 30.0);
    }
    if a.uploaders > 0
        && let Some(first) = built.assignments.first()
    {
        lesson_end(
            server,
            &built,
            &format!("/kurse/aufgaben/{first}/abgabe"),
            a,
            &mut out,
        )
        .await?;
    }
    out.check("zero errors", out.failed == 0 && out.succeeded > 0);
    Ok(out)
}

/// `uploaders` students hand in a file each, spread over 60 s (scaled down with a short
/// `--duration`), while as many other students load the course page: back to back, or
/// together `--reader-rate` pages a second.
async fn lesson_end(
    server: &Server,
    built: &BenchCourse,
    hand_in: &str,
    a: &CourseArgs,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let n = a.uploaders.min(built.students.len());
    let mut uploaders = Vec::with_capacity(n);
    for login in built.students.iter().take(n) {
        uploaders.push(accounts::session(server.addr, login, &built.password).await?);
    }
    let readers: Vec<Client> = built
        .students
        .iter()
        .rev()
        .take(n.max(1))
        .map(|_| uploaders[0].sibling())
        .collect();
    let spread = Duration::from_secs_f64((a.duration * 4.0).clamp(1.0, 60.0));
    let window = Window::starting_now(Duration::ZERO, spread + Duration::from_secs(5));
    let probe = Probe {
        path: built.url.clone(),
        body: None,
        expect: 200,
    };
    let rate = Some(a.reader_rate).filter(|r| *r > 0.0);
    let pages = tokio::spawn(async move { run_workers(readers, window, &probe, rate).await });
    let file = vec![b'x'; a.file_mb * 1024 * 1024];
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for (i, mut c) in uploaders.into_iter().enumerate() {
        let at = spread.mul_f64(i as f64 / n.max(1) as f64);
        let (path, file) = (hand_in.to_owned(), file.clone());
        set.spawn(async move {
            tokio::time::sleep(at).await;
            let t = Instant::now();
            let r = c
                .post_file(&path, "dateien", &format!("Foto{i}.jpg"), &file)
                .await;
            (r.map(|r| r.status.as_u16()), t.elapsed())
        });
    }
    let (mut stored, mut failed, mut slowest) = (0u64, Vec::new(), Duration::ZERO);
    while let Some(done) = set.join_next().await {
        match done {
            // The form answers with a redirect to the assignment once handed in.
            Ok((Ok(303), took)) => {
                stored += 1;
                slowest = slowest.max(took);
            }
            Ok((Ok(s), _)) => failed.push(format!("HTTP {s}")),
            Ok((Err(e), _)) => failed.push(e.label().to_owned()),
            Err(_) => failed.push("panic".into()),
        }
    }
    let uploads_took = started.elapsed();
    let seen = pages.await.unwrap_or_default();
    out.figure("lesson end: hand-ins stored", stored, "");
    out.figure("lesson end: hand-in errors", failed.join(", "), "");
    out.figure(
        "lesson end: slowest hand-in",
        crate::report::round(slowest.as_secs_f64() * 1e3, 1),
        "ms",
    );
    out.figure(
        "lesson end: all hand-ins done after",
        crate::report::round(uploads_took.as_secs_f64(), 1),
        "s",
    );
    let p99 = record(out, "lesson end: course page", &(seen, window));
    out.succeeded += stored;
    out.failed += failed.len() as u64;
    out.check("lesson end: every hand-in stored", stored as usize == n);
    out.check("lesson end: course page p99 < 100 ms", p99 < 100.0);
    Ok(())
}

type Phase = (Seen, Window);

async fn page_phase(sessions: &[Client], path: &str, a: &CourseArgs) -> Phase {
    let clients: Vec<Client> = (0..a.connections)
        .map(|i| sessions[i % sessions.len()].sibling())
        .collect();
    let probe = Probe {
        path: path.to_owned(),
        body: None,
        expect: 200,
    };
    let window = Window::starting_now(
        Duration::from_secs_f64(a.warmup),
        Duration::from_secs_f64(a.duration),
    );
    let seen = run_workers(clients, window, &probe, None).await;
    (seen, window)
}

fn record(out: &mut Outcome, label: &str, (seen, window): &Phase) -> f64 {
    let ok = seen.ok.len();
    out.figure(&format!("{label}: throughput"), seen.rate(window), "req/s");
    let lat = seen.ok.clone().summary();
    out.latency(&format!("{label}: latency"), &lat);
    out.figure(&format!("{label}: errors"), seen.errors.describe(), "");
    out.succeeded += ok as u64;
    out.failed += seen.errors.total() + seen.busy;
    lat.p99_ms
}

/// The page answers 200 with what it should show (not the login form or an error).
async fn check_page(c: &mut Client, path: &str, expect: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let r = c.get(path).await?;
    ensure!(r.status.as_u16() == 200, "GET {path}: HTTP {}", r.status);
    let body = String::from_utf8_lossy(&r.body);
    ensure!(body.contains(expect), "GET {path} does not show {expect:?}");
    eprintln!(
        "GET {path}: {} kB in {:?}",
        r.body.len() / 1000,
        started.elapsed()
    );
    Ok(())
}
