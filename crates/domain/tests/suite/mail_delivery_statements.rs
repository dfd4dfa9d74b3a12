//! What receiving and sending mail costs in statements, on both backends: a recipient is
//! read once, when the policy accepts it (RCPT), and never again per recipient when the
//! message is filed — a list of many members costs no more per member than filing needs.

use crate::file_support;
use file_support::*;
use schulhof_domain::admin::NewUser;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::{Db, Platform};
use schulhof_store::Backend;
use schulhof_store::backend_tests;
use schulhof_store::testing::statements;

const T: &str = "lehrer.test@123456.nrw.schule";
const LIST: &str = "verteiler-5a@123456.nrw.schule";

fn message(from: &str, to: &str, n: usize) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Nr. {n}\r\nMessage-ID: <{n}@cost.test>\r\n\
         Date: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\nText {n}\r\n"
    )
    .into_bytes()
}

/// The statements `f` runs.
async fn counted<T>(f: impl std::future::Future<Output = T>) -> (T, usize) {
    statements::install();
    let before = statements::so_far();
    let out = f.await;
    (out, statements::so_far() - before)
}

/// Adds `n` pupils to class 5a.
async fn more_pupils(s: &School, n: usize) {
    let admin = s.admin().await;
    for i in 0..n {
        s.platform
            .create_user(
                &admin,
                NewUser {
                    first_name: format!("kind{i}"),
                    last_name: "Test".into(),
                    account_type: Some("schueler".into()),
                    function_role: None,
                    login: Some(format!("kind{i}")),
                    password: Some(PW.into()),
                    external_mail: None,
                    holder: None,
                    groups: vec!["5a".into()],
                },
            )
            .await
            .expect("pupil");
    }
}

/// One message from outside to the teacher: (RCPT, filing).
async fn inbound_cost(p: &Platform, n: usize) -> (usize, usize) {
    let (rcpt, at_rcpt) = counted(p.mail_inbound_rcpt(T)).await;
    let rcpt = rcpt.expect("accepted");
    let raw = message("eltern@example.org", T, n);
    let (filed, at_data) =
        counted(p.mail_deliver_inbound("eltern@example.org", &[rcpt], &raw)).await;
    assert!(filed.expect("delivered").iter().all(Result::is_ok));
    (at_rcpt, at_data)
}

async fn a_recipient_is_read_once(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let p = &s.platform;
    // The first message makes the inbox; the steady state is what counts.
    inbound_cost(p, 0).await;
    let mut best = (usize::MAX, usize::MAX);
    for n in 1..4 {
        let (r, d) = inbound_cost(p, n).await;
        best = (best.0.min(r), best.1.min(d));
    }
    eprintln!("inbound: RCPT {} filing {}", best.0, best.1);
    let pg = s.platform.db().backend() == Backend::Postgres;
    // RCPT: the school of the domain with the address's owner, the person (rights) and the
    // mailbox's use with its quota. Filing on PostgreSQL: the inbox, the message with its
    // use, UID, text and traffic line in one statement, and who is away; SQLite files in a
    // transaction of in-process statements.
    assert!(statements::install(), "the counter counts");
    assert_eq!(best.0, 3, "RCPT: {best:?}");
    assert!(best.1 <= if pg { 3 } else { 7 }, "filing: {best:?}");
    // Sending to the class list: its cost per member is what filing needs, nothing more.
    let t = s.user("lehrer").await;
    let send = async |n: usize| {
        let raw = message(T, LIST, n);
        let (r, cost) = counted(p.mail_submit(&t, T, &[LIST.into()], &raw)).await;
        (r.expect("sent").delivered, cost)
    };
    send(10).await;
    let (few, few_cost) = send(11).await;
    more_pupils(&s, 10).await;
    send(12).await;
    let (many, many_cost) = send(13).await;
    assert_eq!(
        (few, many),
        (2, 12),
        "the sender is no recipient of the own list"
    );
    let per_member = (many_cost - few_cost) as f64 / 10.0;
    eprintln!(
        "list: {few} members {few_cost}, {many} members {many_cost}, {per_member} per member"
    );
    // Per member: the use, the inbox, the UID, the row and the traffic line (SQLite also
    // asks for each member's absence note: in-process).
    assert!(
        per_member <= if pg { 5.0 } else { 6.0 },
        "{per_member} per member"
    );
}

backend_tests!(a_recipient_is_read_once);
