//! Abuse control, stage 1 at the size of a large school, on SQLite and PostgreSQL: seven
//! days of traffic data of 2,000 accounts (200,000 rows, plus another school's) are
//! summed per external domain, day and direction in one statement — only the asking
//! school's rows, only domains (never a local part), the totals exact. Prints how long the
//! analysis took (issue 17: under 1 s); the bound asserted here is loose, for loaded
//! machines and debug builds.

use std::time::{Duration as Wall, Instant};

use chrono::{Duration, TimeZone, Utc};
use schulhof_store::instances::InstanceRow;
use schulhof_store::mail::abuse::domain_report;
use schulhof_store::{AsConn, Conn, Db, backend_tests, instances, to_us};
use schulhof_types::InstanceId;

async fn school(db: &Db, number: &str) -> InstanceId {
    let id = InstanceId::new();
    let mut tx = db.begin().await.expect("tx");
    instances::insert(
        &mut tx,
        &InstanceRow {
            id,
            school_number: number.into(),
            name: "Schule".into(),
            mail_domain: format!("{number}.nrw.schule"),
            demo: false,
            created_at: Utc::now(),
            time_zone: "Europe/Berlin".into(),
        },
    )
    .await
    .expect("insert instance");
    tx.commit().await.expect("commit");
    id
}

const ROWS: i64 = 200_000;
const ACCOUNTS: i64 = 2_000;
const DOMAINS: i64 = 400;
/// Seven days spread over the rows, in microseconds.
const STEP_US: i64 = 7 * 86_400 * 1_000_000 / ROWS;

/// `n` rows of traffic data from `start` on: in and out in turn, accounts and external
/// domains in turn, 1,000 + i % 5,000 bytes each.
macro_rules! fill_sql {
    ($series:literal, $id:literal) => {
        concat!(
            $series,
            " INSERT INTO mail_traffic (instance_id, id, at, direction, sender, recipient,
                                       message_id, size, subject)
              SELECT $1, ",
            $id,
            ", $2 + i * $4,
                     CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END,
                     CASE WHEN i % 2 = 0 THEN 'ext' || (i % 97) || '@d' || (i % $5) || '.example'
                          ELSE 'konto' || (i % $6) || '@100001.nrw.schule' END,
                     CASE WHEN i % 2 = 0 THEN 'konto' || (i % $6) || '@100001.nrw.schule'
                          ELSE 'ext' || (i % 97) || '@d' || (i % $5) || '.example' END,
                     '<' || i || '@m>', 1000 + i % 5000, 'Betreff ' || i
                FROM n WHERE i < $3"
        )
    };
}

async fn fill(db: &Db, instance: InstanceId, start: i64, n: i64) {
    let mut tx = db.begin().await.expect("tx");
    let added = match tx.conn() {
        Conn::Sqlite(c) => sqlx::query(fill_sql!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $3)",
            "randomblob(16)"
        ))
        .bind(instance.0)
        .bind(start)
        .bind(n)
        .bind(STEP_US)
        .bind(DOMAINS)
        .bind(ACCOUNTS)
        .execute(&mut *c)
        .await
        .expect("fill")
        .rows_affected(),
        Conn::Pg(c) => sqlx::query(fill_sql!(
            "WITH n(i) AS (SELECT generate_series(0, $3 - 1))",
            "gen_random_uuid()"
        ))
        .bind(instance.0)
        .bind(start)
        .bind(n)
        .bind(STEP_US)
        .bind(DOMAINS)
        .bind(ACCOUNTS)
        .execute(&mut *c)
        .await
        .expect("fill")
        .rows_affected(),
    };
    assert_eq!(added, n as u64);
    tx.commit().await.expect("commit");
}

async fn seven_days_of_a_large_school_in_one_statement(db: Db) {
    let (ours, other) = (school(&db, "100001").await, school(&db, "100002").await);
    let start = Utc
        .with_ymd_and_hms(2026, 11, 30, 0, 0, 0)
        .single()
        .expect("time");
    fill(&db, ours, to_us(start), ROWS).await;
    fill(&db, other, to_us(start), 20_000).await;
    let until = start + Duration::days(7);
    let mut best = Wall::MAX;
    let mut days = Vec::new();
    for _ in 0..3 {
        let mut c = db.read().await.expect("read");
        let t = Instant::now();
        days = domain_report(&mut c, ours, start, until)
            .await
            .expect("report");
        best = best.min(t.elapsed());
    }
    println!(
        "stage-1 analysis, {ROWS} rows, {} lines: {:.1} ms (best of 3)",
        days.len(),
        best.as_secs_f64() * 1000.0
    );
    let messages: i64 = days.iter().map(|d| d.messages).sum();
    let bytes: i64 = days.iter().map(|d| d.bytes).sum();
    assert_eq!(
        messages, ROWS,
        "every row of this school, none of the other"
    );
    assert_eq!(bytes, (0..ROWS).map(|i| 1000 + i % 5000).sum::<i64>());
    assert!(days.iter().all(|d| !d.domain.contains('@')
        && !d.domain.contains("konto")
        && d.domain.ends_with(".example")));
    // 400 domains, two directions, seven or eight calendar days (UTC).
    let domains: std::collections::BTreeSet<&str> =
        days.iter().map(|d| d.domain.as_str()).collect();
    assert_eq!(domains.len() as i64, DOMAINS);
    assert!(best < Wall::from_secs(10), "stage-1 analysis took {best:?}");
}

backend_tests!(seven_days_of_a_large_school_in_one_statement);
