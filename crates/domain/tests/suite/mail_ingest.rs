//! Concurrent deliveries into the same mailboxes, each naming the recipients in another
//! order, all arrive: the ingest locks mailbox rows in one order, so on PostgreSQL they wait
//! for each other instead of deadlocking (SQLite has one writer anyway).

use crate::file_support;
use file_support::*;
use schulhof_domain::Db;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::mail::Special;
use schulhof_store::backend_tests;

const T: &str = "lehrer.test@123456.nrw.schule";
const RCPTS: [&str; 3] = [
    "anna.test@123456.nrw.schule",
    "ben.test@123456.nrw.schule",
    "carla.test@123456.nrw.schule",
];
const ROUNDS: usize = 24;

fn message(i: usize) -> Vec<u8> {
    format!(
        "From: {T}\r\nTo: klasse@123456.nrw.schule\r\nSubject: m{i}\r\nMessage-ID: <m{i}@test>\r\n\
         Date: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\nText {i}\r\n"
    )
    .into_bytes()
}

async fn concurrent_deliveries_to_the_same_mailboxes_all_arrive(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..ROUNDS {
        let (p, t) = (s.platform.clone(), t.clone());
        let mut to: Vec<String> = RCPTS.iter().map(|r| (*r).to_owned()).collect();
        to.rotate_left(i % 3);
        if i % 2 == 1 {
            to.reverse();
        }
        set.spawn(async move { p.mail_submit(&t, T, &to, &message(i)).await });
    }
    while let Some(r) = set.join_next().await {
        let report = r.expect("task").expect("delivered, no deadlock");
        assert_eq!(report.delivered, 3);
    }
    for login in ["anna", "ben", "carla"] {
        let a = s.user(login).await;
        let inbox = s
            .platform
            .mail_special(&a, Special::Inbox)
            .await
            .expect("inbox");
        let (page, _) = s.platform.mail_page(&a, inbox, 0, 50).await.expect("page");
        assert_eq!(page.len(), ROUNDS, "{login} got every message");
    }
}

backend_tests!(concurrent_deliveries_to_the_same_mailboxes_all_arrive);
