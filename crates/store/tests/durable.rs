//! Durable write transactions (`Db::begin_durable`, for what a protocol acknowledges as
//! stored): on SQLite the writer runs `synchronous = FULL` for exactly that commit and is back
//! at `NORMAL` after it; several at once take turns and all commit.

use schulhof_store::{Db, Tx, backend_tests, on};

/// The writer's `synchronous` level as seen inside `tx` (SQLite: 1 NORMAL, 2 FULL).
async fn level(tx: &mut Tx) -> i64 {
    let (n,): (i64,) = match tx {
        Tx::Pg(_) => return 0,
        _ => on!(tx, c => sqlx::query_as("PRAGMA synchronous").fetch_one(&mut *c).await)
            .expect("pragma"),
    };
    n
}

async fn durable_commits_are_full_and_the_writer_returns_to_normal(db: Db) {
    let pg = matches!(db, Db::Pg(_));
    let mut tx = db.begin_durable().await.expect("durable");
    assert_eq!(level(&mut tx).await, if pg { 0 } else { 2 });
    on!(&mut tx, c => sqlx::query("CREATE TABLE durable_probe (n BIGINT NOT NULL)")
        .execute(&mut *c).await.map(|r| r.rows_affected()))
    .expect("create");
    tx.commit().await.expect("commit");
    let mut tx = db.begin().await.expect("tx");
    assert_eq!(
        level(&mut tx).await,
        if pg { 0 } else { 1 },
        "back to NORMAL"
    );
    tx.commit().await.expect("commit");

    let writers = (0..8i64).map(|i| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tx = db.begin_durable().await.expect("durable");
            on!(&mut tx, c => sqlx::query("INSERT INTO durable_probe (n) VALUES ($1)")
                .bind(i).execute(&mut *c).await.map(|r| r.rows_affected()))
            .expect("insert");
            tx.commit().await.expect("commit");
        })
    });
    for w in writers.collect::<Vec<_>>() {
        w.await.expect("writer");
    }
    let mut tx = db.begin().await.expect("tx");
    let (n,): (i64,) = on!(&mut tx, c => sqlx::query_as("SELECT COUNT(*) FROM durable_probe")
        .fetch_one(&mut *c).await)
    .expect("count");
    assert_eq!(n, 8);
    assert_eq!(level(&mut tx).await, if pg { 0 } else { 1 });
}

backend_tests!(durable_commits_are_full_and_the_writer_returns_to_normal);
