//! Durable write transactions (`Db::begin_durable`, for what a protocol acknowledges as
//! stored): on SQLite the writer stays at `synchronous = NORMAL` and a durable commit returns
//! only after an fsync of the write-ahead log, which commits finishing at the same time share
//! (group commit). Ordinary commits cause no fsync.

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

async fn insert(db: &Db, n: i64, durable: bool) {
    let mut tx = if durable {
        db.begin_durable().await
    } else {
        db.begin().await
    }
    .expect("tx");
    on!(&mut tx, c => sqlx::query("INSERT INTO durable_probe (n) VALUES ($1)")
        .bind(n).execute(&mut *c).await.map(|r| r.rows_affected()))
    .expect("insert");
    tx.commit().await.expect("commit");
}

async fn durable_commits_fsync_the_log_and_share_it(db: Db) {
    let pg = matches!(db, Db::Pg(_));
    let mut tx = db.begin_durable().await.expect("durable");
    assert_eq!(level(&mut tx).await, if pg { 0 } else { 1 }, "stays NORMAL");
    on!(&mut tx, c => sqlx::query("CREATE TABLE durable_probe (n BIGINT NOT NULL)")
        .execute(&mut *c).await.map(|r| r.rows_affected()))
    .expect("create");
    tx.commit().await.expect("commit");
    let after_first = db.durable_syncs();
    assert_eq!(
        after_first,
        if pg { 0 } else { 1 },
        "one fsync for the commit"
    );

    insert(&db, -1, false).await;
    assert_eq!(
        db.durable_syncs(),
        after_first,
        "an ordinary commit: no fsync"
    );
    insert(&db, -2, true).await;
    assert_eq!(
        db.durable_syncs(),
        if pg { 0 } else { 2 },
        "each durable commit syncs"
    );

    let before = db.durable_syncs();
    let writers = (0..16i64).map(|i| {
        let db = db.clone();
        tokio::spawn(async move { insert(&db, i, true).await })
    });
    for w in writers.collect::<Vec<_>>() {
        w.await.expect("writer");
    }
    let syncs = db.durable_syncs() - before;
    if pg {
        assert_eq!(syncs, 0);
    } else {
        assert!((1..=16).contains(&syncs), "16 commits, {syncs} fsyncs");
    }
    let mut tx = db.begin().await.expect("tx");
    let (n,): (i64,) = on!(&mut tx, c => sqlx::query_as("SELECT COUNT(*) FROM durable_probe")
        .fetch_one(&mut *c).await)
    .expect("count");
    assert_eq!(n, 18);
    tx.commit().await.expect("commit");
}

backend_tests!(durable_commits_fsync_the_log_and_share_it);
