//! The event bus over PostgreSQL NOTIFY: two nodes on one database hear each other's
//! committed signals (and their own) in order, sent after the commit by one sender per node;
//! nothing goes out inside a transaction nor for one rolled back; a burst arrives complete;
//! the sender survives a lost connection and never holds up closing the pool. Also: the
//! pool, which no longer pings before every acquire, still drops connections that broke.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use schulhof_store::events::{Bus, Carrier, Handler};
use schulhof_store::testing::TestDb;
use schulhof_store::{Db, Handle};

const CHANNEL: &str = "schulhof_test";

type Heard = Arc<Mutex<Vec<String>>>;

fn node(db: &Db) -> (Bus, Heard) {
    let bus = Bus::new(db, None);
    let heard: Heard = Arc::default();
    let h = heard.clone();
    let on: Handler = Box::new(move |p: &str| h.lock().expect("lock").push(p.to_owned()));
    bus.start(&tokio::runtime::Handle::current(), vec![(CHANNEL, on)]);
    (bus, heard)
}

fn heard(h: &Heard) -> Vec<String> {
    h.lock().expect("lock").clone()
}

async fn until_heard(h: &Heard, want: &str) {
    for _ in 0..1000 {
        if h.lock().expect("lock").iter().any(|p| p == want) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{want:?} not heard: {} signals", heard(h).len());
}

/// Sends probes until both listeners hear `from`'s signals (LISTEN connects in the
/// background), then forgets what they heard.
async fn listening(from: &Bus, nodes: &[&Heard]) {
    for i in 0..500 {
        let probe = format!("probe {i}");
        assert!(!from.committed(CHANNEL, &probe), "NOTIFY comes back itself");
        tokio::time::sleep(Duration::from_millis(20)).await;
        if nodes.iter().all(|h| heard(h).contains(&probe)) {
            for h in nodes {
                until_heard(h, &probe).await;
            }
            // Probes sent before this one may still arrive: wait for quiet.
            tokio::time::sleep(Duration::from_millis(200)).await;
            for h in nodes {
                h.lock().expect("lock").clear();
            }
            return;
        }
    }
    panic!("listeners never ready");
}

/// Backend ids of this database's connections other than `mine`, by application name.
async fn backends(db: &Db, app: &str) -> Vec<i32> {
    let Db::Pg(pool) = db else {
        panic!("PostgreSQL")
    };
    sqlx::query_scalar(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
         AND pid <> pg_backend_pid() AND application_name = $1",
    )
    .bind(app)
    .fetch_all(pool)
    .await
    .expect("pg_stat_activity")
}

async fn terminate(db: &Db, pids: &[i32]) {
    let Db::Pg(pool) = db else {
        panic!("PostgreSQL")
    };
    for pid in pids {
        let ok: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
            .bind(pid)
            .fetch_one(pool)
            .await
            .expect("terminate");
        assert!(ok, "backend {pid} terminated");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_hear_committed_signals_in_order_and_nothing_else() {
    let t = TestDb::postgres().await;
    let (a, heard_a) = node(&t.db);
    let (b, heard_b) = node(&t.db);
    assert_eq!(a.carrier(), Carrier::Notify);
    listening(&a, &[&heard_a, &heard_b]).await;
    listening(&b, &[&heard_a, &heard_b]).await;

    // Inside the transaction nothing goes out, even when it commits: only `committed` sends.
    let mut tx = t.db.begin().await.expect("tx");
    a.within(&mut tx, CHANNEL, "within only")
        .await
        .expect("within");
    tx.commit().await.expect("commit");
    // Rolled back: the caller never reaches `committed`, so nothing is sent.
    let mut tx = t.db.begin().await.expect("tx");
    a.within(&mut tx, CHANNEL, "rolled back")
        .await
        .expect("within");
    drop(tx);
    let mut tx = t.db.begin().await.expect("tx");
    a.within(&mut tx, CHANNEL, "eins").await.expect("within");
    tx.commit().await.expect("commit");
    assert!(!a.committed(CHANNEL, "eins"), "the node's LISTEN tells it");
    assert!(!b.now(CHANNEL, "tippt").await, "the node's LISTEN tells it");
    a.flushed().await;
    b.flushed().await;
    for h in [&heard_a, &heard_b] {
        until_heard(h, "eins").await;
        until_heard(h, "tippt").await;
    }

    // Interleaved from both nodes: each node's signals in the order sent, on both nodes.
    for i in 0..200 {
        a.committed(CHANNEL, &format!("a{i}"));
        b.committed(CHANNEL, &format!("b{i}"));
        if i % 50 == 0 {
            tokio::task::yield_now().await;
        }
    }
    for h in [&heard_a, &heard_b] {
        until_heard(h, "a199").await;
        until_heard(h, "b199").await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    for h in [&heard_a, &heard_b] {
        let got = heard(h);
        for who in ["a", "b"] {
            let mine: Vec<&String> = got.iter().filter(|p| p.starts_with(who)).collect();
            let want: Vec<String> = (0..200).map(|i| format!("{who}{i}")).collect();
            assert_eq!(mine, want.iter().collect::<Vec<_>>(), "{who}'s signals");
        }
        assert!(!got.iter().any(|p| p == "within only" || p == "rolled back"));
        assert_eq!(got.len(), 402, "each signal once");
    }

    // A burst arrives complete, in order, once.
    for h in [&heard_a, &heard_b] {
        h.lock().expect("lock").clear();
    }
    for i in 0..5000 {
        a.committed(CHANNEL, &format!("s{i}"));
    }
    a.flushed().await;
    until_heard(&heard_b, "s4999").await;
    until_heard(&heard_a, "s4999").await;
    let want: Vec<String> = (0..5000).map(|i| format!("s{i}")).collect();
    assert_eq!(heard(&heard_b), want);
    assert_eq!(heard(&heard_a), want);

    // The pool closes at once although the senders keep connections of their own.
    tokio::time::timeout(Duration::from_secs(10), t.db.close())
        .await
        .expect("pool closes");
    // Signals after the close are given up, not waited for.
    a.committed(CHANNEL, "too late");
    tokio::time::timeout(Duration::from_secs(10), a.flushed())
        .await
        .expect("nothing waits for a closed pool");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sender_survives_a_lost_connection() {
    let t = TestDb::postgres().await;
    let (a, heard_a) = node(&t.db);
    let (_b, heard_b) = node(&t.db);
    listening(&a, &[&heard_a, &heard_b]).await;
    let senders = backends(&t.db, "schulhof-signals").await;
    assert_eq!(senders.len(), 1, "one sender for the node that sent");
    terminate(&t.db, &senders).await;
    for i in 0..3 {
        a.committed(CHANNEL, &format!("nach dem Abbruch {i}"));
    }
    tokio::time::timeout(Duration::from_secs(20), a.flushed())
        .await
        .expect("flushed");
    until_heard(&heard_b, "nach dem Abbruch 2").await;
    let got = heard(&heard_b);
    let want: Vec<String> = (0..3).map(|i| format!("nach dem Abbruch {i}")).collect();
    assert_eq!(got, want, "retried on a new connection, nothing lost");
    let again = backends(&t.db, "schulhof-signals").await;
    assert!(
        again.len() == 1 && again != senders,
        "{senders:?} {again:?}"
    );
    t.db.close().await;
}

/// The pool no longer pings a connection before handing it out; one that broke while idle
/// fails one statement and is dropped, and the pool carries on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_pool_connections_fail_once_and_are_dropped() {
    let t = TestDb::postgres().await;
    // Several connections in the pool, all idle.
    let mut held: Vec<Handle> = Vec::new();
    for _ in 0..4 {
        held.push(t.db.read().await.expect("connection"));
    }
    let mut ours = Vec::new();
    for h in &mut held {
        let Handle::Pg(c) = h else {
            panic!("PostgreSQL")
        };
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut **c)
            .await
            .expect("pid");
        ours.push(pid);
    }
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Killed by a connection outside the pool, so the pool's own stay as they are.
    let Db::Pg(pool) = &t.db else {
        panic!("PostgreSQL")
    };
    let opts = (*pool.connect_options()).clone();
    let mut admin = sqlx::ConnectOptions::connect(&opts).await.expect("admin");
    for pid in &ours {
        let ok: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
            .bind(pid)
            .fetch_one(&mut admin)
            .await
            .expect("terminate");
        assert!(ok);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut failed = 0;
    for _ in 0..40 {
        let mut c = t.db.read().await.expect("acquire");
        let Handle::Pg(c) = &mut c else {
            panic!("PostgreSQL")
        };
        if sqlx::query_scalar::<_, i32>("SELECT 1")
            .fetch_one(&mut **c)
            .await
            .is_err()
        {
            failed += 1;
        }
    }
    // No ping before the acquire: the first broken connection handed out fails.
    assert!(
        (1..=ours.len()).contains(&failed),
        "each broken connection fails once: {failed}"
    );
    for _ in 0..10 {
        let mut c = t.db.read().await.expect("acquire");
        let Handle::Pg(c) = &mut c else {
            panic!("PostgreSQL")
        };
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&mut **c)
            .await
            .expect("the pool works again");
        assert_eq!(one, 1);
    }
    let _ = sqlx::Connection::close(admin).await;
    t.db.close().await;
}

#[tokio::test]
async fn sqlite_keeps_signals_in_the_process() {
    let t = TestDb::sqlite().await;
    let bus = Bus::new(&t.db, None);
    assert_eq!(bus.carrier(), Carrier::Local);
    assert!(bus.committed(CHANNEL, "x"), "the caller tells its own");
    assert!(bus.now(CHANNEL, "y").await);
    tokio::time::timeout(Duration::from_secs(1), bus.flushed())
        .await
        .expect("nothing to send");
}
