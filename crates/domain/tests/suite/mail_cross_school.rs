//! Mail between two schools of one installation is ordinary external mail: it waits in the
//! sender school's queue, and the worker hands it to the recipient school's inbound path
//! (authentication results, the recipient's own rights, traffic out at A and in at B).

use crate::mail_support;
use mail_support::*;
use schulhof_domain::Db;
use schulhof_domain::identity::Actor;
use schulhof_domain::mail::auth::Dns;
use schulhof_store::backend_tests;
use schulhof_store::mail::{queue, traffic};

const OTHER: &str = "654321";
const T2: &str = "lehrer.test@654321.nrw.schule";
const ANNA2: &str = "anna.test@654321.nrw.schule";

/// The second school with a teacher and a student (no `mail.external`).
async fn other_school(e: &Env) -> (Actor, Actor) {
    let p = &e.platform;
    p.system_create_school(OTHER, "Andere Schule")
        .await
        .expect("school");
    p.system_set_password(OTHER, "admin", Some("admin-passwort-1"))
        .await
        .expect("password");
    let login = |l: &'static str, pw: &'static str| async move {
        let s = p.login(OTHER, l, pw, "127.0.0.1").await.expect("login");
        p.session(&s.cookie).await.expect("session").actor
    };
    let admin = login("admin", "admin-passwort-1").await;
    for (l, kind) in [("lehrer", "lehrer"), ("anna", "schueler")] {
        p.create_user(
            &admin,
            schulhof_domain::admin::NewUser {
                first_name: l.into(),
                last_name: "Test".into(),
                account_type: Some(kind.into()),
                function_role: None,
                login: Some(l.into()),
                password: Some(PW.into()),
                external_mail: None,
                holder: None,
                groups: Vec::new(),
            },
        )
        .await
        .expect("user");
    }
    (login("lehrer", PW).await, login("anna", PW).await)
}

async fn traffic_of(e: &Env, a: &Actor) -> Vec<(String, String)> {
    let mut c = e.platform.db().read().await.expect("db");
    traffic::of_instance(&mut c, a.token.instance())
        .await
        .expect("rows")
        .into_iter()
        .map(|r| (r.direction, r.recipient))
        .collect()
}

async fn cross_school_mail_waits_in_the_queue_then_arrives_as_from_outside(db: Db) {
    let e = env_with(db, None, |c| {
        c.safe_master_key = Some([7; 32]);
        c.outbound.auth.dkim_sign = true;
        c.outbound.auth.dns = Dns::stub();
    })
    .await;
    let t = e.user("lehrer").await;
    let (t2, _) = other_school(&e).await;
    let raw = message(T, T2, "Austausch", "Hallo nach nebenan");
    let r = e
        .platform
        .mail_submit(&t, T, &[T2.into()], &raw)
        .await
        .expect("sent");
    assert_eq!((r.delivered, r.queued), (0, 1));
    assert!(
        e.inbox(&t2).await.is_empty(),
        "no shortcut into B's mailbox"
    );
    {
        let mut c = e.platform.db().read().await.expect("db");
        let q = queue::of_instance(&mut c, t.token.instance())
            .await
            .expect("queue");
        assert_eq!(q.len(), 1, "{q:?}");
    }
    let now = e.platform.now();
    assert_eq!(e.platform.system_send_due_mail(now).await.expect("run"), 1);
    let inbox = e.inbox(&t2).await;
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].subject, "Austausch");
    let stored = e.platform.mail_raw(&t2, inbox[0].id).await.expect("raw");
    let text = String::from_utf8_lossy(&stored);
    assert!(
        text.contains("Authentication-Results: 654321.nrw.schule;"),
        "{text}"
    );
    assert!(text.contains("Received: from 123456.nrw.schule"), "{text}");
    assert!(
        text.contains("DKIM-Signature:"),
        "signed as outbound: {text}"
    );
    assert!(
        traffic_of(&e, &t)
            .await
            .contains(&("out".into(), T2.into()))
    );
    assert!(
        traffic_of(&e, &t2)
            .await
            .iter()
            .any(|(d, r)| d == "in" && r == T2)
    );
}

async fn a_student_of_the_other_school_refuses_and_the_sender_gets_a_bounce(db: Db) {
    let e = env(db, None).await;
    let t = e.user("lehrer").await;
    let (_, anna2) = other_school(&e).await;
    let raw = message(T, ANNA2, "Frage", "Hallo");
    e.platform
        .mail_submit(&t, T, &[ANNA2.into()], &raw)
        .await
        .expect("accepted for the queue");
    let now = e.platform.now();
    assert_eq!(e.platform.system_send_due_mail(now).await.expect("run"), 1);
    assert!(e.inbox(&anna2).await.is_empty());
    let inbox = e.inbox(&t).await;
    assert_eq!(inbox.len(), 1, "one bounce");
    let body = e.platform.mail_raw(&t, inbox[0].id).await.expect("raw");
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("Status: 5.7.1"), "{text}");
}

async fn students_may_not_write_to_the_other_school(db: Db) {
    let e = env(db, None).await;
    let anna = e.user("anna").await;
    other_school(&e).await;
    let raw = message(ANNA, T2, "Hallo", "Hallo");
    assert!(
        e.platform
            .mail_submit(&anna, ANNA, &[T2.into()], &raw)
            .await
            .is_err()
    );
    assert!(e.platform.mail_check_rcpt(&anna, T2).await.is_err());
}

backend_tests!(
    cross_school_mail_waits_in_the_queue_then_arrives_as_from_outside,
    a_student_of_the_other_school_refuses_and_the_sender_gets_a_bounce,
    students_may_not_write_to_the_other_school,
);
